import * as http from 'http';
import { AddressInfo } from 'net';

import {
  DeleteObjectCommand,
  GetObjectCommand,
  HeadObjectCommand,
  ListObjectsV2Command,
  PutObjectCommand
} from '@aws-sdk/client-s3';
import { ServerConnection } from '@jupyterlab/services';

import {
  createDownloadUrl,
  createS3Client,
  directRequestInit,
  S3Drive
} from '../../drive';
import { client, makeBucket, makeDrive, servers as s3Servers } from './helpers';
import { freePort } from './moto';

interface IRecorded {
  method: string;
  url: string;
  headers: http.IncomingHttpHeaders;
}

/** The fake servers of the running test, closed after it. */
const servers: http.Server[] = [];

afterEach(async () => {
  const open = servers.splice(0);
  await Promise.all(
    open.map(
      server =>
        new Promise<void>(resolve => {
          server.closeAllConnections();
          server.close(() => resolve());
        })
    )
  );
});

/**
 * A local HTTP server answering every request with a fixed S3 answer.
 */
async function fakeS3(
  status: number,
  body: string
): Promise<{ url: string; requests: IRecorded[]; close: () => Promise<void> }> {
  const requests: IRecorded[] = [];
  const server = http.createServer((request, response) => {
    requests.push({
      method: request.method ?? '',
      url: request.url ?? '',
      headers: request.headers
    });
    request.resume();
    request.on('end', () => {
      response.writeHead(status, { 'Content-Type': 'application/xml' });
      response.end(body);
    });
  });
  servers.push(server);
  await new Promise<void>(resolve => server.listen(0, '127.0.0.1', resolve));
  const port = (server.address() as AddressInfo).port;
  return {
    url: `http://127.0.0.1:${port}`,
    requests,
    close: () =>
      new Promise<void>(resolve => {
        server.closeAllConnections();
        server.close(() => resolve());
      })
  };
}

const EMPTY_LISTING =
  '<?xml version="1.0" encoding="UTF-8"?><ListBucketResult><Name>bucket</Name>' +
  '<Prefix></Prefix><KeyCount>0</KeyCount><MaxKeys>1000</MaxKeys>' +
  '<IsTruncated>false</IsTruncated></ListBucketResult>';

function s3Error(code: string, message: string): string {
  return (
    `<?xml version="1.0" encoding="UTF-8"?><Error><Code>${code}</Code>` +
    `<Message>${message}</Message><RequestId>1</RequestId></Error>`
  );
}

