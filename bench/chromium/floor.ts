/**
 * The floor of the Chromium benchmarks: raw AWS SDK calls made from the page,
 * configured like the extension's direct client (path-style, the connector's
 * region and key, no checksums beyond the required ones, fetch with
 * `cache: 'no-store'`). Bundled with esbuild by `page.ts` and injected into
 * the page, where it is `window.s3cBenchFloor`.
 */
import {
  CompleteMultipartUploadCommand,
  CopyObjectCommand,
  CreateMultipartUploadCommand,
  DeleteObjectsCommand,
  GetObjectCommand,
  ListObjectsV2Command,
  PutObjectCommand,
  S3Client,
  UploadPartCommand
} from '@aws-sdk/client-s3';

export interface IFloorOptions {
  endpoint: string;
  region: string;
  accessKeyId: string;
  secretAccessKey: string;
}

function client(options: IFloorOptions): S3Client {
  return new S3Client({
    region: options.region,
    forcePathStyle: true,
    requestChecksumCalculation: 'WHEN_REQUIRED',
    responseChecksumValidation: 'WHEN_REQUIRED',
    requestHandler: { cache: 'no-store' },
    // The retries of the extension's own client (transport.ts).
    maxAttempts: 4,
    retryMode: 'standard',
    endpoint: options.endpoint,
    credentials: {
      accessKeyId: options.accessKeyId,
      secretAccessKey: options.secretAccessKey
    }
  });
}

let blob: Blob | null = null;

/** An in-memory Blob of `mib` copies of a 1 MiB block (given in base64). */
function makeBlob(blockBase64: string, mib: number): number {
  const raw = atob(blockBase64);
  const block = new Uint8Array(raw.length);
  for (let i = 0; i < raw.length; i++) {
    block[i] = raw.charCodeAt(i);
  }
  blob = new Blob(Array.from({ length: mib }, () => block));
  return blob.size;
}

/** A multipart upload of the Blob, `partSize` parts, `inFlight` at once (ms). */
async function upload(
  options: IFloorOptions,
  bucket: string,
  key: string,
  partSize: number,
  inFlight: number
): Promise<number> {
  const s3 = client(options);
  const body = blob!;
  const t0 = performance.now();
  const { UploadId } = await s3.send(
    new CreateMultipartUploadCommand({ Bucket: bucket, Key: key })
  );
  const count = Math.max(1, Math.ceil(body.size / partSize));
  const etags: string[] = new Array(count);
  let next = 0;
  const worker = async () => {
    while (next < count) {
      const index = next++;
      const part = body.slice(index * partSize, (index + 1) * partSize);
      const answer = await s3.send(
        new UploadPartCommand({
          Bucket: bucket,
          Key: key,
          UploadId,
          PartNumber: index + 1,
          Body: part,
          ContentLength: part.size
        })
      );
      etags[index] = answer.ETag!;
    }
  };
  await Promise.all(Array.from({ length: inFlight }, worker));
  await s3.send(
    new CompleteMultipartUploadCommand({
      Bucket: bucket,
      Key: key,
      UploadId,
      MultipartUpload: {
        Parts: etags.map((ETag, i) => ({ ETag, PartNumber: i + 1 }))
      }
    })
  );
  const ms = performance.now() - t0;
  s3.destroy();
  return ms;
}

/** A ListObjectsV2 loop over a folder (`Delimiter: '/'`): [ms, entries]. */
async function list(
  options: IFloorOptions,
  bucket: string,
  prefix: string
): Promise<[number, number]> {
  const s3 = client(options);
  const t0 = performance.now();
  let count = 0;
  let token: string | undefined;
  do {
    const page = await s3.send(
      new ListObjectsV2Command({
        Bucket: bucket,
        Prefix: prefix,
        Delimiter: '/',
        ContinuationToken: token
      })
    );
    count += (page.Contents?.length ?? 0) + (page.CommonPrefixes?.length ?? 0);
    token = page.IsTruncated ? page.NextContinuationToken : undefined;
  } while (token);
  const ms = performance.now() - t0;
  s3.destroy();
  return [ms, count];
}

/** Let the Blob go. */
function dropBlob(): void {
  blob = null;
}

let body: Blob | null = null;

/** The bytes of a later `put` (given in base64), as a Blob. */
function setBody(base64: string, type: string): number {
  const raw = atob(base64);
  const bytes = new Uint8Array(raw.length);
  for (let i = 0; i < raw.length; i++) {
    bytes[i] = raw.charCodeAt(i);
  }
  body = new Blob([bytes], { type });
  return body.size;
}

/** One `GetObject`, its body read to bytes: [ms, bytes]. */
async function get(
  options: IFloorOptions,
  bucket: string,
  key: string
): Promise<[number, number]> {
  const s3 = client(options);
  const t0 = performance.now();
  const answer = await s3.send(
    new GetObjectCommand({ Bucket: bucket, Key: key })
  );
  const bytes = await answer.Body!.transformToByteArray();
  const ms = performance.now() - t0;
  s3.destroy();
  return [ms, bytes.length];
}

/** One `PutObject` of the bytes given to `setBody` (ms). */
async function put(
  options: IFloorOptions,
  bucket: string,
  key: string
): Promise<number> {
  const s3 = client(options);
  const t0 = performance.now();
  await s3.send(
    new PutObjectCommand({
      Bucket: bucket,
      Key: key,
      Body: body!,
      ContentType: body!.type,
      ContentLength: body!.size
    })
  );
  const ms = performance.now() - t0;
  s3.destroy();
  return ms;
}

/**
 * A folder's rename as S3 allows it: list its keys (`ListObjectsV2`), copy
 * each (`CopyObject`, `inFlight` at once), delete them (`DeleteObjects`, up
 * to 1000 a request): [ms, keys].
 */
async function rename(
  options: IFloorOptions,
  bucket: string,
  from: string,
  to: string,
  inFlight: number
): Promise<[number, number]> {
  const s3 = client(options);
  const t0 = performance.now();
  const keys: string[] = [];
  let token: string | undefined;
  do {
    const page = await s3.send(
      new ListObjectsV2Command({
        Bucket: bucket,
        Prefix: from,
        ContinuationToken: token
      })
    );
    keys.push(...(page.Contents ?? []).map(object => object.Key!));
    token = page.IsTruncated ? page.NextContinuationToken : undefined;
  } while (token);
  let next = 0;
  const worker = async () => {
    while (next < keys.length) {
      const key = keys[next++];
      await s3.send(
        new CopyObjectCommand({
          Bucket: bucket,
          Key: to + key.slice(from.length),
          CopySource: encodeURIComponent(`${bucket}/${key}`)
        })
      );
    }
  };
  await Promise.all(Array.from({ length: inFlight }, worker));
  for (let start = 0; start < keys.length; start += 1000) {
    await s3.send(
      new DeleteObjectsCommand({
        Bucket: bucket,
        Delete: {
          Objects: keys.slice(start, start + 1000).map(Key => ({ Key })),
          Quiet: true
        }
      })
    );
  }
  const ms = performance.now() - t0;
  s3.destroy();
  return [ms, keys.length];
}

(window as unknown as Record<string, unknown>).s3cBenchFloor = {
  makeBlob,
  dropBlob,
  upload,
  list,
  setBody,
  get,
  put,
  rename
};
