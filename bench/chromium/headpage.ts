/* eslint-disable @typescript-eslint/no-explicit-any -- JupyterLab's objects, untyped here */
/**
 * The in-page half of bench 9.11 (`window.s3cBenchHeads`), bundled with
 * esbuild and injected like the floor: `HeadObject` through the drive's own
 * clients (`createS3Client` of `src/drive/transport.ts`), the proxy one with
 * JupyterLab's server settings and the direct one with the connector's key,
 * both sending with the page's `fetch`.
 */
import { HeadObjectCommand, S3Client } from '@aws-sdk/client-s3';

import { createS3Client } from '../../src/drive/transport';
import { interleaved } from '../lib/stats';

export interface IHeadsOptions {
  bucket: string;
  key: string;
  region: string;
  /** The moto endpoint, for both connectors. */
  endpoint: string;
  proxyId: string;
  directId: string;
  accessKeyId: string;
  secretAccessKey: string;
}

let clients: { proxy: S3Client; direct: S3Client } | null = null;

function make(o: IHeadsOptions): { proxy: S3Client; direct: S3Client } {
  if (!clients) {
    const serverSettings = (window as any).jupyterapp.serviceManager
      .serverSettings;
    const connector = {
      endpoint: o.endpoint,
      region: o.region,
      access_key_id: o.accessKeyId
    };
    clients = {
      proxy: createS3Client({
        connector: { ...connector, id: o.proxyId, backend: 'proxy' },
        serverSettings
      }),
      direct: createS3Client({
        connector: { ...connector, id: o.directId, backend: 'direct' },
        secretAccessKey: o.secretAccessKey
      })
    };
  }
  return clients;
}

async function head(s3: S3Client, o: IHeadsOptions): Promise<number> {
  const t0 = performance.now();
  const answer = await s3
    .send(new HeadObjectCommand({ Bucket: o.bucket, Key: o.key }))
    .catch(error => {
      const which = s3 === clients?.proxy ? 'proxy' : 'direct';
      throw new Error(`HeadObject (${which}): ${error}`);
    });
  const ms = performance.now() - t0;
  if (answer.ContentLength === undefined) {
    throw new Error('HeadObject gave no Content-Length');
  }
  return ms;
}

/** `n` HEADs through each client, alternating, unmeasured. */
async function warm(o: IHeadsOptions, n: number): Promise<void> {
  const { proxy, direct } = make(o);
  for (let i = 0; i < n; i++) {
    await head(proxy, o);
    await head(direct, o);
  }
}

/** `n` HEADs through each client, interleaved (`interleaved`): the times (ms). */
function measure(
  o: IHeadsOptions,
  n: number
): Promise<{ a: number[]; b: number[] }> {
  const { proxy, direct } = make(o);
  return interleaved(
    n,
    () => head(proxy, o),
    () => head(direct, o)
  );
}

(window as any).s3cBenchHeads = { warm, measure };
