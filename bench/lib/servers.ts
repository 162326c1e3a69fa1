/* eslint-disable @typescript-eslint/no-explicit-any -- Node scripts */
/**
 * The servers a benchmark run needs: a moto S3 server and a Jupyter server
 * with the extension, both subprocesses on 127.0.0.1, plus a sampler of a
 * process's resident memory.
 */
import { ChildProcess, spawn } from 'child_process';
import * as fs from 'fs';
import * as os from 'os';
import * as path from 'path';

// The same free-port helper as the jest set-up.
import { freePort } from '../../src/__tests__/node/moto';

/** The repository's root. */
export const ROOT = path.resolve(__dirname, '..', '..');

/** The venv's bin folder. */
export const VENV_BIN = path.join(ROOT, '.venv', 'bin');

export { freePort };

export function sleep(ms: number): Promise<void> {
  return new Promise(resolve => setTimeout(resolve, ms));
}

/** A started subprocess with the tail of its stderr. */
export interface IServer {
  process: ChildProcess;
  url: string;
  stderr: () => string;
  stop: () => Promise<void>;
}

function track(child: ChildProcess): { stderr: () => string } {
  let tail = '';
  child.stderr?.on('data', data => {
    tail = (tail + String(data)).slice(-8000);
  });
  return { stderr: () => tail };
}

function stopper(child: ChildProcess): () => Promise<void> {
  return () =>
    new Promise<void>(resolve => {
      if (child.exitCode !== null || child.signalCode !== null) {
        resolve();
        return;
      }
      const timer = setTimeout(() => child.kill('SIGKILL'), 5000);
      child.once('exit', () => {
        clearTimeout(timer);
        resolve();
      });
      child.kill('SIGTERM');
    });
}

async function waitFor(
  child: ChildProcess,
  what: string,
  stderr: () => string,
  probe: () => Promise<boolean>,
  timeoutMs = 60000
): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    if (child.exitCode !== null) {
      throw new Error(`${what} exited (${child.exitCode}):\n${stderr()}`);
    }
    try {
      if (await probe()) {
        return;
      }
    } catch {
      // not listening yet
    }
    if (Date.now() > deadline) {
      child.kill('SIGKILL');
      throw new Error(`${what} did not answer in time:\n${stderr()}`);
    }
    await sleep(100);
  }
}

/** Start moto's S3 server (quiet). */
export async function startMoto(): Promise<IServer> {
  const port = await freePort();
  const child = spawn(
    path.join(VENV_BIN, 'python'),
    ['-m', 'moto.server', '-H', '127.0.0.1', '-p', String(port)],
    { stdio: ['ignore', 'ignore', 'pipe'], env: { ...process.env } }
  );
  const { stderr } = track(child);
  const url = `http://127.0.0.1:${port}`;
  await waitFor(child, 'moto', stderr, async () => {
    const response = await fetch(`${url}/moto-api/`);
    return response.status < 500;
  });
  return { process: child, url, stderr, stop: stopper(child) };
}

/** A Jupyter server with the extension, authenticated by a token. */
export interface IJupyter extends IServer {
  token: string;
  dir: string;
}

