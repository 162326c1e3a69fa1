import {
  AbortMultipartUploadCommand,
  ListMultipartUploadsCommand,
  S3Client,
  UploadPartCommand
} from '@aws-sdk/client-s3';

import { PARTS_IN_FLIGHT, S3Drive } from '../../drive';
import { UPLOAD_IDLE_TIMEOUT } from '../../drive/uploads';
import {
  allKeys,
  client,
  makeBucket,
  makeDrive,
  put,
  randomBytes,
  read,
  recordChanges
} from './helpers';

/** JupyterLab's file browser chunk size. */
const CHUNK_SIZE = 1024 * 1024;

/**
 * Upload bytes as JupyterLab's file browser does: base64 chunks of 1 MiB
 * numbered 1, 2, … and -1 for the last.
 */
async function uploadLikeFileBrowser(
  drive: S3Drive,
  path: string,
  bytes: Uint8Array,
  corrupt?: number
) {
  let model;
  for (let start = 0; ; start += CHUNK_SIZE) {
    const end = start + CHUNK_SIZE;
    const last = end >= bytes.length;
    const chunk = last ? -1 : end / CHUNK_SIZE;
    const content =
      chunk === corrupt
        ? '%%% not base64 %%%'
        : Buffer.from(bytes.subarray(start, end)).toString('base64');
    model = await drive.save(path, {
      type: 'file',
      format: 'base64',
      name: path,
      chunk,
      content
    });
    if (last) {
      return model;
    }
  }
}

const sleep = (ms: number) => new Promise(resolve => setTimeout(resolve, ms));

/**
 * Retry an assertion until it passes (every 50 ms, at most 20 s): for what
 * happens after a call that cannot be awaited.
 */
async function eventually(check: () => Promise<void>): Promise<void> {
  const deadline = Date.now() + 20000;
  for (;;) {
    try {
      await check();
      return;
    } catch (error) {
      if (Date.now() > deadline) {
        throw error;
      }
      await sleep(50);
    }
  }
}

/**
 * A client that delays (or fails) each part, and records the parts in flight
 * and the order of events.
 */
function slowParts(
  s3: S3Client,
  delay: (part: number) => number | Promise<void>,
  fail: (part: number) => boolean = () => false
) {
  const log = { inFlight: 0, maxInFlight: 0, events: [] as string[] };
  const slow = {
    send: async (command: any) => {
      if (command instanceof UploadPartCommand) {
        const part = command.input.PartNumber as number;
        log.inFlight += 1;
        log.maxInFlight = Math.max(log.maxInFlight, log.inFlight);
        log.events.push(`start ${part}`);
        try {
          const wait = delay(part);
          await (typeof wait === 'number' ? sleep(wait) : wait);
          if (fail(part)) {
            throw Object.assign(
              new Error('We encountered an internal error.'),
              {
                name: 'InternalError',
                $metadata: { httpStatusCode: 500 }
              }
            );
          }
          return await s3.send(command);
        } finally {
          log.inFlight -= 1;
          log.events.push(`end ${part}`);
        }
      }
      if (command instanceof AbortMultipartUploadCommand) {
        log.events.push(`abort with ${log.inFlight} in flight`);
      }
      return s3.send(command);
    },
    config: s3.config
  } as unknown as S3Client;
  return { slow, log };
}

async function pendingUploads(s3: S3Client, bucket: string) {
  const answer = await s3.send(
    new ListMultipartUploadsCommand({ Bucket: bucket })
  );
  return answer.Uploads ?? [];
}

