/**
 * The Node rows' clients and drives: the direct client on moto, the proxy
 * client through the Jupyter server, each with a counter of the S3 requests
 * it sends.
 */
import { S3Client } from '@aws-sdk/client-s3';
import { ServerConnection } from '@jupyterlab/services';

import { createS3Client, S3Drive } from '../../src/drive';
import { BUCKET, CFG } from '../config';
import { IJupyter } from '../lib/servers';

/** What the Node rows share: the servers' clients and drives. */
export interface INodeBench {
  /** The raw client on moto (direct). */
  s3: S3Client;
  /** The drive on `s3`. */
  direct: S3Drive;
  /** The raw client through the proxy, when a Jupyter server runs. */
  proxyS3?: S3Client;
  /** The drive on `proxyS3`. */
  proxied?: S3Drive;
  jupyter?: IJupyter;
}

/** S3 requests sent by the clients made here (retries included). */
let requestCount = 0;

export function countRequests(client: S3Client): S3Client {
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
export async function counted<T>(fn: () => Promise<T>): Promise<[T, number]> {
  const before = requestCount;
  const value = await fn();
  return [value, requestCount - before];
}

export function directClient(endpoint: string): S3Client {
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

export function proxyClient(
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

export function makeDrive(client: S3Client): S3Drive {
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

/** Run `work` on every item, `concurrency` at a time. */
export async function pool<T>(
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
