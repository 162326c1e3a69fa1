/**
 * Rows 10.1–10.5 (issue #11): the mount backends and the kernels' `s3c://`
 * filesystem, each against a baseline measured in the same run.
 *
 * - 10.1, 10.2: the Jupyter server's contents API listing a folder of
 *   `CFG.objects` objects through the s3fs and the rclone mount, against the
 *   drive's listing of the same folder (row 1's A, direct);
 * - 10.3, 10.4: a plain read of a mounted file of `CFG.openMiB` MiB through each
 *   mount, against a raw `GetObject` of the same object;
 * - 10.5: `connector(name).fs.cat(key)` in a Python process (as in a kernel),
 *   against boto3's `GetObject` in the same process (`bench/python/kernel_read.py`).
 *
 * A mount backend that cannot work here (no FUSE, tool missing) is skipped
 * with the server's reason, never a failure.
 */
import {
  GetObjectCommand,
  PutObjectCommand,
  S3Client
} from '@aws-sdk/client-s3';
import { execFile } from 'child_process';
import * as fs from 'fs';
import * as path from 'path';
import { performance } from 'perf_hooks';

import { BUCKET, CFG, SMOKE, wants } from '../config';
import {
  alternate,
  asInformation,
  check,
  rows,
  skippedRow,
  timeRow
} from '../lib/report';
import { api, createConnector, IJupyter, ROOT, VENV_BIN } from '../lib/servers';
import { fmt, MiB } from '../lib/stats';
import { INodeBench } from './clients';
import { populate, timedDriveList } from './listing';

const now = () => performance.now();

/** The object the read rows read (bytes that do not compress). */
const READ_KEY = 'mounts/data.bin';

const BACKENDS = [
  { backend: 's3fs', list: '10.1', read: '10.3' },
  { backend: 'rclone', list: '10.2', read: '10.4' }
];

/** How long one listing through a mount may take before the row gives up on it. */
const LIST_TIMEOUT_MS = SMOKE ? 60_000 : 180_000;

/** A listing that did not finish within `LIST_TIMEOUT_MS`: a result, not a failure. */
class ListingTimeout extends Error {}

async function timedContentsList(
  jupyter: IJupyter,
  folder: string,
  expected: number
): Promise<number> {
  const t0 = now();
  let response: Response;
  try {
    response = await fetch(`${jupyter.url}api/contents/${folder}?content=1`, {
      headers: { Authorization: `token ${jupyter.token}` },
      signal: AbortSignal.timeout(LIST_TIMEOUT_MS)
    });
  } catch (error) {
    if ((error as Error).name === 'TimeoutError') {
      throw new ListingTimeout(
        `GET /api/contents/${folder} did not finish in ${LIST_TIMEOUT_MS / 1000} s`
      );
    }
    throw error;
  }
  const model = (await response.json()) as { content?: unknown[] };
  const ms = now() - t0;
  check(response.ok, `GET /api/contents/${folder}: ${response.status}`);
  check(
    model.content?.length === expected,
    `the contents API lists ${model.content?.length} items in ${folder}, not ${expected}`
  );
  return ms;
}

async function timedFileRead(file: string, size: number): Promise<number> {
  const t0 = now();
  const bytes = await fs.promises.readFile(file);
  const ms = now() - t0;
  check(bytes.length === size, `${file} read ${bytes.length} bytes`);
  return ms;
}

async function timedRawGet(s3: S3Client, size: number): Promise<number> {
  const t0 = now();
  const answer = await s3.send(
    new GetObjectCommand({ Bucket: BUCKET, Key: READ_KEY })
  );
  const bytes = await answer.Body!.transformToByteArray();
  const ms = now() - t0;
  check(bytes.length === size, `GetObject gave ${bytes.length} bytes`);
  return ms;
}

/** Rows of one mount backend: listing (10.1/10.2) and read (10.3/10.4). */
async function benchBackend(
  bench: INodeBench,
  jupyter: IJupyter,
  motoUrl: string,
  ids: (typeof BACKENDS)[number],
  size: number
): Promise<void> {
  const { backend } = ids;
  const name = `bench-${backend}`;
  const t0 = now();
  let connector: { id: string };
  try {
    connector = await createConnector(jupyter, {
      name,
      endpoint: motoUrl,
      bucket: BUCKET,
      backend
    });
  } catch (error) {
    // FUSE can be openable and mounting still refused (a container without the right).
    skipBackend(ids, `mounting failed: ${(error as Error).message}`);
    return;
  }
  process.stderr.write(
    `  ${backend} mounted at s3/${name}/ in ${fmt((now() - t0) / 1000)} s\n`
  );
  try {
    process.stderr.write(
      `#${ids.list} listing of ${CFG.objects} objects, contents API on the ${backend} mount vs the drive\n`
    );
    let firstMs = 0;
    try {
      const listing = await alternate(
        `#${ids.list}`,
        async round => {
          const ms = await timedContentsList(
            jupyter,
            `s3/${name}/many`,
            CFG.objects
          );
          if (round < 0) {
            firstMs = ms;
          }
          return ms;
        },
        () => timedDriveList(bench.direct),
        CFG.rounds
      );
      timeRow(
        ids.list,
        `GET /api/contents/s3/${name}/many (${CFG.objects} objects, ${backend} mount)`,
        `S3Drive.get of the same folder (direct)`,
        listing,
        Number.POSITIVE_INFINITY,
        { first_listing_ms: firstMs }
      );
      // No target in issue #11: these rows report what a mount costs.
      asInformation('report');
      lastRowNote(
        `the first listing after mounting (the warm-up, not counted) took ${fmt(firstMs)} ms`
      );
    } catch (error) {
      if (!(error instanceof ListingTimeout)) {
        throw error;
      }
      process.stderr.write(`  ${error.message}\n`);
      skippedRow(
        ids.list,
        `GET /api/contents/s3/${name}/many (${CFG.objects} objects, ${backend} mount)`,
        `S3Drive.get of the same folder (direct)`,
        error.message
      );
    }

    process.stderr.write(
      `#${ids.read} read of ${CFG.openMiB} MiB through the ${backend} mount vs GetObject\n`
    );
    const file = path.join(jupyter.dir, 's3', name, READ_KEY);
    const read = await alternate(
      `#${ids.read}`,
      () => timedFileRead(file, size),
      () => timedRawGet(bench.s3, size),
      CFG.rounds
    );
    timeRow(
      ids.read,
      `readFile of s3/${name}/${READ_KEY} (${CFG.openMiB} MiB, ${backend} mount)`,
      `raw GetObject of the same object`,
      read,
      Number.POSITIVE_INFINITY
    );
    asInformation('report');
  } finally {
    // Unmount before the server stops: its folder is removed after it.
    await api(
      jupyter,
      'POST',
      `connectors/${connector.id}/deactivate?force=true`
    );
  }
}

