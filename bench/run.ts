/**
 * The benchmarks of issue #4: the drive (in Node, as in its jest tests)
 * against raw SDK calls, direct against proxy, on a moto S3 server and a
 * Jupyter server started here. Every figure is a ratio of medians of A and B
 * measured alternately in the same run.
 *
 *   tsx bench/run.ts            # full sizes (make bench)
 *   tsx bench/run.ts --smoke    # tiny sizes, seconds (make bench-smoke)
 *   tsx bench/run.ts --only=1,3 # some benches only (8 = bundle sizes, 9 = Chromium)
 *
 * Exits non-zero only when something is broken (a server does not start, a
 * result is wrong), never because a ratio misses its target.
 */
process.env.AWS_SDK_JS_NODE_VERSION_SUPPORT_WARNING_DISABLED = 'true';

import {
  CompleteMultipartUploadCommand,
  CreateBucketCommand,
  CreateMultipartUploadCommand,
  DeleteObjectCommand,
  GetObjectCommand,
  HeadObjectCommand,
  ListObjectsV2Command,
  PutObjectCommand,
  S3Client,
  UploadPartCommand
} from '@aws-sdk/client-s3';
import { Contents, ServerConnection } from '@jupyterlab/services';
import { execFileSync } from 'child_process';
import { randomBytes } from 'crypto';
import * as fs from 'fs';
import * as os from 'os';
import * as path from 'path';
import { performance } from 'perf_hooks';

import {
  createS3Client,
  MIN_PART_SIZE,
  PARTS_IN_FLIGHT,
  S3Drive
} from '../src/drive';
import { measureBundle } from './bundle';
import { measureChromium } from './chromium/page';
import {
  createConnector,
  IJupyter,
  IServer,
  memoryOf,
  ROOT,
  sampleMemory,
  startJupyter,
  startMoto,
  VENV_BIN
} from './lib/servers';
import {
  fmt,
  fmtBytes,
  fmtSummary,
  ISummary,
  MiB,
  quantile,
  summary,
  table
} from './lib/stats';

const argv = process.argv.slice(2);
const SMOKE = argv.includes('--smoke');
const ONLY = (() => {
  const arg = argv.find(a => a.startsWith('--only='));
  return arg ? new Set(arg.slice(7).split(',').map(Number)) : null;
})();
const wants = (n: number) => !ONLY || ONLY.has(n);

const envInt = (name: string, fallback: number) =>
  process.env[name] ? Number(process.env[name]) : fallback;

/** The sizes of a run. */
const CFG = SMOKE
  ? {
      objects: 60,
      smallObjects: 5,
      pageSize: 25 as number | undefined,
      uploadMiB: 12,
      openMiB: 2,
      rounds: envInt('BENCH_ROUNDS', 2),
      heads: 30
    }
  : {
      objects: envInt('BENCH_OBJECTS', 10000),
      smallObjects: 20,
      pageSize: undefined as number | undefined, // the server's: 1000
      uploadMiB: envInt('BENCH_UPLOAD_MIB', 256),
      openMiB: envInt('BENCH_OPEN_MIB', 50),
      rounds: envInt('BENCH_ROUNDS', 5),
      heads: envInt('BENCH_HEADS', 300)
    };

/** Parts the raw multipart baseline keeps in flight (lib-storage's default queueSize). */
const RAW_CONCURRENCY = envInt('BENCH_RAW_CONCURRENCY', 4);
/** The drive's part size and how many parts it keeps in flight (multipart.ts). */
const DRIVE_PART_SIZE = MIN_PART_SIZE;
const DRIVE_CONCURRENCY = PARTS_IN_FLIGHT;

const BUCKET = 'bench';
const CHUNK = 1 * MiB; // what JupyterLab's file browser sends per save

const now = () => performance.now();

// ---------------------------------------------------------------------------
// Results

interface IRow {
  id: string;
  a: string;
  b: string;
  aText: string;
  bText: string;
  ratioText: string;
  target: string;
  ok: '✅' | '❌' | 'ℹ️';
  note?: string;
}

