import { S3Client } from '@aws-sdk/client-s3';

import { S3Drive } from '../../drive';
import {
  allKeys,
  client,
  makeBucket,
  makeDrive,
  names,
  pagedEndpoint,
  put
} from './helpers';

/**
 * Against a moto server that answers 3 keys a page
 * (MOTO_S3_DEFAULT_MAX_KEYS=3), every listing needs several pages.
 */
describe('listing across pages', () => {
  let s3: S3Client;
  let bucket: string;
  let drive: S3Drive;

  beforeAll(async () => {
    s3 = client(pagedEndpoint());
  });

  beforeEach(async () => {
    bucket = await makeBucket(s3);
    drive = makeDrive(s3, bucket);
  });

  afterEach(() => {
    drive.dispose();
  });

  it('follows continuation tokens for files and folders', async () => {
    const files = Array.from({ length: 10 }, (_, i) => `f${i}.txt`);
    const folders = Array.from({ length: 7 }, (_, i) => `d${i}`);
    for (const file of files) {
      await put(s3, bucket, file, file);
    }
    for (const folder of folders) {
      await put(s3, bucket, `${folder}/inner.txt`, 'x');
    }
    const root = await drive.get('');
    expect(names(root)).toEqual([...folders, ...files].sort());
  });

  it('deletes, renames and copies folders across pages', async () => {
    const keys = Array.from({ length: 11 }, (_, i) => `big/k${i}`);
    for (const key of keys) {
      await put(s3, bucket, key, key);
    }
    const copy = await drive.copy('big', '');
    expect(copy.path).toBe('big-Copy1');
    await drive.rename('big', 'moved');
    await drive.delete('big-Copy1');
    expect(await allKeys(s3, bucket)).toEqual(
      keys.map(key => key.replace('big/', 'moved/')).sort()
    );
  });

  it('takes a page size of its own', async () => {
    const paged = makeDrive(client(), await makeBucket(client()), {
      pageSize: 2
    });
    const s3main = client();
    const target = (paged as any).bucket as string;
    for (let i = 0; i < 5; i++) {
      await put(s3main, target, `p${i}`, 'x');
    }
    expect(names(await paged.get(''))).toEqual(['p0', 'p1', 'p2', 'p3', 'p4']);
    paged.dispose();
  });
});
