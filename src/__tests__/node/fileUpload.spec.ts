/**
 * Uploads of a whole file (`S3Drive.uploadFile`), as the bucket browsers send
 * the `File` of the upload button or of a drop: parts read from the blob as
 * they are sent, the drive's write conditions, and nothing left behind on a
 * failure or a cancel. Against moto and s3rver.
 */
import { ListMultipartUploadsCommand, S3Client } from '@aws-sdk/client-s3';

import { MIN_PART_SIZE, partSizeFor, S3Drive } from '../../drive';
import {
  allKeys,
  client,
  makeBucket,
  makeDrive,
  put,
  randomBytes,
  rawClient,
  read,
  recordChanges,
  servers
} from './helpers';

const MiB = 1024 * 1024;

/** A blob of bytes. */
function blobOf(bytes: Uint8Array): Blob {
  return new Blob([bytes.slice().buffer as ArrayBuffer]);
}

/** A blob that records which byte ranges were read from it, and when. */
class RecordingBlob extends Blob {
  constructor(
    bytes: Uint8Array,
    readonly reads: { start: number; end: number }[] = []
  ) {
    super([bytes.slice().buffer as ArrayBuffer]);
  }

  slice(start?: number, end?: number, contentType?: string): Blob {
    this.reads.push({ start: start ?? 0, end: end ?? this.size });
    return super.slice(start, end, contentType);
  }
}

/**
 * Whether an object holds exactly these bytes (compared as buffers: jest's
 * deep equality is far too slow for megabytes).
 */
async function sameBytes(
  s3: S3Client,
  bucket: string,
  key: string,
  bytes: Uint8Array
): Promise<boolean> {
  const stored = await read(s3, bucket, key);
  return stored !== null && Buffer.from(stored).equals(Buffer.from(bytes));
}

/** The multipart uploads still pending in a bucket. */
async function pendingUploads(s3: S3Client, bucket: string): Promise<number> {
  const answer = await s3.send(
    new ListMultipartUploadsCommand({ Bucket: bucket })
  );
  return answer.Uploads?.length ?? 0;
}

/** A client that counts the parts in flight, and can fail one part. */
function partsClient(
  endpoint: string,
  key: string,
  options: { failPart?: number; fetch?: boolean } = {}
) {
  const s3 = client(endpoint, 1, { key, fetch: options.fetch });
  const stats = { inFlight: 0, most: 0, parts: 0, blobBodies: 0 };
  s3.middlewareStack.add(
    (next, context) => async args => {
      if (context.commandName !== 'UploadPartCommand') {
        return next(args);
      }
      stats.parts += 1;
      if ((args.input as { Body?: unknown }).Body instanceof Blob) {
        stats.blobBodies += 1;
      }
      stats.inFlight += 1;
      stats.most = Math.max(stats.most, stats.inFlight);
      try {
        const input = args.input as { PartNumber?: number };
        if (input.PartNumber === options.failPart) {
          throw Object.assign(new Error('We encountered an internal error.'), {
            name: 'InternalError',
            $metadata: { httpStatusCode: 500 }
          });
        }
        return await next(args);
      } finally {
        stats.inFlight -= 1;
      }
    },
    { step: 'initialize', name: 'countParts' }
  );
  return { s3, stats };
}

