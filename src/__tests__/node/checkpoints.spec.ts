import { S3Client } from '@aws-sdk/client-s3';

import { S3Drive } from '../../drive';
import {
  allKeys,
  client,
  makeBucket,
  makeDrive,
  names,
  put,
  readText
} from './helpers';

async function save(drive: S3Drive, path: string, content: string) {
  return drive.save(path, { type: 'file', format: 'text', content });
}

describe('checkpoints', () => {
  let s3: S3Client;

  beforeAll(() => {
    s3 = client();
  });

  describe('unversioned bucket: one copy under .ipynb_checkpoints', () => {
    let bucket: string;
    let drive: S3Drive;

    beforeEach(async () => {
      bucket = await makeBucket(s3);
      drive = makeDrive(s3, bucket);
    });

    afterEach(() => {
      drive.dispose();
    });

    it('creates, lists, restores and deletes the checkpoint', async () => {
      await save(drive, 'dir/doc.txt', 'v1');
      expect(await drive.listCheckpoints('dir/doc.txt')).toEqual([]);
      const checkpoint = await drive.createCheckpoint('dir/doc.txt');
      expect(checkpoint.id).toBe('checkpoint');
      expect(await allKeys(s3, bucket)).toEqual([
        'dir/.ipynb_checkpoints/doc-checkpoint.txt',
        'dir/doc.txt'
      ]);
      // Hidden from listings.
      expect(names(await drive.get('dir'))).toEqual(['doc.txt']);
      const listed = await drive.listCheckpoints('dir/doc.txt');
      expect(listed).toEqual([checkpoint]);

      await save(drive, 'dir/doc.txt', 'v2');
      await drive.restoreCheckpoint('dir/doc.txt', checkpoint.id);
      expect(await readText(s3, bucket, 'dir/doc.txt')).toBe('v1');
      // The drive knows the restored version: saving again works.
      await save(drive, 'dir/doc.txt', 'v3');

      await drive.deleteCheckpoint('dir/doc.txt', checkpoint.id);
      expect(await drive.listCheckpoints('dir/doc.txt')).toEqual([]);
    });

    it('moves and removes checkpoints with their file', async () => {
      await save(drive, 'a.txt', 'a');
      await drive.createCheckpoint('a.txt');
      await drive.rename('a.txt', 'b.txt');
      expect(await allKeys(s3, bucket)).toEqual([
        '.ipynb_checkpoints/b-checkpoint.txt',
        'b.txt'
      ]);
      await drive.delete('b.txt');
      expect(await allKeys(s3, bucket)).toEqual([]);
    });

    it('never rejects', async () => {
      const missing = await drive.createCheckpoint('missing.txt');
      expect(typeof missing.id).toBe('string');
      expect(typeof missing.last_modified).toBe('string');
      await expect(drive.listCheckpoints('missing.txt')).resolves.toEqual([]);
      await expect(
        drive.restoreCheckpoint('missing.txt', 'checkpoint')
      ).resolves.toBeUndefined();
      await expect(
        drive.deleteCheckpoint('missing.txt', 'checkpoint')
      ).resolves.toBeUndefined();
      // Not even with a bucket that does not exist.
      const lost = makeDrive(s3, bucket + '-missing');
      await expect(lost.createCheckpoint('a.txt')).resolves.toHaveProperty(
        'id'
      );
      await expect(lost.listCheckpoints('a.txt')).resolves.toEqual([]);
      await expect(
        lost.restoreCheckpoint('a.txt', 'x')
      ).resolves.toBeUndefined();
      await expect(
        lost.deleteCheckpoint('a.txt', 'x')
      ).resolves.toBeUndefined();
      lost.dispose();
    });
  });

  describe('versioned bucket: object versions', () => {
    let bucket: string;
    let drive: S3Drive;

    beforeEach(async () => {
      bucket = await makeBucket(s3, { versioned: true });
      drive = makeDrive(s3, bucket);
    });

    afterEach(() => {
      drive.dispose();
    });

    it('uses versions as checkpoints, without copies', async () => {
      await save(drive, 'nb.txt', 'v1');
      const first = await drive.createCheckpoint('nb.txt');
      expect(first.id).not.toBe('checkpoint');
      await save(drive, 'nb.txt', 'v2');
      const second = await drive.createCheckpoint('nb.txt');
      const listed = await drive.listCheckpoints('nb.txt');
      expect(listed.map(c => c.id)).toEqual([first.id, second.id]);
      // Another key sharing the prefix is not mixed in.
      await save(drive, 'nb.txt.bak', 'other');
      expect((await drive.listCheckpoints('nb.txt')).length).toBe(2);
      expect(await allKeys(s3, bucket)).toEqual(['nb.txt', 'nb.txt.bak']);

      await save(drive, 'nb.txt', 'v3');
      await drive.restoreCheckpoint('nb.txt', first.id);
      expect(await readText(s3, bucket, 'nb.txt')).toBe('v1');
      const after = await drive.listCheckpoints('nb.txt');
      expect(after.length).toBe(4);

      // An old version can be deleted; the current one is kept.
      await drive.deleteCheckpoint('nb.txt', second.id);
      const ids = (await drive.listCheckpoints('nb.txt')).map(c => c.id);
      expect(ids).not.toContain(second.id);
      const current = ids[ids.length - 1];
      await drive.deleteCheckpoint('nb.txt', current);
      expect((await drive.listCheckpoints('nb.txt')).map(c => c.id)).toContain(
        current
      );
      expect(await readText(s3, bucket, 'nb.txt')).toBe('v1');
    });

    it('never rejects', async () => {
      await expect(
        drive.createCheckpoint('missing.txt')
      ).resolves.toHaveProperty('id');
      await expect(drive.listCheckpoints('missing.txt')).resolves.toEqual([]);
      await expect(
        drive.restoreCheckpoint('missing.txt', 'no-such-version')
      ).resolves.toBeUndefined();
      await put(s3, bucket, 'x.txt', 'x');
      await expect(
        drive.restoreCheckpoint('x.txt', 'no-such-version')
      ).resolves.toBeUndefined();
      expect(await readText(s3, bucket, 'x.txt')).toBe('x');
    });
  });
});