const rows: IRow[] = [];
const results: Record<string, unknown> = {};

function check(condition: unknown, message: string): asserts condition {
  if (!condition) {
    throw new Error(`BROKEN: ${message}`);
  }
}

// ---------------------------------------------------------------------------
// Alternating pairs

type Timed = (round: number) => Promise<number>;

/**
 * Run A and B alternately: one warm-up round (A, B) then `rounds` counted
 * rounds, A first in even rounds and B first in odd ones.
 * Each function returns its own elapsed milliseconds (set-up excluded).
 */
async function alternate(
  label: string,
  a: Timed,
  b: Timed,
  rounds = CFG.rounds
): Promise<{ a: number[]; b: number[] }> {
  const samples = { a: [] as number[], b: [] as number[] };
  await a(-1);
  await b(-1);
  for (let round = 0; round < rounds; round++) {
    const order: ['a' | 'b', Timed][] =
      round % 2 === 0
        ? [
            ['a', a],
            ['b', b]
          ]
        : [
            ['b', b],
            ['a', a]
          ];
    for (const [which, fn] of order) {
      samples[which].push(await fn(round));
    }
    process.stderr.write(
      `  ${label} round ${round + 1}/${rounds}: A ${fmt(samples.a[samples.a.length - 1])} ms, B ${fmt(samples.b[samples.b.length - 1])} ms\n`
    );
  }
  return samples;
}

function timeRow(
  id: string,
  a: string,
  b: string,
  samples: { a: number[]; b: number[] },
  target: number,
  extra: Record<string, unknown> = {}
): { a: ISummary; b: ISummary; ratio: number } {
  const sa = summary(samples.a);
  const sb = summary(samples.b);
  const ratio = sa.median / sb.median;
  rows.push({
    id,
    a,
    b,
    aText: fmtSummary(sa, 'ms'),
    bText: fmtSummary(sb, 'ms'),
    ratioText: `${ratio.toFixed(2)} (time)`,
    target: `≤ ${target}`,
    ok: ratio <= target ? '✅' : '❌'
  });
  results[id] = {
    a,
    b,
    unit: 'ms',
    samples,
    a_summary: sa,
    b_summary: sb,
    ratio_time: ratio,
    target_time_ratio_max: target,
    met: ratio <= target,
    ...extra
  };
  return { a: sa, b: sb, ratio };
}

function throughputRow(
  id: string,
  a: string,
  b: string,
  samples: { a: number[]; b: number[] },
  bytes: number,
  target: number,
  extra: Record<string, unknown> = {}
): void {
  const mbps = (ms: number) => bytes / MiB / (ms / 1000);
  const ta = summary(samples.a.map(mbps));
  const tb = summary(samples.b.map(mbps));
  const ratio = ta.median / tb.median;
  rows.push({
    id,
    a,
    b,
    aText: fmtSummary(ta, 'MiB/s'),
    bText: fmtSummary(tb, 'MiB/s'),
    ratioText: `${ratio.toFixed(2)} (throughput)`,
    target: `≥ ${target}`,
    ok: ratio >= target ? '✅' : '❌'
  });
  results[id] = {
    a,
    b,
    unit: 'ms',
    bytes,
    samples,
    a_throughput_mibps: ta,
    b_throughput_mibps: tb,
    ratio_throughput: ratio,
    target_throughput_ratio_min: target,
    met: ratio >= target,
    ...extra
  };
}

// ---------------------------------------------------------------------------
// Set-up helpers

/** S3 requests sent by the clients made here (retries included). */
let requestCount = 0;

function countRequests(client: S3Client): S3Client {
  client.middlewareStack.add(
    next => async args => {
      requestCount += 1;
      return next(args);
    },
    { step: 'finalizeRequest', name: 'benchRequestCounter' }
  );
  return client;
}

/** Run `fn` and tell how many S3 requests it sent. */
async function counted<T>(fn: () => Promise<T>): Promise<[T, number]> {
  const before = requestCount;
  const value = await fn();
  return [value, requestCount - before];
}

