/* eslint-disable @typescript-eslint/no-explicit-any -- Node scripts driving a page */
/**
 * Bench #9.5 and #9.6: a large CSV opened into the editor ("Open With" →
 * Editor, the `docmanager:open` command with the `Editor` factory), from the
 * command to the editor showing the file's first line, through each backend,
 * against one `GetObject` of the same object read to bytes in the page.
 */
import { PutObjectCommand } from '@aws-sdk/client-s3';

import { fmt, median } from '../lib/stats';
import { startProfile, stopProfile } from './profile';
import { check, MiB } from './setup';
import { Backend, BACKENDS, IChromiumContext, IChromiumPair } from './types';

const KEY = 'open/data.csv';
const LINE = 'id,value,label,comment\n';

export async function benchOpen(
  ctx: IChromiumContext
): Promise<IChromiumPair[]> {
  const { options, page, s3, bucket, floorOptions } = ctx;
  const size = options.openMiB * MiB;
  await s3.send(
    new PutObjectCommand({
      Bucket: bucket,
      Key: KEY,
      Body: Buffer.alloc(size, LINE),
      ContentLength: size,
      ContentType: 'text/csv'
    })
  );
  const pairs: IChromiumPair[] = [];
  const loaded: Record<Backend, number[]> = { direct: [], proxy: [] };
  const fetched: Record<Backend, number[]> = { direct: [], proxy: [] };
  const open = async (backend: Backend) => {
    const profiler = await startProfile(page);
    const t = await page.evaluate(
      ([path, first]: [string, string]) =>
        (window as any).s3cBenchPage.openInEditor(path, first),
      [ctx.drivePath(backend, KEY), LINE.trim()]
    );
    await stopProfile(profiler, `9.5/9.6 ${backend}`);
    check(
      t.length === size,
      `the editor holds ${t.length} of ${size} characters`
    );
    loaded[backend].push(t.loaded);
    fetched[backend].push(t.fetched);
    return t.shown;
  };
  const floor = async () => {
    const [ms, bytes] = await page.evaluate(
      ([o, bucket, key]: [any, string, string]) =>
        (window as any).s3cBenchFloor.get(o, bucket, key),
      [floorOptions, bucket, KEY]
    );
    check(bytes === size, `the floor read ${bytes} of ${size} bytes`);
    return ms;
  };
  for (const [i, backend] of BACKENDS.entries()) {
    const id = `9.${5 + i}`;
    process.stderr.write(
      `#${id} open a ${options.openMiB} MiB CSV in the editor (${backend}) vs raw GetObject in the page\n`
    );
    loaded[backend] = [];
    fetched[backend] = [];
    const samples = await options.alternate(
      `#${id}`,
      () => open(backend),
      floor
    );
    // The warm-up's figure is not counted.
    loaded[backend].shift();
    fetched[backend].shift();
    pairs.push({
      id,
      a: `Chromium: open a ${options.openMiB} MiB CSV in the editor (${backend}), from the command to its first line on screen`,
      b: `raw GetObject of it in the page, read to bytes`,
      samples,
      target: null,
      note: `${backend}, medians from the command: the file's GET ended at ${fmt(median(fetched[backend]))} ms, the document's model was ready (the drive's get with its decoding, then JupyterLab's model) at ${fmt(median(loaded[backend]))} ms, its first line on screen at ${fmt(median(samples.a))} ms.`,
      extra: {
        get_ended_ms: fetched[backend],
        model_ready_ms: loaded[backend]
      }
    });
  }
  return pairs;
}
