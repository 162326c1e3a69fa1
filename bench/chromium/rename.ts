/* eslint-disable @typescript-eslint/no-explicit-any -- Node scripts driving a page */
/**
 * Bench #9.9 and #9.10: a folder of 200 objects renamed in a bucket browser
 * (select it, F2, type the new name, Enter), from the Enter to the listing
 * showing the new name in place of the old, through each backend, against
 * the same requests from the page with the raw SDK: `ListObjectsV2` of the
 * folder, `CopyObject` of each key (as many in flight as the drive) and
 * `DeleteObjects`.
 */
import {
  ListObjectsV2Command,
  PutObjectCommand,
  S3Client
} from '@aws-sdk/client-s3';

import { COPY_CONCURRENCY } from '../../src/drive/bucket';
import { browserId, check } from './setup';
import { Backend, BACKENDS, IChromiumContext, IChromiumPair } from './types';

const PARENT = 'ren';

async function makeFolder(
  s3: S3Client,
  bucket: string,
  folder: string,
  count: number
): Promise<void> {
  let next = 0;
  const worker = async () => {
    while (next < count) {
      const i = next++;
      await s3.send(
        new PutObjectCommand({
          Bucket: bucket,
          Key: `${folder}/object-${String(i).padStart(3, '0')}.txt`,
          Body: `object ${i}\n`
        })
      );
    }
  };
  await Promise.all(Array.from({ length: 16 }, worker));
}

async function countBelow(
  s3: S3Client,
  bucket: string,
  prefix: string
): Promise<number> {
  const answer = await s3.send(
    new ListObjectsV2Command({ Bucket: bucket, Prefix: prefix })
  );
  return answer.KeyCount ?? 0;
}

export async function benchRename(
  ctx: IChromiumContext
): Promise<IChromiumPair[]> {
  const { options, page, s3, bucket, floorOptions, names } = ctx;
  const count = options.smoke ? 20 : 200;
  let serial = 0;
  const refresh = (backend: Backend) =>
    page.evaluate(
      (id: string) => (window as any).s3cBenchPage.refreshBrowser(id),
      browserId(names[backend])
    );
  const item = (panel: any, name: string) =>
    panel.locator('.jp-DirListing-item').filter({
      has: page.locator('.jp-DirListing-itemText', {
        hasText: new RegExp(`^${name}$`)
      })
    });

  // Each bucket browser shows the parent folder of the renamed ones.
  await makeFolder(s3, bucket, `${PARENT}/first`, 1);
  for (const backend of BACKENDS) {
    const panel = await ctx.open(backend);
    await ctx.home(panel);
    await refresh(backend);
    await item(panel, PARENT).dblclick();
    await panel
      .locator(`.jp-BreadCrumbs-item[data-path="${PARENT}"]`)
      .waitFor({ timeout: 60000 });
  }

  /** A rename through a bucket browser (ms). */
  const renameInBrowser = async (backend: Backend) => {
    const from = `${backend}-${serial++}`;
    const to = `${from}-renamed`;
    await makeFolder(s3, bucket, `${PARENT}/${from}`, count);
    const panel = await ctx.open(backend);
    await refresh(backend);
    const folder = item(panel, from);
    await folder.click();
    await page.keyboard.press('F2');
    const editor = panel.locator('.jp-DirListing-editor');
    await editor.waitFor({ timeout: 30000 });
    await editor.fill(to);
    const id = browserId(names[backend]);
    await page.evaluate(
      (id: string) => (window as any).s3cBenchPage.armRename(id),
      id
    );
    await page.keyboard.press('Enter');
    const ms = await page.evaluate(
      ([id, from, to]: [string, string, string]) =>
        (window as any).s3cBenchPage.renamed(id, from, to),
      [id, from, to]
    );
    if (process.env.BENCH_PROFILE) {
      const requests = await page.evaluate(
        () => (window as any).s3cBenchRenameRequests
      );
      console.log(
        `  requests of the rename (${backend}, ${ms.toFixed(0)} ms):\n    ${requests.join('\n    ')}`
      );
    }
    const moved = await countBelow(s3, bucket, `${PARENT}/${to}/`);
    const left = await countBelow(s3, bucket, `${PARENT}/${from}/`);
    check(
      moved === count && left === 0,
      `the rename of ${from} moved ${moved} of ${count} keys and left ${left}`
    );
    return ms;
  };

  /** The floor: the same requests with the raw SDK in the page (ms). */
  const floor = async () => {
    const from = `${PARENT}/floor-${serial++}/`;
    await makeFolder(s3, bucket, from.slice(0, -1), count);
    const [ms, keys] = await page.evaluate(
      ([o, bucket, from, to, inFlight]: [
        any,
        string,
        string,
        string,
        number
      ]) => (window as any).s3cBenchFloor.rename(o, bucket, from, to, inFlight),
      [
        floorOptions,
        bucket,
        from,
        from.slice(0, -1) + '-renamed/',
        COPY_CONCURRENCY
      ]
    );
    check(keys === count, `the floor renamed ${keys} of ${count} keys`);
    return ms;
  };

  const pairs: IChromiumPair[] = [];
  for (const [i, backend] of BACKENDS.entries()) {
    const id = `9.${9 + i}`;
    process.stderr.write(
      `#${id} rename a folder of ${count} objects (${backend}) vs raw List + Copy + DeleteObjects in the page\n`
    );
    const samples = await options.alternate(
      `#${id}`,
      () => renameInBrowser(backend),
      floor
    );
    pairs.push({
      id,
      a: `Chromium: rename a folder of ${count} objects in the bucket browser (${backend}), from the Enter to the new name listed in place of the old`,
      b: `raw ListObjectsV2 + ${count} CopyObject (${COPY_CONCURRENCY} in flight) + DeleteObjects in the page`,
      samples,
      target: null
    });
  }
  for (const backend of BACKENDS) {
    await ctx.home(await ctx.open(backend));
  }
  return pairs;
}
