/**
 * Row 6: the latency of `HeadObject` through the proxy against direct,
 * interleaved.
 */
import {
  HeadObjectCommand,
  PutObjectCommand,
  S3Client
} from '@aws-sdk/client-s3';
import { performance } from 'perf_hooks';

import { BUCKET, CFG, wants } from '../config';
import { results, rows } from '../lib/report';
import { fmt, interleaved, quantile } from '../lib/stats';
import { INodeBench } from './clients';

const now = () => performance.now();

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
  const samples = await interleaved(
    n,
    () => head(a),
    () => head(b)
  );
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

export async function benchHead(bench: INodeBench): Promise<void> {
  const { s3, proxyS3 } = bench;
  if (!wants(6) || !proxyS3) {
    return;
  }
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
  const h = await headLatency('#6', proxyS3, s3, 'head/object.txt', CFG.heads);
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