/** The rows of a backend that cannot mount here, with the reason. */
function skipBackend(ids: (typeof BACKENDS)[number], reason: string): void {
  process.stderr.write(`#${ids.list}, #${ids.read} skipped: ${reason}\n`);
  skippedRow(
    ids.list,
    `contents API listing, ${ids.backend} mount`,
    'the drive',
    reason
  );
  skippedRow(
    ids.read,
    `read through the ${ids.backend} mount`,
    'GetObject',
    reason
  );
}

/** Add a note to the row just pushed. */
function lastRowNote(note: string): void {
  const row = rows[rows.length - 1];
  row.note = row.note ? `${row.note}; ${note}` : note;
}

/** Row 10.5: `s3c://` against boto3, both in one Python process. */
async function benchKernelRead(
  jupyter: IJupyter,
  connectorName: string,
  size: number
): Promise<void> {
  process.stderr.write(
    `#10.5 s3c:// read of ${CFG.openMiB} MiB vs boto3 GetObject (Python)\n`
  );
  const script = path.join(ROOT, 'bench', 'python', 'kernel_read.py');
  const options = {
    connector: connectorName,
    key: READ_KEY,
    size,
    rounds: CFG.rounds
  };
  const stdout = await new Promise<string>((resolve, reject) => {
    const child = execFile(
      path.join(VENV_BIN, 'python'),
      [script, JSON.stringify(options)],
      {
        // The store as the server names it to the kernels it starts.
        env: {
          ...process.env,
          JUPYTERLAB_S3_CONNECTORS_STORE: path.join(jupyter.dir, 'c.json'),
          JUPYTERLAB_S3_CONNECTORS_KEY_PATH: path.join(jupyter.dir, 'c.key')
        },
        maxBuffer: 1024 * 1024
      },
      (error, out) => (error ? reject(error) : resolve(out))
    );
    child.stderr?.pipe(process.stderr);
  });
  const answer = JSON.parse(stdout) as {
    samples: {
      a: number[];
      b: number[];
      open: number[];
      aiobotocore: number[];
    };
    calls: Record<string, string[]>;
  };
  timeRow(
    '10.5',
    `connector('${connectorName}').fs.cat('${READ_KEY}') (${CFG.openMiB} MiB; S3 calls: ${answer.calls.cat.join(', ')})`,
    `boto3 get_object(...)['Body'].read() of the same object`,
    { a: answer.samples.a, b: answer.samples.b },
    1.2,
    {
      calls: answer.calls,
      fsspec_open_samples: answer.samples.open,
      aiobotocore_samples: answer.samples.aiobotocore
    }
  );
  const median = (values: number[]) =>
    [...values].sort((x, y) => x - y)[Math.floor(values.length / 2)];
  lastRowNote(
    `medians of the same read by fsspec.open('s3c://…').read() ${fmt(median(answer.samples.open))} ms, ` +
      `and by a bare aiobotocore get_object (the transport under c.fs, none of our code) ${fmt(median(answer.samples.aiobotocore))} ms`
  );
}

export async function benchMounts(
  bench: INodeBench,
  motoUrl: string,
  proxyConnector: string
): Promise<void> {
  const { jupyter, s3 } = bench;
  if (!wants(10) || !jupyter) {
    return;
  }
  await populate(s3);
  const size = CFG.openMiB * MiB;
  const body = Buffer.alloc(size);
  for (let i = 0; i < size; i += 4) {
    body.writeUInt32LE((i * 2654435761) >>> 0, i);
  }
  await s3.send(
    new PutObjectCommand({
      Bucket: BUCKET,
      Key: READ_KEY,
      Body: body,
      ContentLength: size
    })
  );
  const info = await api(jupyter, 'GET', 'info');
  for (const ids of BACKENDS) {
    const state = info?.mounts?.backends?.[ids.backend] as
      { available: boolean; problem: string } | undefined;
    if (!state?.available) {
      skipBackend(ids, state?.problem || 'the server reports no mount support');
      continue;
    }
    await benchBackend(bench, jupyter, motoUrl, ids, size);
  }
  await benchKernelRead(jupyter, proxyConnector, size);
}
