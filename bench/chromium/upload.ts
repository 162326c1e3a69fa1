/* eslint-disable @typescript-eslint/no-explicit-any -- Node scripts driving a page */
/**
 * Bench #9.1 and #9.2: a file through the upload button of a bucket browser,
 * against a raw multipart upload of an in-memory `Blob` in the page (direct),
 * and through the proxy against direct.
 */
import { DeleteObjectCommand, HeadObjectCommand } from '@aws-sdk/client-s3';
import { randomBytes } from 'crypto';
import * as fs from 'fs';
import * as os from 'os';
import * as path from 'path';

import { sleep } from '../lib/servers';
import { startProfile, stopProfile } from './profile';
import { check, MiB } from './setup';
import { Backend, IChromiumContext, IChromiumPair } from './types';

/** The floor's multipart: the drive's part size (5 MiB), 4 parts in flight. */
export const FLOOR_PART_SIZE = 5 * MiB;
export const FLOOR_IN_FLIGHT = 4;

/**
 * With `BENCH_PROFILE=1`: where an upload's time went, from its start (ms):
 * the requests before the parts, the parts, and the requests after them.
 */
function timeline(
  entries: { url: string; start: number; end: number }[],
  t0: number
): string {
  const at = (t: number) => Math.round(t - t0);
  const parts = entries.filter(e => e.url.includes('partNumber='));
  if (!parts.length) {
    return `${entries.length} requests, no parts`;
  }
  const first = Math.min(...parts.map(e => e.start));
  const last = Math.max(...parts.map(e => e.end));
  const describe = (list: typeof entries) =>
    list
      .map(e => {
        const kind = e.url.includes('?uploads')
          ? 'create'
          : e.url.includes('uploadId=')
            ? 'complete'
            : 'other';
        return `${kind} ${at(e.start)}–${at(e.end)}`;
      })
      .join(', ') || 'none';
  return (
    `before the parts: ${describe(entries.filter(e => e.end <= first))}; ` +
    `${parts.length} parts ${at(first)}–${at(last)}; ` +
    `after: ${describe(entries.filter(e => e.start >= last))}`
  );
}

