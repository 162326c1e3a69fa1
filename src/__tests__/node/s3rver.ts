/**
 * Start s3rver (npm), a second S3 implementation, for the Node tests: what the
 * drive promises is checked against two servers.
 *
 * What s3rver does not do, and the tests take into account (`IServer`):
 * it ignores `If-Match` / `If-None-Match`, ignores `encoding-type=url`, and
 * stores objects as files, so it cannot hold empty segments, `.` or `..`
 * segments, or segments longer than about 240 bytes. Its continuation tokens
 * use DES, which Node 20 only offers with `--openssl-legacy-provider`.
 */
import { ChildProcess, spawn } from 'child_process';
import * as fs from 'fs';
import * as os from 'os';
import * as path from 'path';

import { freePort, waitUntilAnswering } from './moto';

/** s3rver's built-in account. */
export const S3RVER_KEY = 'S3RVER';

/**
 * Start s3rver on a free port with an empty data directory; resolves once it
 * answers.
 */
export async function startS3rver(): Promise<{
  process: ChildProcess;
  endpoint: string;
  directory: string;
}> {
  const port = await freePort();
  const directory = fs.mkdtempSync(path.join(os.tmpdir(), 's3rver-'));
  const cli = require.resolve('s3rver/bin/s3rver.js');
  const child = spawn(
    process.execPath,
    [
      '--openssl-legacy-provider',
      cli,
      '--directory',
      directory,
      '--address',
      '127.0.0.1',
      '--port',
      String(port),
      '--silent'
    ],
    { stdio: ['ignore', 'ignore', 'pipe'] }
  );
  const endpoint = `http://127.0.0.1:${port}`;
  await waitUntilAnswering(child, endpoint, 's3rver');
  return { process: child, endpoint, directory };
}