describe('errors a user can act on', () => {
  it('says the bucket could not be reached when the endpoint is down', async () => {
    const port = await freePort();
    const endpoint = `http://127.0.0.1:${port}`;
    const drive = makeDrive(client(endpoint, 2), 'bucket');
    const error = await drive.get('').catch(e => e);
    expect(error.message).toBe(
      `The bucket could not be reached at ${endpoint}: check that the S3 service is running, then try again.`
    );
    expect(error.code).toBe('NetworkError');
    expect(error.message).not.toContain('testing'); // no key in messages
    drive.dispose();
  });

  it('tells to edit the access key on InvalidAccessKeyId', async () => {
    const server = await fakeS3(
      403,
      s3Error(
        'InvalidAccessKeyId',
        'The AWS Access Key Id you provided does not exist.'
      )
    );
    const drive = makeDrive(client(server.url, 2), 'bucket');
    const error = await drive.get('').catch(e => e);
    expect(error.code).toBe('InvalidAccessKeyId');
    expect(error.message).toMatch(/edit the connector's access key/);
    expect(error.response.status).toBe(403);
    expect(server.requests).toHaveLength(1); // not retried
    drive.dispose();
    await server.close();
  });

  it('retries SlowDown with backoff, then says so', async () => {
    const server = await fakeS3(
      503,
      s3Error('SlowDown', 'Please reduce your request rate.')
    );
    const drive = makeDrive(client(server.url, 3), 'bucket');
    const error = await drive.get('').catch(e => e);
    expect(server.requests).toHaveLength(3);
    expect(error.code).toBe('SlowDown');
    expect(error.message).toMatch(/overloaded \(SlowDown\).*3 attempts/);
    drive.dispose();
    await server.close();
  });

  it('explains a missing bucket', async () => {
    const drive = makeDrive(client(), 'no-such-bucket-here');
    await expect(drive.get('')).rejects.toMatchObject({
      code: 'NoSuchBucket',
      message: /does not exist/
    });
    drive.dispose();
  });
});

describe('proxy transport', () => {
  afterEach(() => {
    delete (globalThis as any).document;
  });

  it('goes through the Jupyter server with its token and XSRF cookie', async () => {
    const server = await fakeS3(200, EMPTY_LISTING);
    const serverSettings = ServerConnection.makeSettings({
      baseUrl: `${server.url}/base/`,
      token: 'the-token'
    });
    // The page's cookies, as the browser shows them to scripts.
    (globalThis as any).document = { cookie: 'other=1; _xsrf=xsrf-value' };
    const connector = {
      id: '4f1c-id',
      endpoint: 'http://s3.internal:9000',
      region: 'us-east-1',
      backend: 'proxy' as const,
      access_key_id: 'AKIDEXAMPLE'
    };
    const s3 = createS3Client({ connector, serverSettings });
    await s3.send(
      new ListObjectsV2Command({ Bucket: 'my-bucket', Delimiter: '/' })
    );
    expect(server.requests).toHaveLength(1);
    const [request] = server.requests;
    expect(request.url).toMatch(
      /^\/base\/s3-connectors\/proxy\/4f1c-id\/my-bucket\/?\?.*list-type=2/
    );
    expect(request.headers['authorization']).toBe('token the-token');
    expect(request.headers['x-xsrftoken']).toBe('xsrf-value');
    expect(request.headers['x-amz-date']).toBeUndefined();
    expect(request.headers['x-amz-content-sha256']).toBeUndefined();
    expect(JSON.stringify(request.headers)).not.toContain('AKIDEXAMPLE');

    // A drive on it lists through the proxy too; keys are percent-encoded.
    delete (globalThis as any).document;
    const drive = new S3Drive({
      name: 'proxied',
      client: s3,
      bucket: 'my-bucket',
      prefix: '',
      readOnly: false,
      serverSettings
    });
    await drive.get('');
    drive.dispose();

    const download = createDownloadUrl(
      { connector, serverSettings },
      s3,
      'my-bucket'
    );
    expect(await download('dir/a b#?.txt')).toBe(
      `${server.url}/base/s3-connectors/proxy/4f1c-id/my-bucket/dir/a%20b%23%3F.txt`
    );
    await server.close();
  });

  it('sends no authorization without a token', async () => {
    const server = await fakeS3(200, EMPTY_LISTING);
    const s3 = createS3Client({
      connector: {
        id: 'abc',
        endpoint: 'http://unused',
        region: '',
        backend: 'proxy',
        access_key_id: 'AKID'
      },
      serverSettings: ServerConnection.makeSettings({
        baseUrl: `${server.url}/`,
        token: ''
      })
    });
    await s3.send(new ListObjectsV2Command({ Bucket: 'b' }));
    expect(server.requests[0].headers['authorization']).toBeUndefined();
    expect(server.requests[0].headers['x-xsrftoken']).toBeUndefined();
    await server.close();
  });

  it('presigns direct downloads', async () => {
    const s3 = client();
    const url = await createDownloadUrl(
      {
        connector: {
          id: 'x',
          endpoint: 'http://127.0.0.1:1',
          region: 'us-east-1',
          backend: 'direct',
          access_key_id: 'testing'
        },
        secretAccessKey: 'testing'
      },
      s3,
      'bucket'
    )('a/b c.txt');
    expect(url).toContain('/bucket/a/b%20c.txt?');
    expect(url).toContain('X-Amz-Signature=');
    expect(url).toContain('response-content-disposition=attachment');
  });
});

describe("the direct transport and the browser's caches", () => {
  const request = (method: string) => ({
    method,
    protocol: 'http:',
    hostname: '127.0.0.1',
    path: '/bucket/key',
    query: {},
    headers: { authorization: 'AWS4-HMAC-SHA256 …', 'x-amz-date': 'now' }
  });

  it('reads bypass the HTTP cache and are never stored', () => {
    expect(directRequestInit(request('GET'))).toEqual({ cache: 'no-store' });
  });

  it('a HEAD reaches S3 (no-cache) in the mode that keeps its preflight', () => {
    expect(directRequestInit(request('HEAD'))).toEqual({
      cache: 'default',
      // Its own signed headers, and no-cache.
      headers: {
        authorization: 'AWS4-HMAC-SHA256 …',
        'x-amz-date': 'now',
        'cache-control': 'no-cache'
      }
    });
  });

  it('writes keep the default mode (never cached, preflight kept)', () => {
    for (const method of ['PUT', 'POST', 'DELETE']) {
      expect(directRequestInit(request(method))).toEqual({ cache: 'default' });
    }
  });

  it('each request goes out as described, and the servers take it', async () => {
    // s3rver checks signatures: the unsigned Cache-Control of a HEAD passes.
    for (const server of s3Servers()) {
      const s3 = client(server.endpoint, 1, { fetch: true, key: server.key });
      const bucket = await makeBucket(s3);
      const sent: { method: string; cacheControl?: string }[] = [];
      const realFetch = globalThis.fetch;
      const spy = jest
        .spyOn(globalThis, 'fetch')
        .mockImplementation(async (input, init) => {
          const asked = input as Request;
          sent.push({
            method: asked.method,
            cacheControl: asked.headers.get('cache-control') ?? undefined
          });
          return realFetch(input, init);
        });
      try {
        await s3.send(
          new PutObjectCommand({ Bucket: bucket, Key: 'k.txt', Body: 'v1' })
        );
        const head = await s3.send(
          new HeadObjectCommand({ Bucket: bucket, Key: 'k.txt' })
        );
        expect(head.ContentLength).toBe(2);
        const got = await s3.send(
          new GetObjectCommand({ Bucket: bucket, Key: 'k.txt' })
        );
        expect(await got.Body!.transformToString()).toBe('v1');
        await s3.send(
          new DeleteObjectCommand({ Bucket: bucket, Key: 'k.txt' })
        );
      } finally {
        spy.mockRestore();
      }
      expect(sent).toEqual([
        { method: 'PUT', cacheControl: undefined },
        { method: 'HEAD', cacheControl: 'no-cache' },
        { method: 'GET', cacheControl: undefined },
        { method: 'DELETE', cacheControl: undefined }
      ]);
    }
  });
});