function directClient(endpoint: string): S3Client {
  return createS3Client({
    connector: {
      id: 'bench',
      endpoint,
      region: 'us-east-1',
      backend: 'direct',
      access_key_id: 'bench'
    },
    secretAccessKey: 'bench-secret'
  });
}

function proxyClient(
  jupyter: IJupyter,
  connectorId: string,
  endpoint: string
): S3Client {
  const serverSettings = ServerConnection.makeSettings({
    baseUrl: jupyter.url,
    token: jupyter.token,
    wsUrl: jupyter.url.replace(/^http/, 'ws')
  });
  return createS3Client({
    connector: {
      id: connectorId,
      endpoint,
      region: 'us-east-1',
      backend: 'proxy',
      access_key_id: 'bench'
    },
    serverSettings
  });
}

function makeDrive(client: S3Client): S3Drive {
  return new S3Drive({
    name: 'bench',
    client,
    bucket: BUCKET,
    prefix: '',
    readOnly: false,
    pageSize: CFG.pageSize,
    endpoint: 'bench'
  });
}

async function pool<T>(
  items: T[],
  concurrency: number,
  work: (item: T) => Promise<void>
): Promise<void> {
  let next = 0;
  const worker = async () => {
    while (next < items.length) {
      await work(items[next++]);
    }
  };
  await Promise.all(Array.from({ length: concurrency }, worker));
}