describe.each(servers().map(server => [server.name, server] as const))(
  'uploadFile on %s',
  (name, server) => {
    const raw = rawClient(server.endpoint, server.key);
    let bucket: string;
    let drive: S3Drive;

    beforeEach(async () => {
      bucket = await makeBucket(raw);
    });

    afterEach(() => {
      drive?.dispose();
    });

    it('sends a large file in parts read from the blob, several at once', async () => {
      const { s3, stats } = partsClient(server.endpoint, server.key);
      drive = makeDrive(s3, bucket);
      const changes = recordChanges(drive);
      const bytes = randomBytes(12 * MiB + 123);
      const blob = new RecordingBlob(bytes);
      const progress: number[] = [];
      const model = await drive.uploadFile('data/big.bin', blob, {
        onProgress: loaded => progress.push(loaded)
      });
      expect(model.path).toBe('data/big.bin');
      expect(model.size).toBe(bytes.length);
      expect(await sameBytes(raw, bucket, 'data/big.bin', bytes)).toBe(true);
      // 5 + 5 + 2 MiB: three parts, each read once, in order.
      expect(stats.parts).toBe(3);
      expect(blob.reads.map(r => r.start)).toEqual([0, 5 * MiB, 10 * MiB]);
      expect(stats.most).toBeGreaterThan(1);
      expect(progress[0]).toBe(0);
      expect(progress[progress.length - 1]).toBe(bytes.length);
      expect(changes.map(change => change.type)).toEqual(['save']);
      if (name === 'moto') {
        expect(await pendingUploads(raw, bucket)).toBe(0);
      }
    });

    it('sends the slices of the file themselves where the client uses fetch', async () => {
      const { s3, stats } = partsClient(server.endpoint, server.key, {
        fetch: true
      });
      drive = makeDrive(s3, bucket);
      const bytes = randomBytes(11 * MiB + 5);
      const blob = new RecordingBlob(bytes);
      await drive.uploadFile('sliced.bin', blob);
      expect(await sameBytes(raw, bucket, 'sliced.bin', bytes)).toBe(true);
      expect(stats.parts).toBe(3);
      expect(stats.blobBodies).toBe(3);
      expect(blob.reads.map(r => r.start)).toEqual([0, 5 * MiB, 10 * MiB]);
      if (name === 'moto') {
        expect(await pendingUploads(raw, bucket)).toBe(0);
      }
    });

    it('writes a small file with one PutObject', async () => {
      const { s3, stats } = partsClient(server.endpoint, server.key);
      drive = makeDrive(s3, bucket);
      const bytes = randomBytes(1000);
      await drive.uploadFile('small.bin', blobOf(bytes));
      expect(stats.parts).toBe(0);
      expect(await sameBytes(raw, bucket, 'small.bin', bytes)).toBe(true);
    });

    it('never reads more than the parts in flight ahead of the parts sent', async () => {
      const { s3 } = partsClient(server.endpoint, server.key);
      drive = makeDrive(s3, bucket);
      const blob = new RecordingBlob(randomBytes(31 * MiB));
      const sentWhenRead: number[] = [];
      let uploaded = 0;
      s3.middlewareStack.add(
        next => async args => {
          const result = await next(args);
          if ((args.input as { PartNumber?: number }).PartNumber) {
            uploaded += 1;
          }
          return result;
        },
        { step: 'initialize', name: 'countDone', priority: 'low' }
      );
      const original = blob.slice.bind(blob);
      blob.slice = (start?: number, end?: number) => {
        sentWhenRead.push(blob.reads.length - uploaded);
        return original(start, end);
      };
      await drive.uploadFile('bounded.bin', blob, { partsInFlight: 2 });
      // Parts read but not yet uploaded, at each read: at most the parts in
      // flight plus the one being read.
      expect(Math.max(...sentWhenRead)).toBeLessThanOrEqual(3);
      expect(blob.reads.length).toBe(7);
    });

    it('does not overwrite an object changed since the drive listed it', async () => {
      drive = makeDrive(
        client(server.endpoint, 1, { key: server.key }),
        bucket
      );
      await put(raw, bucket, 'shared.csv', 'v1');
      await drive.get('', { content: true });
      await put(raw, bucket, 'shared.csv', 'another writer');
      await expect(
        drive.uploadFile('shared.csv', blobOf(randomBytes(11 * MiB)))
      ).rejects.toMatchObject({ status: 409 });
      expect(
        new TextDecoder().decode((await read(raw, bucket, 'shared.csv'))!)
      ).toBe('another writer');
      if (name === 'moto') {
        expect(await pendingUploads(raw, bucket)).toBe(0);
      }
    });

    it('creates only what does not exist when it knows of no object', async () => {
      drive = makeDrive(
        client(server.endpoint, 1, { key: server.key }),
        bucket
      );
      await put(raw, bucket, 'late.txt', 'someone else first');
      await expect(
        drive.uploadFile('late.txt', new Blob(['mine']))
      ).rejects.toMatchObject({ status: 409 });
      expect(
        new TextDecoder().decode((await read(raw, bucket, 'late.txt'))!)
      ).toBe('someone else first');
    });

    it('leaves nothing behind when a part fails', async () => {
      const { s3 } = partsClient(server.endpoint, server.key, { failPart: 2 });
      drive = makeDrive(s3, bucket);
      await expect(
        drive.uploadFile('broken.bin', blobOf(randomBytes(16 * MiB)))
      ).rejects.toBeTruthy();
      expect(await allKeys(raw, bucket)).toEqual([]);
      if (name === 'moto') {
        expect(await pendingUploads(raw, bucket)).toBe(0);
      }
    });

    it('leaves nothing behind when the user cancels', async () => {
      drive = makeDrive(
        client(server.endpoint, 1, { key: server.key }),
        bucket
      );
      const controller = new AbortController();
      await expect(
        drive.uploadFile('cancelled.bin', blobOf(randomBytes(26 * MiB)), {
          signal: controller.signal,
          onProgress: loaded => {
            if (loaded >= 10 * MiB) {
              controller.abort();
            }
          }
        })
      ).rejects.toMatchObject({ code: 'UploadCancelled' });
      expect(await allKeys(raw, bucket)).toEqual([]);
      if (name === 'moto') {
        expect(await pendingUploads(raw, bucket)).toBe(0);
      }
    });

    it('aborts the upload when the drive is disposed (deactivated)', async () => {
      drive = makeDrive(
        client(server.endpoint, 1, { key: server.key }),
        bucket
      );
      const pending = drive.uploadFile(
        'gone.bin',
        blobOf(randomBytes(21 * MiB)),
        {
          onProgress: loaded => {
            if (loaded >= 5 * MiB) {
              drive.dispose();
            }
          }
        }
      );
      await expect(pending).rejects.toMatchObject({ code: 'UploadCancelled' });
      expect(await allKeys(raw, bucket)).toEqual([]);
      if (name === 'moto') {
        expect(await pendingUploads(raw, bucket)).toBe(0);
      }
    });

    it('is refused by a read-only drive without a request', async () => {
      const { s3, stats } = partsClient(server.endpoint, server.key);
      drive = makeDrive(s3, bucket, { readOnly: true });
      await expect(
        drive.uploadFile('ro.bin', new Blob(['x']))
      ).rejects.toMatchObject({ code: 'ReadOnly', status: 403 });
      expect(stats.parts).toBe(0);
      expect(await allKeys(raw, bucket)).toEqual([]);
    });
  }
);

describe('partSizeFor', () => {
  it('keeps a file within 10,000 parts', () => {
    expect(partSizeFor(10 * MiB)).toBe(MIN_PART_SIZE);
    const huge = 100 * 1024 * MiB;
    expect(Math.ceil(huge / partSizeFor(huge))).toBeLessThanOrEqual(10000);
  });
});