/** Start `jupyter server` (or `jupyter lab`) with the extension enabled. */
export async function startJupyter(
  options: {
    app?: 'server' | 'lab';
    extraArgs?: string[];
    env?: NodeJS.ProcessEnv;
  } = {}
): Promise<IJupyter> {
  const port = await freePort();
  const token = `bench-${Math.random().toString(36).slice(2)}`;
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 's3c-bench-'));
  const app = options.app ?? 'server';
  const args = [
    app,
    `--ServerApp.port=${port}`,
    '--ServerApp.port_retries=0',
    '--ServerApp.ip=127.0.0.1',
    `--IdentityProvider.token=${token}`,
    '--ServerApp.allow_root=True',
    '--ServerApp.open_browser=False',
    `--ServerApp.root_dir=${dir}`,
    `--S3ConnectorsApp.store_path=${dir}/c.json`,
    `--S3ConnectorsApp.key_path=${dir}/c.key`,
    "--ServerApp.jpserver_extensions={'jupyterlab_s3_connectors': True}",
    // JupyterLab's workspace and settings of the run stay in its folder: the
    // user's own JupyterLab would otherwise reopen the bench's documents.
    ...(app === 'lab'
      ? [
          `--LabApp.workspaces_dir=${dir}/workspaces`,
          `--LabApp.user_settings_dir=${dir}/settings`
        ]
      : []),
    ...(options.extraArgs ?? [])
  ];
  const child = spawn(path.join(VENV_BIN, 'jupyter'), args, {
    stdio: ['ignore', 'ignore', 'pipe'],
    cwd: dir,
    env: {
      ...process.env,
      ...options.env,
      PATH: `${VENV_BIN}:${process.env.PATH}`
    }
  });
  const { stderr } = track(child);
  const url = `http://127.0.0.1:${port}/`;
  await waitFor(child, `jupyter ${app}`, stderr, async () => {
    const response = await fetch(`${url}api/status`, {
      headers: { Authorization: `token ${token}` }
    });
    return response.ok;
  });
  const stop = stopper(child);
  return {
    process: child,
    url,
    token,
    dir,
    stderr,
    stop: async () => {
      await stop();
      fs.rmSync(dir, { recursive: true, force: true });
    }
  };
}

/** Call the extension's REST API. */
export async function api(
  jupyter: IJupyter,
  method: string,
  route: string,
  body?: unknown
): Promise<any> {
  const response = await fetch(`${jupyter.url}s3-connectors/api/${route}`, {
    method,
    headers: {
      Authorization: `token ${jupyter.token}`,
      'Content-Type': 'application/json'
    },
    body: body === undefined ? undefined : JSON.stringify(body)
  });
  const text = await response.text();
  if (!response.ok) {
    throw new Error(`${method} ${route}: ${response.status} ${text}`);
  }
  return text ? JSON.parse(text) : null;
}

/** Create and activate a read-write connector on a bucket (proxy backend by default). */
export async function createConnector(
  jupyter: IJupyter,
  fields: { name: string; endpoint: string; bucket: string; backend?: string }
): Promise<{ id: string; [key: string]: unknown }> {
  const connector = await api(jupyter, 'POST', 'connectors', {
    region: 'us-east-1',
    access_key_id: 'bench',
    secret_access_key: 'bench-secret',
    mode: 'read-write',
    backend: 'proxy',
    ...fields
  });
  await api(jupyter, 'POST', `connectors/${connector.id}/activate`);
  return connector;
}

/** Resident memory of a process, from /proc (bytes). */
export function memoryOf(pid: number): { rss: number; hwm: number } | null {
  try {
    const status = fs.readFileSync(`/proc/${pid}/status`, 'utf8');
    const field = (name: string) => {
      const match = new RegExp(`^${name}:\\s+(\\d+) kB`, 'm').exec(status);
      return match ? Number(match[1]) * 1024 : 0;
    };
    return { rss: field('VmRSS'), hwm: field('VmHWM') };
  } catch {
    return null;
  }
}

/** Sample a process's VmRSS every `intervalMs` until stopped. */
export function sampleMemory(
  pid: number,
  intervalMs = 10
): { stop: () => { peakRss: number; hwm: number; samples: number } } {
  let peakRss = 0;
  let hwm = 0;
  let samples = 0;
  const take = () => {
    const memory = memoryOf(pid);
    if (memory) {
      peakRss = Math.max(peakRss, memory.rss);
      hwm = Math.max(hwm, memory.hwm);
      samples += 1;
    }
  };
  take();
  const timer = setInterval(take, intervalMs);
  return {
    stop: () => {
      clearInterval(timer);
      take();
      return { peakRss, hwm, samples };
    }
  };
}
