import { S3Client } from '@aws-sdk/client-s3';
import { Contents } from '@jupyterlab/services';

import { RESERVED, S3Drive } from '../../drive';
import {
  allKeys,
  child,
  client,
  makeBucket,
  makeDrive,
  names,
  put,
  rawClient,
  readText
} from './helpers';

/** A 1024-byte key (the S3 maximum), with multi-byte characters. */
const LONG_KEY =
  'long/' + 'é'.repeat(200) + 'x'.repeat(1024 - 5 - 400 - 4) + '.txt';

describe('odd keys', () => {
  let s3: S3Client;
  let bucket: string;
  let drive: S3Drive;

  beforeAll(() => {
    s3 = client();
    expect(new TextEncoder().encode(LONG_KEY).length).toBe(1024);
  });

  beforeEach(async () => {
    bucket = await makeBucket(s3);
    drive = makeDrive(s3, bucket);
  });

  afterEach(() => {
    drive.dispose();
  });

  it.each([
    ['with space.txt'],
    ['ünïcødé/漢字 ☃.txt'],
    ['signs + % # ? & = ;.txt'],
    ['%2F%20encoded.txt'],
    ['back\\slash:colon.txt'],
    [LONG_KEY]
  ])('lists, opens, saves, renames and deletes %s', async key => {
    await put(s3, bucket, key, 'original');
    const slash = key.lastIndexOf('/');
    const dir = key.slice(0, slash + 1).replace(/\/$/, '');
    const name = key.slice(slash + 1);
    const listing = await drive.get(dir);
    expect(child(listing, name).path).toBe(key);

    const opened = await drive.get(key);
    expect(opened).toMatchObject({ path: key, name, content: 'original' });
    await drive.save(key, { type: 'file', format: 'text', content: 'saved' });
    expect(await readText(s3, bucket, key)).toBe('saved');

    const renamedPath = key === LONG_KEY ? 'renamed-long.txt' : key + '.moved';
    await drive.rename(key, renamedPath);
    expect(await readText(s3, bucket, renamedPath)).toBe('saved');
    await drive.delete(renamedPath);
    expect((await allKeys(s3, bucket)).filter(k => !k.endsWith('/'))).toEqual(
      []
    );
  });

  it('refuses a key longer than 1024 bytes with a clear error', async () => {
    await expect(
      drive.save(LONG_KEY + 'x', { type: 'file', format: 'text', content: 'x' })
    ).rejects.toMatchObject({ code: 'KeyTooLongError', message: /too long/ });
  });

  it('shows empty segments (a//b) under a reversible name', async () => {
    await put(s3, bucket, 'a//b.txt', 'double slash');
    await put(s3, bucket, 'a/c.txt', 'c');
    const a = await drive.get('a');
    expect(names(a)).toEqual(['c.txt', RESERVED]);
    const empty = child(a, RESERVED);
    expect(empty).toMatchObject({ type: 'directory', path: `a/${RESERVED}` });
    const inner = await drive.get(empty.path);
    expect(names(inner)).toEqual(['b.txt']);
    const b = await drive.get(`a/${RESERVED}/b.txt`);
    expect(b.content).toBe('double slash');
    await drive.save(b.path, {
      type: 'file',
      format: 'text',
      content: 'saved'
    });
    expect(await readText(s3, bucket, 'a//b.txt')).toBe('saved');
    await drive.rename(b.path, 'a/fixed.txt');
    // The emptied folder stays, as a marker, like on a file system.
    expect(await allKeys(s3, bucket)).toEqual([
      'a//',
      'a/c.txt',
      'a/fixed.txt'
    ]);
  });

  it('shows a key ending in / with content as a file named ␀', async () => {
    await put(s3, bucket, 'notes/', 'content of the folder key');
    await put(s3, bucket, 'notes/real.txt', 'real');
    await put(s3, bucket, 'marker/', '');
    const root = await drive.get('');
    expect(names(root)).toEqual(['marker', 'notes']);
    const notes = await drive.get('notes');
    expect(names(notes)).toEqual(['real.txt', RESERVED]);
    const own = child(notes, RESERVED);
    expect(own).toMatchObject({ type: 'file', size: 25 });
    const opened = await drive.get(own.path, { type: 'file', format: 'text' });
    expect(opened.content).toBe('content of the folder key');
    await drive.rename(own.path, 'notes/rescued.txt');
    expect(await allKeys(s3, bucket)).toEqual([
      'marker/',
      'notes/real.txt',
      'notes/rescued.txt'
    ]);
    // A zero-byte marker is a folder, never a file.
    expect((await drive.get('marker')).content).toEqual([]);
    await expect(drive.get(`marker/${RESERVED}`)).rejects.toMatchObject({
      response: { status: 404 }
    });
  });

  it('shows . and .. segments and keys starting with ␀ reversibly', async () => {
    await put(s3, bucket, 'x/./dot.txt', '1');
    await put(s3, bucket, 'x/../up.txt', '2');
    await put(s3, bucket, `x/${RESERVED}odd.txt`, '3');
    const x = await drive.get('x');
    expect(names(x)).toEqual([
      `${RESERVED}.`,
      `${RESERVED}..`,
      `${RESERVED}${RESERVED}odd.txt`
    ]);
    const paths = [
      `x/${RESERVED}./dot.txt`,
      `x/${RESERVED}../up.txt`,
      `x/${RESERVED}${RESERVED}odd.txt`
    ];
    const contents = await Promise.all(
      paths.map(
        async path => (await drive.get(path, { format: 'text' })).content
      )
    );
    expect(contents).toEqual(['1', '2', '3']);
    await drive.delete(`x/${RESERVED}..`);
    expect(await allKeys(s3, bucket)).toEqual([
      'x/./dot.txt',
      `x/${RESERVED}odd.txt`
    ]);
    // A name the encoding never produces is refused, not guessed.
    await expect(drive.get(`x/${RESERVED}odd.txt`)).rejects.toMatchObject({
      code: 'InvalidPath',
      message: /reserved/
    });
  });

  it('deletes and renames a folder holding odd keys', async () => {
    const keys = ['f/a b', 'f/c+d', 'f//e', 'f/ü/', 'f/x', 'f/x/y'];
    for (const key of keys) {
      await put(s3, bucket, key, key);
    }
    await drive.rename('f', 'g');
    expect(await allKeys(s3, bucket)).toEqual(
      keys.map(key => 'g' + key.slice(1)).sort()
    );
    expect(
      (await drive.get(`g/${RESERVED}=x`, { format: 'text' })).content
    ).toBe('f/x');
    await drive.delete('g');
    expect(await allKeys(s3, bucket)).toEqual([]);
  });

  it('never lets a listing crash on any key', async () => {
    const keys = [
      '/',
      '//',
      '/lead',
      'trail/',
      '.',
      '..',
      `${RESERVED}`,
      '=',
      'a/=b'
    ];
    const raw = rawClient();
    for (const key of keys) {
      await put(raw, bucket, key, 'x');
    }
    const seen: string[] = [];
    const unreachable: string[] = [];
    const walk = async (path: string) => {
      const model = await drive.get(path);
      for (const item of model.content as Contents.IModel[]) {
        if (item.type === 'directory') {
          await walk(item.path);
        } else {
          seen.push(item.path);
          // Only a key that is nothing but `.` or `..` cannot be put in a
          // URL; it is refused with its own error, never another key's.
          await drive.get(item.path, { content: false }).catch(error => {
            expect(error).toMatchObject({ code: 'UnreachableKey' });
            unreachable.push(item.path);
          });
        }
      }
    };
    await walk('');
    expect(seen.length).toBe(keys.length);
    expect(unreachable.sort()).toEqual([`${RESERVED}.`, `${RESERVED}..`]);
  });
});
