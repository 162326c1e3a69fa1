/**
 * Rows 1, 1b, 2 and 2b: a folder listing through `S3Drive.get` against a
 * raw `ListObjectsV2` loop, and through the proxy against direct.
 */
import {
  ListObjectsV2Command,
  PutObjectCommand,
  S3Client
} from '@aws-sdk/client-s3';
import { Contents } from '@jupyterlab/services';
import { performance } from 'perf_hooks';

import { S3Drive } from '../../src/drive';
import { BUCKET, CFG, wants } from '../config';
import { alternate, asInformation, check, timeRow } from '../lib/report';
import { fmt } from '../lib/stats';
import { counted, INodeBench, pool } from './clients';

const now = () => performance.now();

/**
 * Rounds of the small folder's rows: one listing takes about 15 ms, where
 * the machine's noise is a few ms, so they take many more samples.
 */
const SMALL_ROUNDS = CFG.rounds * 20;

let populated = false;

/** The folder of many objects, and a small one (once a run: rows 1, 2 and 10 list them). */
export async function populate(s3: S3Client): Promise<void> {
  if (populated) {
    return;
  }
  populated = true;
  const t0 = now();
  const keys = Array.from(
    { length: CFG.objects },
    (_, i) => `many/file-${String(i).padStart(5, '0')}.txt`
  );
  await pool(keys, 32, async key => {
    const body = new TextEncoder().encode(key);
    await s3.send(
      new PutObjectCommand({
        Bucket: BUCKET,
        Key: key,
        Body: body,
        ContentLength: body.length
      })
    );
  });
  const small = Array.from(
    { length: CFG.smallObjects },
    (_, i) => `small/file-${String(i).padStart(3, '0')}.txt`
  );
  await pool(small, 8, async key => {
    await s3.send(
      new PutObjectCommand({ Bucket: BUCKET, Key: key, Body: key })
    );
  });
  process.stderr.write(
    `  set-up: ${CFG.objects} objects in ${fmt((now() - t0) / 1000)} s\n`
  );
}

/** Raw ListObjectsV2 loop, as the drive does it (one level, same page size). */
async function rawList(s3: S3Client, prefix: string): Promise<number> {
  let token: string | undefined;
  let count = 0;
  do {
    const page = await s3.send(
      new ListObjectsV2Command({
        Bucket: BUCKET,
        Prefix: prefix,
        Delimiter: '/',
        ContinuationToken: token,
        MaxKeys: CFG.pageSize
      })
    );
    count += page.Contents?.length ?? 0;
    token = page.IsTruncated ? page.NextContinuationToken : undefined;
  } while (token);
  return count;
}

async function timedRawList(
  s3: S3Client,
  prefix: string,
  expected: number
): Promise<number> {
  const t0 = now();
  const count = await rawList(s3, prefix);
  const ms = now() - t0;
  check(count === expected, `raw listing has ${count}`);
  return ms;
}

export async function timedDriveList(
  drive: S3Drive,
  folder = 'many',
  expected = CFG.objects
): Promise<number> {
  const t0 = now();
  // As the file browser asks it: content, no type.
  const model = await drive.get(folder, { content: true });
  const ms = now() - t0;
  const content = model.content as Contents.IModel[];
  check(
    content.length === expected,
    `listing has ${content.length} items, not ${expected}`
  );
  return ms;
}

export async function benchListing(bench: INodeBench): Promise<void> {
  const { s3, direct, proxied } = bench;
  if (!wants(1) && !(wants(2) && proxied)) {
    return;
  }
  await populate(s3);
  if (wants(1)) {
    process.stderr.write(
      `#1 listing of ${CFG.objects} objects, drive vs raw\n`
    );
    const samples = await alternate(
      '#1',
      () => timedDriveList(direct),
      () => timedRawList(s3, 'many/', CFG.objects),
      CFG.rounds
    );
    const [, aRequests] = await counted(() => timedDriveList(direct));
    const [, bRequests] = await counted(() => rawList(s3, 'many/'));
    timeRow(
      '1',
      `S3Drive.get of a folder of ${CFG.objects} objects (direct; ${aRequests} requests)`,
      `raw ListObjectsV2 loop (page ${CFG.pageSize ?? 1000}; ${bRequests} requests)`,
      samples,
      1.15,
      { requests: { a: aRequests, b: bRequests } }
    );
    process.stderr.write(
      `#1b listing of a folder of ${CFG.smallObjects} objects (one page), drive vs raw\n`
    );
    const small = await alternate(
      '#1b',
      () => timedDriveList(direct, 'small', CFG.smallObjects),
      () => timedRawList(s3, 'small/', CFG.smallObjects),
      SMALL_ROUNDS
    );
    const [, aSmall] = await counted(() =>
      timedDriveList(direct, 'small', CFG.smallObjects)
    );
    const [, bSmall] = await counted(() => rawList(s3, 'small/'));
    timeRow(
      '1b',
      `S3Drive.get of a folder of ${CFG.smallObjects} objects (direct; ${aSmall} requests; ${SMALL_ROUNDS} rounds)`,
      `raw ListObjectsV2 (${bSmall} request)`,
      small,
      1.15,
      { requests: { a: aSmall, b: bSmall } }
    );
  }
  if (wants(2) && proxied) {
    process.stderr.write(
      `#2 listing of ${CFG.objects} objects, proxy vs direct\n`
    );
    const samples = await alternate(
      '#2',
      () => timedDriveList(proxied),
      () => timedDriveList(direct),
      CFG.rounds
    );
    timeRow(
      '2',
      `the same listing through the proxy`,
      `the same listing direct`,
      samples,
      1.5
    );
    process.stderr.write(
      `#2b listing of ${CFG.smallObjects} objects, proxy vs direct\n`
    );
    const small = await alternate(
      '#2b',
      () => timedDriveList(proxied, 'small', CFG.smallObjects),
      () => timedDriveList(direct, 'small', CFG.smallObjects),
      SMALL_ROUNDS
    );
    timeRow(
      '2b',
      `the small folder through the proxy (${SMALL_ROUNDS} rounds)`,
      `the same direct`,
      small,
      1.3
    );
    asInformation('report');
  }
}
