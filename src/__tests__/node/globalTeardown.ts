/**
 * Jest global teardown of the `node` project: stop the moto servers.
 */
import type { ChildProcess } from 'child_process';

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
}
