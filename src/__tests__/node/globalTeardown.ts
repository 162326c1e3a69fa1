/**
 * Jest global teardown of the `node` project: stop the S3 servers.
 */
import type { ChildProcess } from 'child_process';
import * as fs from 'fs';

export default async function globalTeardown(): Promise<void> {
  const processes: ChildProcess[] =
    (globalThis as any).__MOTO_PROCESSES__ ?? [];
  await Promise.all(
    processes.map(
      child =>
        new Promise<void>(resolve => {
          if (child.exitCode !== null) {
            resolve();
            return;
          }
          child.once('exit', () => resolve());
          child.kill('SIGTERM');
        })
    )
  );
  const directory: string | undefined = (globalThis as any)
    .__S3RVER_DIRECTORY__;
  if (directory) {
    fs.rmSync(directory, { recursive: true, force: true });
  }
}