export async function benchUpload(
  ctx: IChromiumContext
): Promise<IChromiumPair[]> {
  const { options, page, s3, tmp, open, home, floorOptions } = ctx;
  const BUCKET = ctx.bucket;
  const pairs: IChromiumPair[] = [];
  const size = options.uploadMiB * MiB;
  const block = randomBytes(MiB);
  const source = path.join(tmp, 'source.bin');
  const fd = fs.openSync(source, 'w');
  for (let i = 0; i < options.uploadMiB; i++) {
    fs.writeSync(fd, block);
  }
  fs.closeSync(fd);
  check(
    (await page.evaluate(
      ([b64, mib]: [string, number]) =>
        (window as any).s3cBenchFloor.makeBlob(b64, mib),
      [block.toString('base64'), options.uploadMiB]
    )) === size,
    'the in-page Blob has the wrong size'
  );
  let serial = 0;
  const fresh = (what: string) =>
    `${what}-${Date.now().toString(36)}-${serial++}.bin`;
  const head = async (key: string) => {
    try {
      const answer = await s3.send(
        new HeadObjectCommand({ Bucket: BUCKET, Key: key })
      );
      return answer.ContentLength ?? -1;
    } catch {
      return -1;
    }
  };
  const remove = (key: string) =>
    s3.send(new DeleteObjectCommand({ Bucket: BUCKET, Key: key }));

  /** An upload through a bucket browser's upload button (ms). */
  const buttonUpload = async (backend: Backend) => {
    const panel = await open(backend);
    await home(panel);
    // A new name each time (a hard link of the same bytes): the
    // browser's file name is the file's.
    const name = fresh(`up-${backend}`);
    const file = path.join(tmp, name);
    fs.linkSync(source, file);
    await page.evaluate(() => performance.clearResourceTimings());
    const profiler = await startProfile(page);
    const chooser = page.waitForEvent('filechooser');
    await panel.locator('.jp-Toolbar .jp-id-upload').click();
    // The upload's last write: CompleteMultipartUpload (or the PutObject of
    // a one-part file), seen from the browser's network events. Nothing
    // polls the page or the server while the upload runs: the HEAD and
    // locator polls this replaced took page time and moto time from A alone.
    const encoded = encodeURIComponent(name);
    const written = page.waitForResponse(
      (response: any) => {
        const url: string = response.url();
        const method: string = response.request().method();
        // An AbortMultipartUpload (DELETE) ends a failed upload.
        return (
          url.includes(encoded) &&
          (((method === 'POST' || method === 'DELETE') &&
            url.includes('uploadId=')) ||
            (method === 'PUT' && !url.includes('partNumber=')))
        );
      },
      { timeout: 600000 }
    );
    const start = Date.now();
    await (await chooser).setFiles(file);
    const last = await written;
    check(
      last.ok() && last.request().method() !== 'DELETE',
      `the upload of ${name} failed (${last.request().method()} ${last.status()})`
    );
    for (let tries = 0; (await head(name)) !== size; tries++) {
      check(tries < 100, `the upload of ${name} did not end`);
      await sleep(50);
    }
    // The page's own time of the end of the last response about the key
    // (the drive's reads after the write); read until it stops changing.
    const read = () =>
      page.evaluate((needle: string) => {
        const ends = performance
          .getEntriesByType('resource')
          .filter(e => e.name.includes(needle))
          .map(
            e =>
              performance.timeOrigin +
              (e as PerformanceResourceTiming).responseEnd
          );
        const entries = performance
          .getEntriesByType('resource')
          .filter(e => e.name.includes(needle))
          .map(e => ({
            url: e.name,
            start: performance.timeOrigin + e.startTime,
            end:
              performance.timeOrigin +
              (e as PerformanceResourceTiming).responseEnd
          }));
        return {
          requests: ends.length,
          end: Math.max(...ends),
          entries
        };
      }, encoded);
    let seen = await read();
    for (;;) {
      await sleep(200);
      const again = await read();
      if (again.requests === seen.requests) {
        break;
      }
      seen = again;
    }
    await stopProfile(profiler, `9.1/9.2 ${backend} upload`);
    check(seen.requests > 0, `no request of the page named ${name}`);
    const t0 = start;
    if (process.env.BENCH_PROFILE) {
      console.log(
        `  #9.1/9.2 ${backend} upload: ${timeline(seen.entries, t0)}`
      );
    }
    fs.unlinkSync(file);
    await remove(name);
    return seen.end - t0;
  };

  /** The floor: a raw multipart upload of the in-page Blob (ms). */
  let floorRetries = 0;
  const floorUpload = async (): Promise<number> => {
    const key = fresh('floor');
    const profiler = await startProfile(page);
    let ms: number;
    try {
      ms = await page.evaluate(
        ([o, key, partSize, inFlight]: [any, string, number, number]) =>
          (window as any).s3cBenchFloor.upload(
            o,
            'bench-ui',
            key,
            partSize,
            inFlight
          ),
        [floorOptions, key, FLOOR_PART_SIZE, FLOOR_IN_FLIGHT]
      );
    } catch (error) {
      // Now and then the floor's raw upload fails with "Failed to fetch",
      // although its client retries network errors (4 attempts, as the
      // drive's); why is not known. The floor is the baseline, not what is
      // measured: its round starts again (once), and the run says so.
      await stopProfile(profiler, '9.1 floor upload (failed)');
      if (floorRetries > 0 || !/Failed to fetch/.test(String(error))) {
        throw error;
      }
      floorRetries++;
      process.stderr.write(
        `  #9.1 floor: the raw upload failed (${String(error).split('\n')[0]}); its round starts again\n`
      );
      return floorUpload();
    }
    await stopProfile(profiler, '9.1 floor upload');
    check((await head(key)) === size, `the floor's ${key} is incomplete`);
    if (process.env.BENCH_PROFILE) {
      const entries = await page.evaluate((needle: string) => {
        const found = performance
          .getEntriesByType('resource')
          .filter(e => e.name.includes(needle))
          .map(e => ({
            url: e.name,
            start: e.startTime,
            end: (e as PerformanceResourceTiming).responseEnd
          }));
        performance.clearResourceTimings();
        return found;
      }, key);
      const t0 = Math.min(...entries.map(e => e.start));
      console.log(`  #9.1 floor upload: ${timeline(entries, t0)}`);
    }
    await remove(key);
    return ms;
  };

  process.stderr.write(
    `#9.1 upload button (direct) vs raw SDK multipart from a Blob in the page, ${options.uploadMiB} MiB\n`
  );
  const direct = await options.alternate(
    '#9.1',
    () => buttonUpload('direct'),
    () => floorUpload()
  );
  await page.screenshot({
    path: path.join(os.tmpdir(), 's3c-bench-upload.png')
  });
  pairs.push({
    id: '9.1',
    a: `Chromium: upload button of the bucket browser, ${options.uploadMiB} MiB file (direct)`,
    b: `raw SDK multipart of an in-page Blob (${FLOOR_PART_SIZE / MiB} MiB parts, ${FLOOR_IN_FLIGHT} in flight)`,
    samples: direct,
    bytes: size,
    target: 0.8,
    note: floorRetries
      ? `the floor's raw upload failed once ("Failed to fetch") and its round started again`
      : undefined,
    extra: { floor_retries: floorRetries }
  });
  process.stderr.write(
    `#9.2 upload button, proxy vs direct, ${options.uploadMiB} MiB\n`
  );
  const proxy = await options.alternate(
    '#9.2',
    () => buttonUpload('proxy'),
    () => buttonUpload('direct')
  );
  pairs.push({
    id: '9.2',
    a: `Chromium: the same upload through the proxy`,
    b: `the same direct`,
    samples: proxy,
    bytes: size,
    target: 0.7
  });
  await page.evaluate(() => (window as any).s3cBenchFloor.dropBlob());
  return pairs;
}
