/**
 * Shared set-up of the drive tests: buckets on the moto servers started by
 * globalSetup, and drives on them.
 */
import {
  CreateBucketCommand,
  GetObjectCommand,
  ListObjectsV2Command,
  PutBucketVersioningCommand,
  PutObjectCommand,
  S3Client
} from '@aws-sdk/client-s3';
import { Contents } from '@jupyterlab/services';

import { createS3Client, S3Drive } from '../../drive';
import { decodeListed } from '../../drive/bucket';

/** The main moto server. */
export function endpoint(): string {
  const value = process.env.S3_TEST_ENDPOINT;
  if (!value) {
    throw new Error(
      'S3_TEST_ENDPOINT is not set: run jest with the node project'
    );
  }
  return value;
}

/** The moto server that lists 3 keys a page. */
export function pagedEndpoint(): string {
  return process.env.S3_TEST_PAGED_ENDPOINT ?? endpoint();
}

/** A direct-transport client on a moto server. */
export function client(
  url = endpoint(),
  maxAttempts?: number,
  options: { fetch?: boolean; key?: string } = {}
): S3Client {
  return createS3Client({
    connector: {
      id: 'test',
      endpoint: url,
      region: 'us-east-1',
      backend: 'direct',
      access_key_id: options.key ?? 'testing'
    },
    secretAccessKey: options.key ?? 'testing',
    maxAttempts,
    fetch: options.fetch
  });
}

/**
 * A plain SDK client, without the drive's transport: what another program
 * writing to the bucket would use (it can write keys a browser can't send).
 */
export function rawClient(url = endpoint(), key = 'testing'): S3Client {
  return new S3Client({
    endpoint: url,
    region: 'us-east-1',
    forcePathStyle: true,
    credentials: { accessKeyId: key, secretAccessKey: key },
    requestChecksumCalculation: 'WHEN_REQUIRED',
    responseChecksumValidation: 'WHEN_REQUIRED'
  });
}

/** An S3 server of the tests and what it can do. */
export interface IServer {
  name: string;
  endpoint: string;
  /** Its access key (s3rver has its own account). */
  key: string;
  /** Whether it checks If-Match / If-None-Match on writes. */
  conditional: boolean;
  /** Whether it can store `.` and `..` key segments (s3rver can't: files). */
  dotSegments: boolean;
  /** Whether it honours `encoding-type=url`. */
  urlEncoding: boolean;
}

/** The S3 servers the drive's promises are checked against. */
export function servers(): IServer[] {
  const list: IServer[] = [
    {
      name: 'moto',
      endpoint: endpoint(),
      key: 'testing',
      conditional: true,
      dotSegments: true,
      urlEncoding: true
    }
  ];
  const s3rver = process.env.S3RVER_TEST_ENDPOINT;
  if (!s3rver) {
    throw new Error('S3RVER_TEST_ENDPOINT is not set: see globalSetup.ts');
  }
  list.push({
    name: 's3rver',
    endpoint: s3rver,
    key: 'S3RVER',
    conditional: false,
    dotSegments: false,
    urlEncoding: false
  });
  return list;
}

let counter = 0;

/** Create a bucket with a unique name. */
export async function makeBucket(
  s3: S3Client,
  options: { versioned?: boolean } = {}
): Promise<string> {
  counter += 1;
  const bucket = `test-${process.pid}-${Date.now().toString(36)}-${counter}`;
  await s3.send(new CreateBucketCommand({ Bucket: bucket }));
  if (options.versioned) {
    await s3.send(
      new PutBucketVersioningCommand({
        Bucket: bucket,
        VersioningConfiguration: { Status: 'Enabled' }
      })
    );
  }
  return bucket;
}

/** A drive on a bucket. */
export function makeDrive(
  s3: S3Client,
  bucket: string,
  options: Partial<S3Drive.IOptions> = {}
): S3Drive {
  return new S3Drive({
    name: 'testdrive',
    client: s3,
    bucket,
    prefix: '',
    readOnly: false,
    ...options
  });
}

/** Write an object behind the drive's back. */
export async function put(
  s3: S3Client,
  bucket: string,
  key: string,
  body: string | Uint8Array = ''
): Promise<string | undefined> {
  const bytes =
    typeof body === 'string' ? new TextEncoder().encode(body) : body;
  const answer = await s3.send(
    new PutObjectCommand({
      Bucket: bucket,
      Key: key,
      Body: bytes,
      ContentLength: bytes.length
    })
  );
  return answer.ETag;
}

/** Read an object's bytes, or null when it is missing. */
export async function read(
  s3: S3Client,
  bucket: string,
  key: string
): Promise<Uint8Array | null> {
  try {
    const answer = await s3.send(
      new GetObjectCommand({ Bucket: bucket, Key: key })
    );
    return await answer.Body!.transformToByteArray();
  } catch (error: any) {
    if (error.name === 'NoSuchKey') {
      return null;
    }
    throw error;
  }
}

/** Read an object as text, or null when it is missing. */
export async function readText(
  s3: S3Client,
  bucket: string,
  key: string
): Promise<string | null> {
  const bytes = await read(s3, bucket, key);
  return bytes === null ? null : new TextDecoder().decode(bytes);
}

/** Every key of a bucket, sorted. */
export async function allKeys(s3: S3Client, bucket: string): Promise<string[]> {
  const keys: string[] = [];
  let token: string | undefined;
  do {
    const page = await s3.send(
      new ListObjectsV2Command({
        Bucket: bucket,
        ContinuationToken: token,
        EncodingType: 'url'
      })
    );
    const encoded = page.EncodingType === 'url';
    keys.push(...(page.Contents ?? []).map(o => decodeListed(o.Key!, encoded)));
    token = page.IsTruncated ? page.NextContinuationToken : undefined;
  } while (token);
  return keys.sort();
}

/** The names of a directory listing, sorted. */
export function names(model: Contents.IModel): string[] {
  return (model.content as Contents.IModel[]).map(m => m.name).sort();
}

/** The child of a listing with a name. */
export function child(model: Contents.IModel, name: string): Contents.IModel {
  const found = (model.content as Contents.IModel[]).find(m => m.name === name);
  if (!found) {
    throw new Error(`no "${name}" in ${JSON.stringify(names(model))}`);
  }
  return found;
}

/** Collect the fileChanged emissions of a drive. */
export function recordChanges(drive: S3Drive): Contents.IChangedArgs[] {
  const changes: Contents.IChangedArgs[] = [];
  drive.fileChanged.connect((_, change) => {
    changes.push(change);
  });
  return changes;
}

/** Deterministic pseudo-random bytes. */
export function randomBytes(size: number, seed = 1): Uint8Array {
  const bytes = new Uint8Array(size);
  let x = seed;
  for (let i = 0; i < size; i++) {
    x = (x * 1103515245 + 12345) & 0x7fffffff;
    bytes[i] = x >> 16;
  }
  return bytes;
}
