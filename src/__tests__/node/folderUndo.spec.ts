/**
 * A folder copy or rename that fails half-way removes the copies it made and
 * leaves the source as it was (operations.ts `copyFolder`).
 */
import { S3Client } from '@aws-sdk/client-s3';

import { S3Drive } from '../../drive';
import {
  allKeys,
  client,
  makeBucket,
  makeDrive,
  put,
  readText,
  recordChanges
} from './helpers';

/** Files of the folder copied: more than the copies that run at once. */
const FILES = 20;
/** The CopyObject that fails, after others have succeeded. */
const FAILING_COPY = 12;

/**
 * A client whose `failing`-th CopyObject asks for a source that does not
 * exist, so that S3 itself refuses it (NoSuchKey). Counts what was sent.
 */
function clientFailingCopy(failing: number): {
  s3: S3Client;
  sent: { copies: number; copied: number; deletes: number };
} {
  const s3 = client();
  const sent = { copies: 0, copied: 0, deletes: 0 };
  s3.middlewareStack.add(
    (next, context) => async (args: any) => {
      if (context.commandName === 'DeleteObjectsCommand') {
        sent.deletes += 1;
      }
      if (context.commandName !== 'CopyObjectCommand') {
        return next(args);
      }
      sent.copies += 1;
      if (sent.copies === failing) {
        const input = args.input as { CopySource: string };
        input.CopySource = `${input.CopySource}-gone-before-its-copy`;
      }
      const result = await next(args);
      sent.copied += 1;
      return result;
    },
    { step: 'initialize', name: 'failOneCopy' }
  );
  return { s3, sent };
}

describe('a folder copy that fails half-way', () => {
  let s3: S3Client;
  let bucket: string;
  let drive: S3Drive;
  let source: Map<string, string>;

  beforeEach(async () => {
    s3 = client();
    bucket = await makeBucket(s3);
    source = new Map();
    for (let i = 0; i < FILES; i++) {
      const key = `src/${i % 2 ? 'deep/' : ''}file-${i}.txt`;
      source.set(key, `content of ${key}`);
      await put(s3, bucket, key, source.get(key));
    }
    await put(s3, bucket, 'src/empty/');
    source.set('src/empty/', '');
  });

  afterEach(() => drive.dispose());

  /** The bucket holds the source, unchanged, and nothing else. */
  async function expectSourceOnly(): Promise<void> {
    expect(await allKeys(s3, bucket)).toEqual([...source.keys()].sort());
    for (const [key, text] of source) {
      expect(await readText(s3, bucket, key)).toBe(text);
    }
  }

  it('copy: removes the copies already made and keeps the source', async () => {
    const failing = clientFailingCopy(FAILING_COPY);
    drive = makeDrive(failing.s3, bucket);
    const changes = recordChanges(drive);

    await expect(drive.copy('src', '')).rejects.toThrow();

    // The failure came after other copies had landed: there was something to undo.
    expect(failing.sent.copies).toBeGreaterThanOrEqual(FAILING_COPY);
    expect(failing.sent.copied).toBeGreaterThanOrEqual(FAILING_COPY - 1);
    expect(failing.sent.deletes).toBe(1);
    await expectSourceOnly();
    expect(changes).toEqual([]);
  });

  it('rename: removes the copies already made and deletes nothing of the source', async () => {
    const failing = clientFailingCopy(FAILING_COPY);
    drive = makeDrive(failing.s3, bucket);
    const changes = recordChanges(drive);

    await expect(drive.rename('src', 'moved')).rejects.toThrow();

    expect(failing.sent.copied).toBeGreaterThanOrEqual(FAILING_COPY - 1);
    await expectSourceOnly();
    expect(changes).toEqual([]);
    // The drive still works on the folder afterwards.
    const renamed = await drive.rename('src/file-0.txt', 'src/first.txt');
    expect(renamed.path).toBe('src/first.txt');
  });

  it('copy with the same client and no failure copies everything', async () => {
    // The control of the two tests above: the middleware alone breaks nothing.
    const failing = clientFailingCopy(FILES + 10);
    drive = makeDrive(failing.s3, bucket);
    const model = await drive.copy('src', '');
    expect(model.path).toBe('src-Copy1');
    const copies = [...source.keys()].map(k =>
      k.replace(/^src\//, 'src-Copy1/')
    );
    expect(await allKeys(s3, bucket)).toEqual(
      [...source.keys(), ...copies].sort()
    );
    expect(failing.sent.deletes).toBe(0);
  });
});
