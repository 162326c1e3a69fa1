/**
 * Rows 3, 3b, 4 and 7: a large upload through the drive's chunked save (as
 * JupyterLab's file browser sends it) against a raw SDK multipart upload, the
 * same through the proxy against direct, and the Jupyter server's memory
 * meanwhile.
 */
import {
  CompleteMultipartUploadCommand,
  CreateMultipartUploadCommand,
  DeleteObjectCommand,
  HeadObjectCommand,
  S3Client,
  UploadPartCommand
} from '@aws-sdk/client-s3';
import { Contents } from '@jupyterlab/services';
import { randomBytes } from 'crypto';
import { performance } from 'perf_hooks';

import { S3Drive } from '../../src/drive';
import {
  BUCKET,
  CFG,
  CHUNK,
  DRIVE_CONCURRENCY,
  DRIVE_PART_SIZE,
  RAW_CONCURRENCY,
  SMOKE,
  wants
} from '../config';
import {
  alternate,
  asInformation,
  check,
  results,
  rows,
  throughputRow
} from '../lib/report';
import { memoryOf, sampleMemory } from '../lib/servers';
import { fmtBytes, MiB } from '../lib/stats';
import { counted, INodeBench, pool } from './clients';

const now = () => performance.now();

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

export async function benchUploads(bench: INodeBench): Promise<void> {
  if (!wants(3) && !wants(4) && !wants(7)) {
    return;
  }
  const { s3, direct, proxied, jupyter } = bench;
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
      rawUpload(RAW_CONCURRENCY),
      CFG.rounds
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
        rawUpload(1),
        CFG.rounds
      );
      throughputRow(
        '3b',
        `(the same drive upload)`,
        `raw SDK multipart, ${DRIVE_PART_SIZE / MiB} MiB parts × 1 in flight`,
        serialSamples,
        size,
        0.8
      );
      asInformation('(info)');
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
      driveUpload(direct, 'drive'),
      CFG.rounds
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
