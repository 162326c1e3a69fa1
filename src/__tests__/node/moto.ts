/**
 * Start and stop moto's S3 server for the Node tests.
 */
import { ChildProcess, spawn } from 'child_process';
import * as fs from 'fs';
import * as net from 'net';
import * as path from 'path';

/** The repository's root, where `.venv` lives. */
const ROOT = path.resolve(__dirname, '..', '..', '..');

/**
 * The Python that has moto: `$MOTO_PYTHON`, else the repository's `.venv`.
 */
export function motoPython(): string {
  if (process.env.MOTO_PYTHON) {
    return process.env.MOTO_PYTHON;
  }
  const venv = path.join(ROOT, '.venv', 'bin', 'python');
  return fs.existsSync(venv) ? venv : 'python3';
}

/**
 * A free TCP port on 127.0.0.1.
 */
export function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const server = net.createServer();
    server.unref();
    server.on('error', reject);
    server.listen(0, '127.0.0.1', () => {
      const address = server.address() as net.AddressInfo;
      server.close(() => resolve(address.port));
    });
  });
}

/**
 * Start a moto server and wait until it answers.
 */
export async function startMoto(
  env: Record<string, string> = {}
): Promise<{ process: ChildProcess; endpoint: string }> {
  const port = await freePort();
  const child = spawn(
    motoPython(),
    ['-m', 'moto.server', '-H', '127.0.0.1', '-p', String(port)],
    { env: { ...process.env, ...env }, stdio: ['ignore', 'ignore', 'pipe'] }
  );
  const endpoint = `http://127.0.0.1:${port}`;
  await waitUntilAnswering(
    child,
    `${endpoint}/moto-api/`,
    `moto (${motoPython()} -m moto.server)`
  );
  return { process: child, endpoint };
}

/**
 * Wait until a server started as `child` answers `url` (any status below
 * 500), for at most 30 s; its stderr goes into the error when it doesn't.
 */
export async function waitUntilAnswering(
  child: ChildProcess,
  url: string,
  what: string
): Promise<void> {
  let stderr = '';
  child.stderr?.on('data', data => {
    stderr = (stderr + String(data)).slice(-4000);
  });
  const deadline = Date.now() + 30000;
  for (;;) {
    if (child.exitCode !== null) {
      throw new Error(`${what} could not start: ${stderr}`);
    }
    try {
      const response = await fetch(url);
      if (response.status < 500) {
        break;
      }
    } catch {
      // Not listening yet.
    }
    if (Date.now() > deadline) {
      child.kill();
      throw new Error(`${what} did not answer at ${url}: ${stderr}`);
    }
    await new Promise(resolve => setTimeout(resolve, 100));
  }
  child.stderr?.removeAllListeners('data');
  child.stderr?.resume();
}
