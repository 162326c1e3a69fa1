/* eslint-disable @typescript-eslint/no-explicit-any -- Node scripts driving a page */
/**
 * Bench #9.7 and #9.8: a notebook of about 1 MiB, open in JupyterLab, saved
 * as Ctrl+S does (`docmanager:save`), from the command to the save's end,
 * through each backend, against one `PutObject` of the same bytes (the
 * object the save wrote) from a `Blob` in the page.
 */
import {
  GetObjectCommand,
  HeadObjectCommand,
  PutObjectCommand
} from '@aws-sdk/client-s3';

import { fmt, median } from '../lib/stats';
import { startProfile, stopProfile } from './profile';
import { check, MiB } from './setup';
import { Backend, BACKENDS, IChromiumContext, IChromiumPair } from './types';

/** A notebook of `cells` code cells, each with a stream output, ~`bytes` in all. */
export function makeNotebook(bytes: number, cells = 100): string {
  const perCell = Math.max(64, Math.floor(bytes / cells) - 400);
  const line = 'value = 0.123456789, label = "a row of output"\n';
  const text = line.repeat(Math.ceil(perCell / line.length)).slice(0, perCell);
  const notebook = {
    cells: Array.from({ length: cells }, (_, i) => ({
      cell_type: 'code',
      execution_count: i + 1,
      id: `cell-${i}`,
      metadata: {},
      outputs: [{ name: 'stdout', output_type: 'stream', text: [text] }],
      source: [`for i in range(${i}):\n`, `    print(i)`]
    })),
    metadata: {
      kernelspec: {
        display_name: 'Python 3',
        language: 'python',
        name: 'python3'
      },
      language_info: { name: 'python' }
    },
    nbformat: 4,
    nbformat_minor: 5
  };
  return JSON.stringify(notebook, null, 1) + '\n';
}

export async function benchSave(
  ctx: IChromiumContext
): Promise<IChromiumPair[]> {
  const { options, page, s3, bucket, floorOptions } = ctx;
  const target = options.smoke ? MiB / 4 : MiB;
  const source = makeNotebook(target);
  const key = (backend: Backend) => `save/notebook-${backend}.ipynb`;
  const sizeOf = async (k: string) =>
    (await s3.send(new HeadObjectCommand({ Bucket: bucket, Key: k })))
      .ContentLength ?? -1;

  const pairs: IChromiumPair[] = [];
  const commands: Record<Backend, number[]> = { direct: [], proxy: [] };
  let floorBytes = 0;
  try {
    for (const [i, backend] of BACKENDS.entries()) {
      const id = `9.${7 + i}`;
      const save = async (round: number) => {
        const profiler = await startProfile(page);
        const t = await page.evaluate(
          ([path, round]: [string, number]) =>
            (window as any).s3cBenchPage.saveNotebook(path, round),
          [ctx.drivePath(backend, key(backend)), round + 10]
        );
        await stopProfile(profiler, `9.7/9.8 ${backend}`);
        commands[backend].push(t.command);
        if (process.env.BENCH_PROFILE) {
          console.log(
            `  requests of the save (${backend}, ${t.saved.toFixed(0)} ms):\n    ${t.requests.join('\n    ')}`
          );
        }
        return t.saved;
      };
      const floor = async () => {
        if (!floorBytes) {
          // The bytes the drive wrote, once: the floor puts the same.
          const answer = await s3.send(
            new GetObjectCommand({ Bucket: bucket, Key: key(backend) })
          );
          const bytes = await answer.Body!.transformToByteArray();
          floorBytes = await page.evaluate(
            ([b64, type]: [string, string]) =>
              (window as any).s3cBenchFloor.setBody(b64, type),
            [Buffer.from(bytes).toString('base64'), 'application/x-ipynb+json']
          );
        }
        const ms = await page.evaluate(
          ([o, bucket, k]: [any, string, string]) =>
            (window as any).s3cBenchFloor.put(o, bucket, k),
          [floorOptions, bucket, 'save/floor.ipynb']
        );
        check(
          (await sizeOf('save/floor.ipynb')) === floorBytes,
          "the floor's object has the wrong size"
        );
        return ms;
      };
      // One notebook open at a time: Ctrl+S saves the current one.
      await s3.send(
        new PutObjectCommand({
          Bucket: bucket,
          Key: key(backend),
          Body: source,
          ContentType: 'application/x-ipynb+json'
        })
      );
      const cells = await page.evaluate(
        (path: string) => (window as any).s3cBenchPage.openNotebook(path),
        ctx.drivePath(backend, key(backend))
      );
      check(cells === 100, `the notebook opened with ${cells} cells`);
      process.stderr.write(
        `#${id} save a notebook of ~${fmt(target / MiB)} MiB (${backend}) vs raw PutObject of its bytes in the page\n`
      );
      commands[backend] = [];
      const samples = await options.alternate(`#${id}`, save, floor);
      commands[backend].shift();
      await page.evaluate(() => (window as any).s3cBenchPage.closeNotebooks());
      const saved = await sizeOf(key(backend));
      check(saved > target / 2, `the saved notebook has ${saved} bytes`);
      pairs.push({
        id,
        a: `Chromium: save (Ctrl+S) a notebook of ${fmt(saved / MiB)} MiB (${backend}), from the command to the save's end`,
        b: `raw PutObject of the same bytes from a Blob in the page`,
        samples,
        target: null,
        note: `${backend}: the command, with the checkpoint JupyterLab creates after the save, ended after ${fmt(median(commands[backend]))} ms at the median.`,
        extra: { notebook_bytes: saved, command_ms: commands[backend] }
      });
    }
  } finally {
    await page.evaluate(() => (window as any).s3cBenchPage.closeNotebooks());
  }
  return pairs;
}