async function populate(s3: S3Client): Promise<void> {
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

// ---------------------------------------------------------------------------
// The benches

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

async function timedDriveList(
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

/** The file browser's chunked upload: 1 MiB base64 chunks, 1, 2, …, -1. */
async function timedDriveUpload(
  drive: S3Drive,
  key: string,
  chunks: string[]
): Promise<number> {
  const name = key.slice(key.lastIndexOf('/') + 1);
  const t0 = now();
  let model: Contents.IModel | undefined;
  for (let i = 0; i < chunks.length; i++) {
    const chunk = i === chunks.length - 1 ? -1 : i + 1;
    model = await drive.save(key, {
      type: 'file',
      format: 'base64',
      name,
      chunk,
      content: chunks[i]
    });
  }
  const ms = now() - t0;
  check(model?.size === CFG.uploadMiB * MiB, `uploaded size ${model?.size}`);
  return ms;
}

/** A raw SDK multipart upload: 5 MiB parts, `concurrency` in flight. */
async function timedRawUpload(
  s3: S3Client,
  key: string,
  data: Buffer,
  concurrency: number
): Promise<number> {
  const t0 = now();
  const { UploadId } = await s3.send(
    new CreateMultipartUploadCommand({ Bucket: BUCKET, Key: key })
  );
  const count = Math.ceil(data.length / DRIVE_PART_SIZE);
  const parts: { ETag?: string; PartNumber: number }[] = [];
  await pool(
    Array.from({ length: count }, (_, i) => i + 1),
    concurrency,
    async partNumber => {
      const body = data.subarray(
        (partNumber - 1) * DRIVE_PART_SIZE,
        partNumber * DRIVE_PART_SIZE
      );
      const answer = await s3.send(
        new UploadPartCommand({
          Bucket: BUCKET,
          Key: key,
          UploadId,
          PartNumber: partNumber,
          Body: body,
          ContentLength: body.length
        })
      );
      parts[partNumber - 1] = { ETag: answer.ETag, PartNumber: partNumber };
    }
  );
  await s3.send(
    new CompleteMultipartUploadCommand({
      Bucket: BUCKET,
      Key: key,
      UploadId,
      MultipartUpload: { Parts: parts }
    })
  );
  return now() - t0;
}

async function etagAndDrop(s3: S3Client, key: string): Promise<string> {
  const head = await s3.send(
    new HeadObjectCommand({ Bucket: BUCKET, Key: key })
  );
  check(
    head.ContentLength === CFG.uploadMiB * MiB,
    `${key} has ${head.ContentLength} bytes`
  );
  await s3.send(new DeleteObjectCommand({ Bucket: BUCKET, Key: key }));
  return head.ETag ?? '';
}

async function timedRawGet(s3: S3Client, key: string, size: number) {
  const t0 = now();
  const answer = await s3.send(
    new GetObjectCommand({ Bucket: BUCKET, Key: key })
  );
  const bytes = await answer.Body!.transformToByteArray();
  const ms = now() - t0;
  check(bytes.length === size, `GetObject gave ${bytes.length} bytes`);
  return ms;
}

async function timedDriveOpen(
  drive: S3Drive,
  path: string,
  format: 'text' | 'base64',
  check1: (model: Contents.IModel) => boolean
) {
  const t0 = now();
  // As the document manager opens a file: its factory's type and format.
  const model = await drive.get(path, { type: 'file', format, content: true });
  const ms = now() - t0;
  check(check1(model), `opened ${path} has the wrong content`);
  return ms;
}

async function headLatency(
  label: string,
  a: S3Client,
  b: S3Client,
  key: string,
  n: number
) {
  const head = async (s3: S3Client) => {
    const t0 = now();
    await s3.send(new HeadObjectCommand({ Bucket: BUCKET, Key: key }));
    return now() - t0;
  };
  for (let i = 0; i < 10; i++) {
    await head(a);
    await head(b);
  }
  const samples = { a: [] as number[], b: [] as number[] };
  for (let i = 0; i < n; i++) {
    if (i % 2 === 0) {
      samples.a.push(await head(a));
      samples.b.push(await head(b));
    } else {
      samples.b.push(await head(b));
      samples.a.push(await head(a));
    }
  }
  const p = (values: number[], q: number) => quantile(values, q);
  const out = {
    a_p50: p(samples.a, 0.5),
    a_p95: p(samples.a, 0.95),
    b_p50: p(samples.b, 0.5),
    b_p95: p(samples.b, 0.95)
  };
  process.stderr.write(`  ${label}: ${JSON.stringify(out)}\n`);
  return { samples, ...out };
}

// ---------------------------------------------------------------------------

async function machine(): Promise<Record<string, unknown>> {
  let python = '';
  try {
    python = execFileSync(path.join(VENV_BIN, 'python'), ['--version'])
      .toString()
      .trim();
  } catch {
    python = 'unknown';
  }
  return {
    cpu: os.cpus()[0]?.model,
    cores: os.cpus().length,
    memory_gib: +(os.totalmem() / 1024 ** 3).toFixed(1),
    os: `${os.type()} ${os.release()} ${os.arch()}`,
    node: process.version,
    python
  };
}

async function main(): Promise<void> {
  const started = now();
  const servers: IServer[] = [];
  let failed = false;
  const stopAll = async () => {
    await Promise.all(servers.map(s => s.stop().catch(() => undefined)));
  };
  process.on('SIGINT', () => {
    void stopAll().then(() => process.exit(130));
  });
  try {
    results.mode = SMOKE ? 'smoke' : 'full';
    results.config = {
      ...CFG,
      chunk: CHUNK,
      drive_part_size: DRIVE_PART_SIZE,
      drive_concurrency: DRIVE_CONCURRENCY,
      raw_concurrency: RAW_CONCURRENCY
    };
    results.machine = await machine();
    const needS3 = [1, 2, 3, 4, 5, 6, 7].some(wants);
    const needProxy = [2, 4, 6, 7].some(wants);
    let moto: IServer | undefined;
    let jupyter: IJupyter | undefined;
    if (needS3) {
      process.stderr.write(
        'Starting moto' + (needProxy ? ' and Jupyter server' : '') + '…\n'
      );
      [moto, jupyter] = await Promise.all([
        startMoto(),
        needProxy ? startJupyter() : Promise.resolve(undefined)
      ]);
      servers.push(moto);
      if (jupyter) {
        servers.push(jupyter);
      }
    }
    if (moto) {
      const s3 = countRequests(directClient(moto.url));
      await s3.send(new CreateBucketCommand({ Bucket: BUCKET }));
      const direct = makeDrive(s3);
      let proxied: S3Drive | undefined;
      let proxyS3: S3Client | undefined;
      if (jupyter) {
        const connector = await createConnector(jupyter, {
          name: 'bench',
          endpoint: moto.url,
          bucket: BUCKET
        });
        proxyS3 = countRequests(proxyClient(jupyter, connector.id, moto.url));
        proxied = makeDrive(proxyS3);
      }

      // -- 1, 2: listing ----------------------------------------------------
      if (wants(1) || wants(2)) {
        await populate(s3);
      }
      if (wants(1)) {
        process.stderr.write(
          `#1 listing of ${CFG.objects} objects, drive vs raw\n`
        );
        const samples = await alternate(
          '#1',
          () => timedDriveList(direct),
          async () => {
            const t0 = now();
            const count = await rawList(s3, 'many/');
            const ms = now() - t0;
            check(count === CFG.objects, `raw listing has ${count}`);
            return ms;
          }
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
          async () => {
            const t0 = now();
            const count = await rawList(s3, 'small/');
            const ms = now() - t0;
            check(count === CFG.smallObjects, `raw listing has ${count}`);
            return ms;
          }
        );
        const [, aSmall] = await counted(() =>
          timedDriveList(direct, 'small', CFG.smallObjects)
        );
        const [, bSmall] = await counted(() => rawList(s3, 'small/'));
        timeRow(
          '1b',
          `S3Drive.get of a folder of ${CFG.smallObjects} objects (direct; ${aSmall} requests)`,
          `raw ListObjectsV2 (${bSmall} request)`,
          small,
          1.15,
          { requests: { a: aSmall, b: bSmall } }
        );
        rows[rows.length - 1].target = '(info) ≤ 1.15';
        if (rows[rows.length - 1].ok === '✅') {
          rows[rows.length - 1].ok = 'ℹ️';
        }
      }
      if (wants(2) && proxied) {
        process.stderr.write(
          `#2 listing of ${CFG.objects} objects, proxy vs direct\n`
        );
        const samples = await alternate(
          '#2',
          () => timedDriveList(proxied!),
          () => timedDriveList(direct)
        );
        timeRow(
          '2',
          `the same listing through the proxy`,
          `the same listing direct`,
          samples,
          1.5
        );
      }

      // -- 3, 4, 7: uploads -------------------------------------------------
      if (wants(3) || wants(4) || wants(7)) {
        const size = CFG.uploadMiB * MiB;
        const data = randomBytes(size);
        const chunks: string[] = [];
        for (let offset = 0; offset < size; offset += CHUNK) {
          chunks.push(data.subarray(offset, offset + CHUNK).toString('base64'));
        }
        let expectedEtag = '';
        const checkEtag = (etag: string, what: string) => {
          // Same bytes, same 5 MiB parts: the same multipart ETag.
          expectedEtag = expectedEtag || etag;
          check(
            etag === expectedEtag,
            `${what} wrote ETag ${etag}, expected ${expectedEtag}`
          );
        };
        let serial = 0;
        const uploadRequests = { drive: 0, raw: 0 };
        const driveUpload = (drive: S3Drive, what: string) => async () => {
          const key = `up/${what}-${serial++}.bin`;
          const [ms, requests] = await counted(() =>
            timedDriveUpload(drive, key, chunks)
          );
          uploadRequests.drive = requests;
          checkEtag(await etagAndDrop(s3, key), what);
          return ms;
        };
        const rawUpload = (concurrency: number) => async () => {
          const key = `up/raw-${serial++}.bin`;
          const [ms, requests] = await counted(() =>
            timedRawUpload(s3, key, data, concurrency)
          );
          uploadRequests.raw = requests;
          checkEtag(await etagAndDrop(s3, key), 'raw');
          return ms;
        };

        if (wants(3)) {
          process.stderr.write(
            `#3 upload of ${CFG.uploadMiB} MiB, drive chunks vs raw multipart\n`
          );
          const samples = await alternate(
            '#3',
            driveUpload(direct, 'drive'),
            rawUpload(RAW_CONCURRENCY)
          );
          throughputRow(
            '3',
            `${CFG.uploadMiB} MiB through the drive's chunked save (1 MiB base64 chunks, direct; ${uploadRequests.drive} requests)`,
            `raw SDK multipart, ${DRIVE_PART_SIZE / MiB} MiB parts × ${RAW_CONCURRENCY} in flight (${uploadRequests.raw} requests)`,
            samples,
            size,
            0.8,
            { requests: { ...uploadRequests } }
          );
          if (!SMOKE || RAW_CONCURRENCY !== 1) {
            // The same baseline with one part in flight.
            process.stderr.write(
              `#3b the same, raw multipart with 1 part in flight\n`
            );
            const serialSamples = await alternate(
              '#3b',
              driveUpload(direct, 'drive'),
              rawUpload(1)
            );
            throughputRow(
              '3b',
              `(the same drive upload)`,
              `raw SDK multipart, ${DRIVE_PART_SIZE / MiB} MiB parts × 1 in flight`,
              serialSamples,
              size,
              0.8
            );
            rows[rows.length - 1].target = '(info)';
            rows[rows.length - 1].ok = 'ℹ️';
          }
        }

        if ((wants(4) || wants(7)) && proxied && jupyter) {
          process.stderr.write(
            `#4 upload of ${CFG.uploadMiB} MiB, proxy vs direct (drive)\n`
          );
          const pid = jupyter.process.pid!;
          const before = memoryOf(pid)!;
          const peaks: number[] = [];
          const proxiedUpload = driveUpload(proxied, 'proxy');
          const samples = await alternate(
            '#4',
            async () => {
              const sampler = sampleMemory(pid, 10);
              try {
                return await proxiedUpload();
              } finally {
                peaks.push(sampler.stop().peakRss);
              }
            },
            driveUpload(direct, 'drive')
          );
          const after = memoryOf(pid)!;
          throughputRow(
            '4',
            `the same upload through the proxy`,
            `the same upload direct`,
            samples,
            size,
            0.7
          );
          const peak = Math.max(...peaks);
          const growth = peak - before.rss;
          const bound = DRIVE_PART_SIZE * DRIVE_CONCURRENCY;
          // "Bounded": far below the upload's size, within a few parts.
          const limit = Math.max(4 * bound, 64 * MiB);
          rows.push({
            id: '7',
            a: `Jupyter server peak RSS − baseline during #4 (${peaks.length} proxied uploads of ${CFG.uploadMiB} MiB)`,
            b: `part size × concurrency = ${fmtBytes(DRIVE_PART_SIZE)} × ${DRIVE_CONCURRENCY}`,
            aText: `${fmtBytes(growth)} (baseline ${fmtBytes(before.rss)}, peak ${fmtBytes(peak)}, VmHWM ${fmtBytes(after.hwm)})`,
            bText: fmtBytes(bound),
            ratioText: (growth / bound).toFixed(2),
            target: `bounded (< ${fmtBytes(limit)})`,
            ok: growth < limit ? '✅' : '❌'
          });
          results['7'] = {
            baseline_rss: before.rss,
            baseline_hwm: before.hwm,
            peak_rss_per_upload: peaks,
            peak_rss: peak,
            growth,
            end_rss: after.rss,
            end_hwm: after.hwm,
            part_size_x_concurrency: bound,
            upload_bytes: size,
            limit,
            met: growth < limit
          };
        }
      }

      // -- 5: opening a file -----------------------------------------------
      if (wants(5)) {
        const size = CFG.openMiB * MiB;
        const line = 'id,value,label,comment\n';
        const text = Buffer.alloc(size, line);
        await s3.send(
          new PutObjectCommand({
            Bucket: BUCKET,
            Key: 'open/data.csv',
            Body: text,
            ContentLength: size
          })
        );
        const binary = randomBytes(size);
        await s3.send(
          new PutObjectCommand({
            Bucket: BUCKET,
            Key: 'open/data.bin',
            Body: binary,
            ContentLength: size
          })
        );
        process.stderr.write(
          `#5 open a ${CFG.openMiB} MiB CSV (text), drive vs raw GetObject\n`
        );
        const samples = await alternate(
          '#5',
          () =>
            timedDriveOpen(
              direct,
              'open/data.csv',
              'text',
              m => (m.content as string).length === size
            ),
          () => timedRawGet(s3, 'open/data.csv', size)
        );
        timeRow(
          '5',
          `S3Drive.get of a ${CFG.openMiB} MiB CSV (text, direct)`,
          `raw GetObject + bytes`,
          samples,
          1.2
        );
        process.stderr.write(
          `#5c open the CSV, drive vs raw GetObject + UTF-8 decoding\n`
        );
        const decoded = await alternate(
          '#5c',
          () =>
            timedDriveOpen(
              direct,
              'open/data.csv',
              'text',
              m => (m.content as string).length === size
            ),
          async () => {
            const t0 = now();
            const answer = await s3.send(
              new GetObjectCommand({ Bucket: BUCKET, Key: 'open/data.csv' })
            );
            const bytes = await answer.Body!.transformToByteArray();
            const text = new TextDecoder('utf-8', { fatal: true }).decode(
              bytes
            );
            const ms = now() - t0;
            check(text.length === size, `decoded ${text.length} characters`);
            return ms;
          }
        );
        timeRow(
          '5c',
          `(the same drive open of the CSV)`,
          `raw GetObject + bytes + strict UTF-8 decode (TextDecoder)`,
          decoded,
          1.2
        );
        rows[rows.length - 1].target = '(info) ≤ 1.2';
        if (rows[rows.length - 1].ok === '✅') {
          rows[rows.length - 1].ok = 'ℹ️';
        }
        process.stderr.write(
          `#5b open a ${CFG.openMiB} MiB binary (base64), drive vs raw GetObject\n`
        );
        const b64 = await alternate(
          '#5b',
          () =>
            timedDriveOpen(
              direct,
              'open/data.bin',
              'base64',
              m => (m.content as string).length === Math.ceil(size / 3) * 4
            ),
          () => timedRawGet(s3, 'open/data.bin', size)
        );
        timeRow(
          '5b',
          `S3Drive.get of a ${CFG.openMiB} MiB binary (base64, direct)`,
          `raw GetObject + bytes`,
          b64,
          1.2
        );
        rows[rows.length - 1].target = '(info) ≤ 1.2';
        if (rows[rows.length - 1].ok === '✅') {
          rows[rows.length - 1].ok = 'ℹ️';
        }
      }

      // -- 6: HeadObject latency -------------------------------------------
      if (wants(6) && proxyS3) {
        await s3.send(
          new PutObjectCommand({
            Bucket: BUCKET,
            Key: 'head/object.txt',
            Body: new TextEncoder().encode('head'),
            ContentLength: 4
          })
        );
        process.stderr.write(
          `#6 HeadObject latency, ${CFG.heads} each, proxy vs direct\n`
        );
        const h = await headLatency(
          '#6',
          proxyS3,
          s3,
          'head/object.txt',
          CFG.heads
        );
        rows.push({
          id: '6',
          a: `HeadObject through the proxy (n=${CFG.heads})`,
          b: `HeadObject direct`,
          aText: `p50 ${fmt(h.a_p50)} ms, p95 ${fmt(h.a_p95)} ms`,
          bText: `p50 ${fmt(h.b_p50)} ms, p95 ${fmt(h.b_p95)} ms`,
          ratioText: `p50 ${(h.a_p50 / h.b_p50).toFixed(2)}, p95 ${(h.a_p95 / h.b_p95).toFixed(2)}`,
          target: 'report',
          ok: 'ℹ️'
        });
        results['6'] = { unit: 'ms', ...h };
      }
      direct.dispose();
      proxied?.dispose();
    }

    // -- 9: what a user does, in Chromium (bench/chromium) -------------------
    if (wants(9)) {
      const chromium = await measureChromium({
        smoke: SMOKE,
        // The smoke run: one round, a 6 MiB file (still several chunks and parts).
        rounds: SMOKE ? 1 : CFG.rounds,
        uploadMiB: SMOKE ? 6 : CFG.uploadMiB,
        objects: CFG.objects,
        alternate: (label, a, b) =>
          alternate(label, a, b, SMOKE ? 1 : CFG.rounds),
        only: process.env.BENCH_CHROMIUM
          ? new Set(process.env.BENCH_CHROMIUM.split(','))
          : undefined
      });
      results['9'] = chromium.config;
      for (const pair of chromium.pairs) {
        if (pair.bytes) {
          throughputRow(
            pair.id,
            pair.a,
            pair.b,
            pair.samples,
            pair.bytes,
            pair.target ?? 0
          );
        } else {
          timeRow(
            pair.id,
            pair.a,
            pair.b,
            pair.samples,
            pair.target ?? Infinity
          );
        }
        const row = rows[rows.length - 1];
        row.note = pair.note;
        if (pair.target === null) {
          row.target = 'report';
          row.ok = 'ℹ️';
        }
      }
    }

    // -- 8: what the browser loads -------------------------------------------
    if (wants(8)) {
      process.stderr.write(
        `#8 extension JS at start-up and the lazy SDK chunk\n`
      );
      const bundle = await measureBundle({ smoke: SMOKE });
      results['8'] = bundle;
      rows.push({
        id: '8',
        a: `extension JS at start-up (${bundle.how})`,
        b: '—',
        aText: `${fmtBytes(bundle.startup.gzip)} gzip (${fmtBytes(bundle.startup.raw)} raw, ${bundle.startup.files.length} files)`,
        bText: '—',
        ratioText: '—',
        target: 'report',
        ok: 'ℹ️',
        note: bundle.note
      });
      rows.push({
        id: '8',
        a: `lazily loaded SDK/drive chunks (${bundle.how})`,
        b: '—',
        aText: bundle.lazy.files.length
          ? `${fmtBytes(bundle.lazy.gzip)} gzip (${fmtBytes(bundle.lazy.raw)} raw, ${bundle.lazy.files.length} files)`
          : 'none found',
        bText: '—',
        ratioText: '—',
        target: 'report',
        ok: 'ℹ️',
        note: bundle.lazyNote
      });
    }
  } catch (error) {
    failed = true;
    console.error(error);
    for (const server of servers) {
      const tail = server.stderr().trim();
      if (tail) {
        console.error(
          `--- stderr of ${server.url} (tail) ---\n${tail.slice(-3000)}`
        );
      }
    }
  } finally {
    await stopAll();
  }

  const seconds = (now() - started) / 1000;
  results.duration_s = seconds;
  results.rows = rows;
  results.finished_at = new Date().toISOString();
  const m = results.machine as Record<string, unknown> | undefined;
  console.log('');
  console.log(
    `## S3 connectors benchmarks (${SMOKE ? 'smoke: tiny sizes, figures meaningless' : 'full'}), ${new Date().toISOString()}`
  );
  if (m) {
    console.log(
      `machine: ${m.cpu}, ${m.cores} cores, ${m.memory_gib} GiB; Node ${m.node}; ${m.python}; ${CFG.rounds} counted rounds after 1 warm-up, A/B alternating`
    );
  }
  console.log('');
  console.log(
    table(
      [
        '#',
        'A (ours)',
        'B (baseline)',
        'A median (min–max)',
        'B median (min–max)',
        'A/B',
        'target',
        ''
      ],
      rows.map(r => [
        r.id,
        r.a,
        r.b,
        r.aText,
        r.bText,
        r.ratioText,
        r.target,
        r.ok
      ])
    )
  );
  for (const r of rows.filter(r => r.note)) {
    console.log(`\n#${r.id}: ${r.note}`);
  }
  console.log(`\nTotal ${seconds.toFixed(1)} s.`);
  // The smoke run's figures mean nothing: keep them out of bench/results.json.
  const out = SMOKE
    ? path.join(os.tmpdir(), 's3c-bench-smoke-results.json')
    : path.join(ROOT, 'bench', 'results.json');
  fs.writeFileSync(out, JSON.stringify(results, null, 2) + '\n');
  console.log(`Raw samples: ${out}`);
  if (failed) {
    console.log('\nBROKEN: see the error above.');
    process.exit(1);
  }
  process.exit(0);
}

void main();