describe('chunked uploads', () => {
  let s3: S3Client;
  let bucket: string;
  let drive: S3Drive;

  beforeAll(() => {
    s3 = client();
  });

  beforeEach(async () => {
    bucket = await makeBucket(s3);
    drive = makeDrive(s3, bucket);
  });

  afterEach(() => {
    drive.dispose();
  });

  it('turns 12 MiB of 1 MiB chunks into one object', async () => {
    const bytes = randomBytes(12 * CHUNK_SIZE + 12345, 3);
    const changes = recordChanges(drive);
    const model = await uploadLikeFileBrowser(drive, 'dir/big.bin', bytes);
    expect(model).toMatchObject({
      path: 'dir/big.bin',
      type: 'file',
      size: bytes.length
    });
    expect(model.hash).toMatch(/-\d+$/); // a multipart ETag
    const stored = await read(s3, bucket, 'dir/big.bin');
    expect(stored!.length).toBe(bytes.length);
    expect(Buffer.compare(Buffer.from(stored!), Buffer.from(bytes))).toBe(0);
    expect(await pendingUploads(s3, bucket)).toEqual([]);
    // One change, for the whole file.
    expect(changes.map(c => [c.type, c.newValue?.path])).toEqual([
      ['save', 'dir/big.bin']
    ]);
  });

  it('sends the same bytes as Blob parts where the client uses fetch', async () => {
    // Browsers' clients send with fetch: whole objects and parts go as Blobs.
    const fetching = makeDrive(
      client(undefined, undefined, { fetch: true }),
      bucket
    );
    const bytes = randomBytes(11 * CHUNK_SIZE + 3, 11);
    const model = await uploadLikeFileBrowser(fetching, 'blob.bin', bytes);
    expect(model.size).toBe(bytes.length);
    expect(model.hash).toMatch(/-3"?$/);
    const small = randomBytes(1000, 12);
    await fetching.save('whole.bin', {
      type: 'file',
      format: 'base64',
      content: Buffer.from(small).toString('base64')
    });
    fetching.dispose();
    for (const [key, expected] of [
      ['blob.bin', bytes],
      ['whole.bin', small]
    ] as const) {
      const stored = await read(s3, bucket, key);
      expect(Buffer.compare(Buffer.from(stored!), Buffer.from(expected))).toBe(
        0
      );
    }
    expect(await pendingUploads(s3, bucket)).toEqual([]);
  });

  it('gathers chunks of any size and encoding into whole parts, reusing their arrays', async () => {
    // Each part's bytes as sent (its array is reused for a later part), and
    // the arrays the parts were sent in.
    const sent: { bytes: Buffer; array: ArrayBufferLike }[] = [];
    const recording = {
      send: (command: any) => {
        if (command instanceof UploadPartCommand) {
          const body = command.input.Body as Uint8Array;
          sent.push({ bytes: Buffer.from(body), array: body.buffer });
        }
        return s3.send(command);
      },
      config: s3.config
    } as unknown as S3Client;
    const gathering = makeDrive(recording, bucket);
    const KiB = 1024;
    const sizes = [
      700 * KiB,
      3 * CHUNK_SIZE + 1,
      5 * CHUNK_SIZE,
      2,
      CHUNK_SIZE,
      7 * CHUNK_SIZE + 5,
      333 * KiB,
      4 * CHUNK_SIZE - 1,
      9 * CHUNK_SIZE
    ];
    const total = sizes.reduce((sum, size) => sum + size, 0);
    const bytes = randomBytes(total, 21);
    let offset = 0;
    let model;
    for (const [i, size] of sizes.entries()) {
      let content = Buffer.from(bytes.subarray(offset, offset + size)).toString(
        'base64'
      );
      if (i === 1) {
        content = content.replace(/.{76}/g, '$&\r\n'); // MIME line breaks
      } else if (i === 4) {
        content = content.replace(/\+/g, '-').replace(/\//g, '_'); // base64url
      }
      offset += size;
      model = await gathering.save('gathered.bin', {
        type: 'file',
        format: 'base64',
        chunk: i === sizes.length - 1 ? -1 : i + 1,
        content
      });
    }
    gathering.dispose();
    expect(model!.size).toBe(total);
    const part = 5 * CHUNK_SIZE;
    expect(sent.map(p => p.bytes.length)).toEqual([
      ...Array(Math.floor(total / part)).fill(part),
      total % part
    ]);
    expect(Buffer.compare(Buffer.concat(sent.map(p => p.bytes)), bytes)).toBe(
      0
    );
    // At most one array per part in flight, and the one being gathered.
    expect(new Set(sent.map(p => p.array)).size).toBeLessThanOrEqual(
      PARTS_IN_FLIGHT + 1
    );
    const stored = await read(s3, bucket, 'gathered.bin');
    expect(Buffer.compare(Buffer.from(stored!), Buffer.from(bytes))).toBe(0);
    expect(await pendingUploads(s3, bucket)).toEqual([]);
  });

  it('starts no upload for an invalid first chunk', async () => {
    const { slow, log } = slowParts(s3, () => 0);
    const counting = makeDrive(slow, bucket);
    await expect(
      counting.save('never.bin', {
        type: 'file',
        format: 'base64',
        chunk: 1,
        content: '%%% not base64 %%%'
      })
    ).rejects.toThrow(/does not match its format/);
    counting.dispose();
    expect(log.events).toEqual([]);
    expect(await pendingUploads(s3, bucket)).toEqual([]);
  });

  it('uploads a small chunked file (< 5 MiB) as one part', async () => {
    const bytes = randomBytes(2 * CHUNK_SIZE + 10, 4);
    await uploadLikeFileBrowser(drive, 'small.bin', bytes);
    const stored = await read(s3, bucket, 'small.bin');
    expect(Buffer.compare(Buffer.from(stored!), Buffer.from(bytes))).toBe(0);
    expect(await pendingUploads(s3, bucket)).toEqual([]);
  });

  it('aborts on a failing chunk: no object, no parts left', async () => {
    const bytes = randomBytes(8 * CHUNK_SIZE, 5);
    await expect(
      uploadLikeFileBrowser(drive, 'broken.bin', bytes, 7)
    ).rejects.toThrow(/does not match its format/);
    expect(await allKeys(s3, bucket)).toEqual([]);
    expect(await pendingUploads(s3, bucket)).toEqual([]);
  });

  it('aborts when S3 refuses a part', async () => {
    let parts = 0;
    const failing = {
      send: (command: any) => {
        if (command instanceof UploadPartCommand && ++parts === 2) {
          return Promise.reject(
            Object.assign(new Error('We encountered an internal error.'), {
              name: 'InternalError',
              $metadata: { httpStatusCode: 500 }
            })
          );
        }
        return s3.send(command);
      },
      config: s3.config
    } as unknown as S3Client;
    const flaky = makeDrive(failing, bucket);
    const bytes = randomBytes(12 * CHUNK_SIZE, 6);
    await expect(
      uploadLikeFileBrowser(flaky, 'flaky.bin', bytes)
    ).rejects.toThrow(/internal error/);
    expect(await allKeys(s3, bucket)).toEqual([]);
    expect(await pendingUploads(s3, bucket)).toEqual([]);
    flaky.dispose();
  });

  it('uploads PARTS_IN_FLIGHT parts at once, in order', async () => {
    const inFlight = PARTS_IN_FLIGHT;
    // The first parts slower than the next ones.
    const { slow, log } = slowParts(s3, part => (part <= inFlight ? 300 : 20));
    const fast = makeDrive(slow, bucket);
    const parts = inFlight + 2;
    const bytes = randomBytes((parts - 1) * 5 * CHUNK_SIZE + 7, 9);
    const model = await uploadLikeFileBrowser(fast, 'fast.bin', bytes);
    fast.dispose();
    expect(model.size).toBe(bytes.length);
    expect(model.hash).toMatch(new RegExp(`-${parts}"?$`));
    expect(log.maxInFlight).toBe(inFlight);
    expect(log.events.filter(e => e.startsWith('start'))).toEqual(
      Array.from({ length: parts }, (_, i) => `start ${i + 1}`)
    );
    // The part after the first ones waited for one of them to finish.
    expect(log.events.indexOf(`start ${inFlight + 1}`)).toBeGreaterThan(
      log.events.findIndex(e => e.startsWith('end'))
    );
    const stored = await read(s3, bucket, 'fast.bin');
    expect(Buffer.compare(Buffer.from(stored!), Buffer.from(bytes))).toBe(0);
    expect(await pendingUploads(s3, bucket)).toEqual([]);
  });

  it('aborts after the parts in flight when a part fails', async () => {
    // Part 1 ends at once, so that part `last` starts; part 2 fails once
    // part `last` is being uploaded (whatever the machine's speed); the
    // other parts in flight take a while longer.
    const last = PARTS_IN_FLIGHT + 1;
    const { slow, log } = slowParts(
      s3,
      part =>
        part === 2
          ? eventually(async () =>
              expect(log.events).toContain(`start ${last}`)
            )
          : part === 1
            ? 10
            : 700,
      part => part === 2
    );
    const flaky = makeDrive(slow, bucket);
    const bytes = randomBytes((last + 1) * 5 * CHUNK_SIZE, 10);
    await expect(
      uploadLikeFileBrowser(flaky, 'flaky.bin', bytes)
    ).rejects.toThrow(/internal error/);
    flaky.dispose();
    expect(log.events).toContain(`start ${last}`);
    expect(log.events).not.toContain(`start ${last + 1}`);
    const ends = Array.from({ length: last - 2 }, (_, i) =>
      log.events.indexOf(`end ${i + 3}`)
    );
    expect(Math.min(...ends)).toBeGreaterThan(-1);
    expect(log.events.indexOf('abort with 0 in flight')).toBeGreaterThan(
      Math.max(...ends)
    );
    expect(log.events.filter(e => e.startsWith('abort'))).toHaveLength(1);
    expect(await allKeys(s3, bucket)).toEqual([]);
    expect(await pendingUploads(s3, bucket)).toEqual([]);
  });

  it('refuses chunks out of order', async () => {
    const chunk = Buffer.from(randomBytes(1000)).toString('base64');
    await drive.save('o.bin', {
      type: 'file',
      format: 'base64',
      chunk: 1,
      content: chunk
    });
    await expect(
      drive.save('o.bin', {
        type: 'file',
        format: 'base64',
        chunk: 3,
        content: chunk
      })
    ).rejects.toMatchObject({ code: 'ChunkOutOfOrder' });
    expect(await pendingUploads(s3, bucket)).toEqual([]);
    expect(await allKeys(s3, bucket)).toEqual([]);
  });

  it('overwrites a file it has seen, and not one changed since', async () => {
    await put(s3, bucket, 'seen.bin', 'old');
    await drive.get('');
    const bytes = randomBytes(6 * CHUNK_SIZE, 8);
    await uploadLikeFileBrowser(drive, 'seen.bin', bytes);
    expect((await read(s3, bucket, 'seen.bin'))!.length).toBe(bytes.length);
    // Changed behind the drive's back while uploading: refused, not written.
    await expect(
      (async () => {
        const half = Buffer.from(bytes.subarray(0, CHUNK_SIZE)).toString(
          'base64'
        );
        await drive.save('seen.bin', {
          type: 'file',
          format: 'base64',
          chunk: 1,
          content: half
        });
        await put(s3, bucket, 'seen.bin', 'someone else');
        await drive.save('seen.bin', {
          type: 'file',
          format: 'base64',
          chunk: -1,
          content: half
        });
      })()
    ).rejects.toThrow(/changed in the bucket/);
    expect(
      new TextDecoder().decode((await read(s3, bucket, 'seen.bin'))!)
    ).toBe('someone else');
    expect(await pendingUploads(s3, bucket)).toEqual([]);
  });

  it('aborts pending uploads on dispose', async () => {
    const chunk = Buffer.from(randomBytes(1000)).toString('base64');
    await drive.save('p.bin', {
      type: 'file',
      format: 'base64',
      chunk: 1,
      content: chunk
    });
    expect(await pendingUploads(s3, bucket)).toHaveLength(1);
    drive.dispose();
    // dispose() cannot wait: the abort goes on after it returns.
    await eventually(async () =>
      expect(await pendingUploads(s3, bucket)).toEqual([])
    );
  });

  describe('left idle', () => {
    // The drive's clock is faked (its timers only): network I/O, Date and
    // the polling below run for real.
    beforeEach(() => {
      jest.useFakeTimers({
        doNotFake: [
          'Date',
          'hrtime',
          'nextTick',
          'performance',
          'queueMicrotask',
          'setImmediate'
        ]
      });
    });

    afterEach(() => {
      jest.useRealTimers();
    });

    /** Poll S3 (no timers: those are fake) until `check` passes. */
    async function untilS3(check: () => Promise<void>): Promise<void> {
      const deadline = Date.now() + 20000;
      for (;;) {
        try {
          return await check();
        } catch (error) {
          if (Date.now() > deadline) {
            throw error;
          }
          await new Promise(resolve => setImmediate(resolve));
        }
      }
    }

    const chunk = (n: number) =>
      drive.save('idle.bin', {
        type: 'file',
        format: 'base64',
        chunk: n,
        content: Buffer.from(randomBytes(1000, n)).toString('base64')
      });

    it('an upload without a next chunk for the idle timeout is aborted', async () => {
      await chunk(1);
      jest.advanceTimersByTime(UPLOAD_IDLE_TIMEOUT - 1);
      expect(await pendingUploads(s3, bucket)).toHaveLength(1);

      jest.advanceTimersByTime(1);
      await untilS3(async () =>
        expect(await pendingUploads(s3, bucket)).toEqual([])
      );
      expect(await allKeys(s3, bucket)).toEqual([]);
      // The upload is gone: its next chunk is refused, not appended.
      await expect(chunk(2)).rejects.toMatchObject({
        response: { status: 400 }
      });
      expect(await allKeys(s3, bucket)).toEqual([]);
    });

    it('each chunk gives the upload the whole idle timeout again', async () => {
      await chunk(1);
      jest.advanceTimersByTime(UPLOAD_IDLE_TIMEOUT - 1);
      await chunk(2);
      jest.advanceTimersByTime(UPLOAD_IDLE_TIMEOUT - 1);
      expect(await pendingUploads(s3, bucket)).toHaveLength(1);
      const model = await chunk(-1);
      expect(model.size).toBe(3000);
      expect(await pendingUploads(s3, bucket)).toEqual([]);
      expect(await read(s3, bucket, 'idle.bin')).toHaveLength(3000);
    });
  });
});
