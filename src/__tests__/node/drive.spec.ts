import { HeadObjectCommand, S3Client } from '@aws-sdk/client-s3';
import { Contents } from '@jupyterlab/services';

import { S3Drive } from '../../drive';
import {
  allKeys,
  child,
  client,
  makeBucket,
  makeDrive,
  names,
  put,
  randomBytes,
  read,
  readText,
  recordChanges
} from './helpers';

const NOTEBOOK = {
  cells: [
    {
      cell_type: 'markdown',
      id: 'a1',
      metadata: {},
      source: ['# Title']
    }
  ],
  metadata: {},
  nbformat: 4,
  nbformat_minor: 5
};

describe('S3Drive', () => {
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

  describe('get', () => {
    it('lists folders from prefixes and markers, never from extensions', async () => {
      await put(s3, bucket, 'notes.txt', 'hello');
      await put(s3, bucket, 'data.v1/part.csv', 'a,b');
      await put(s3, bucket, 'empty/'); // zero-byte marker
      await put(s3, bucket, 'nested/deep/file.bin', 'x');
      const root = await drive.get('');
      expect(root).toMatchObject({
        type: 'directory',
        format: 'json',
        path: '',
        name: '',
        writable: true
      });
      expect(names(root)).toEqual(['data.v1', 'empty', 'nested', 'notes.txt']);
      expect(child(root, 'data.v1')).toMatchObject({
        type: 'directory',
        path: 'data.v1',
        content: null
      });
      expect(child(root, 'empty').type).toBe('directory');
      expect(child(root, 'notes.txt')).toMatchObject({
        type: 'file',
        size: 5,
        content: null,
        mimetype: 'text/plain',
        hash_algorithm: 'etag'
      });
      const notes = child(root, 'notes.txt');
      expect(notes.hash).toMatch(/^[0-9a-f]{32}$/);
      // The object's own time, as S3 gives it (not the time of the listing).
      const head = await s3.send(
        new HeadObjectCommand({ Bucket: bucket, Key: 'notes.txt' })
      );
      expect(notes.last_modified).toBe(head.LastModified!.toISOString());
      expect(notes.created).toBe(notes.last_modified);

      const empty = await drive.get('empty');
      expect(empty.type).toBe('directory');
      expect(empty.content).toEqual([]);
      expect(names(await drive.get('nested'))).toEqual(['deep']);
      expect(names(await drive.get('nested/deep'))).toEqual(['file.bin']);
    });

    it('shows an object x beside a folder x/ under a reversible name', async () => {
      await put(s3, bucket, 'x', 'the object');
      await put(s3, bucket, 'x/inside.txt', 'in the folder');
      const root = await drive.get('');
      expect(names(root)).toEqual(['x', '\u2400=x']);
      expect(child(root, 'x').type).toBe('directory');
      expect(child(root, '\u2400=x').type).toBe('file');
      const folder = await drive.get('x');
      expect(folder.type).toBe('directory');
      expect(names(folder)).toEqual(['inside.txt']);
      const object = await drive.get('\u2400=x', {
        format: 'text',
        type: 'file'
      });
      expect(object.content).toBe('the object');
      // Saving and deleting through that name touch the object only.
      await drive.save('\u2400=x', {
        type: 'file',
        format: 'text',
        content: 'changed'
      });
      expect(await readText(s3, bucket, 'x')).toBe('changed');
      await drive.delete('\u2400=x');
      expect(await allKeys(s3, bucket)).toEqual(['x/inside.txt']);
    });

    it('tells folders from files in one round trip, as the file browser asks', async () => {
      await put(s3, bucket, 'x', 'the object');
      await put(s3, bucket, 'x/inside.txt', 'in the folder');
      await put(s3, bucket, 'marker/'); // an empty folder
      await put(s3, bucket, 'file.txt', 'a file');
      const sent: string[] = [];
      const counting = {
        send: (command: any) => {
          sent.push(command.constructor.name.replace(/Command$/, ''));
          return s3.send(command);
        },
        config: s3.config
      } as unknown as S3Client;
      const counted = makeDrive(counting, bucket);
      const requests = async (get: () => Promise<Contents.IModel>) => {
        sent.length = 0;
        const model = await get();
        return { model, sent: [...sent].sort() };
      };
      // A folder beside an object of the same name: the folder.
      const x = await requests(() => counted.get('x'));
      expect(x.model.type).toBe('directory');
      expect(names(x.model)).toEqual(['inside.txt']);
      expect(x.sent).toEqual(['HeadObject', 'ListObjectsV2']);
      const marker = await requests(() => counted.get('marker'));
      expect(marker.model).toMatchObject({ type: 'directory', content: [] });
      expect(marker.sent).toEqual(['HeadObject', 'ListObjectsV2']);
      const file = await requests(() => counted.get('file.txt'));
      expect(file.model).toMatchObject({ type: 'file', content: 'a file' });
      expect(file.sent).toEqual(['GetObject', 'HeadObject', 'ListObjectsV2']);
      await expect(counted.get('neither')).rejects.toMatchObject({
        response: { status: 404 }
      });
      // Without content.
      const bare = await requests(() => counted.get('x', { content: false }));
      expect(bare.model).toMatchObject({ type: 'directory', content: null });
      expect(bare.sent).toEqual(['HeadObject', 'ListObjectsV2']);
      const head = await requests(() =>
        counted.get('file.txt', { content: false })
      );
      expect(head.model).toMatchObject({ type: 'file', size: 6 });
      expect(head.sent).toEqual(['HeadObject', 'ListObjectsV2']);
      await expect(
        counted.get('neither', { content: false })
      ).rejects.toMatchObject({ response: { status: 404 } });
      counted.dispose();
    });

    it('opens notebooks, text and binary files', async () => {
      await put(s3, bucket, 'nb.ipynb', JSON.stringify(NOTEBOOK));
      await put(s3, bucket, 'dir/text.md', '# héllo ✓');
      const binary = randomBytes(3000);
      await put(s3, bucket, 'img.png', binary);

      const nb = await drive.get('nb.ipynb');
      expect(nb).toMatchObject({
        type: 'notebook',
        format: 'json',
        name: 'nb.ipynb',
        path: 'nb.ipynb',
        content: NOTEBOOK,
        hash_algorithm: 'etag'
      });
      const md = await drive.get('dir/text.md');
      expect(md).toMatchObject({
        type: 'file',
        format: 'text',
        content: '# héllo ✓',
        mimetype: 'text/markdown',
        size: new TextEncoder().encode('# héllo ✓').length
      });
      const png = await drive.get('img.png');
      expect(png).toMatchObject({ format: 'base64', mimetype: 'image/png' });
      expect(Buffer.from(png.content, 'base64')).toEqual(Buffer.from(binary));
      // Without content: a HEAD.
      const head = await drive.get('nb.ipynb', { content: false });
      expect(head).toMatchObject({
        content: null,
        format: null,
        size: nb.size
      });
      expect(head.hash).toBe(nb.hash);
      // A file that is not UTF-8 falls back to base64 unless text is asked.
      await put(s3, bucket, 'bad.txt', Uint8Array.from([0xff, 0xfe, 0x00]));
      expect((await drive.get('bad.txt')).format).toBe('base64');
      await expect(drive.get('bad.txt', { format: 'text' })).rejects.toThrow(
        /not UTF-8/
      );
    });

    it('answers a 404 JupyterLab recognizes for a missing path', async () => {
      await expect(drive.get('missing.txt')).rejects.toMatchObject({
        code: 'NoSuchKey',
        response: { status: 404 }
      });
      await expect(
        drive.get('missing-dir', { type: 'directory' })
      ).rejects.toMatchObject({ response: { status: 404 } });
    });

    it('works below a prefix', async () => {
      await put(s3, bucket, 'team/a/', '');
      await put(s3, bucket, 'team/a/b.txt', 'b');
      await put(s3, bucket, 'other.txt', 'not mine');
      const scoped = makeDrive(s3, bucket, { prefix: 'team' });
      expect(names(await scoped.get(''))).toEqual(['a']);
      expect((await scoped.get('a/b.txt')).content).toBe('b');
      await scoped.save('c.txt', {
        type: 'file',
        format: 'text',
        content: 'c'
      });
      expect(await readText(s3, bucket, 'team/c.txt')).toBe('c');
      scoped.dispose();
    });
  });

  describe('save', () => {
    it('writes notebooks, text and base64, and reads them back', async () => {
      const changes = recordChanges(drive);
      const nb = await drive.save('new.ipynb', {
        type: 'notebook',
        format: 'json',
        content: NOTEBOOK
      });
      expect(nb).toMatchObject({ type: 'notebook', path: 'new.ipynb' });
      expect(JSON.parse((await readText(s3, bucket, 'new.ipynb'))!)).toEqual(
        NOTEBOOK
      );
      await drive.save('t.txt', { type: 'file', format: 'text', content: 'é' });
      expect(await readText(s3, bucket, 't.txt')).toBe('é');
      const bytes = randomBytes(1000, 7);
      await drive.save('b.bin', {
        type: 'file',
        format: 'base64',
        content: Buffer.from(bytes).toString('base64')
      });
      expect(Buffer.from((await read(s3, bucket, 'b.bin'))!)).toEqual(
        Buffer.from(bytes)
      );
      expect(changes.map(c => [c.type, c.newValue?.path])).toEqual([
        ['save', 'new.ipynb'],
        ['save', 't.txt'],
        ['save', 'b.bin']
      ]);
      expect(changes[0].newValue?.hash).toBe(nb.hash);
      // Saving again overwrites the version the drive knows.
      const again = await drive.save('t.txt', {
        type: 'file',
        format: 'text',
        content: 'second'
      });
      expect(await readText(s3, bucket, 't.txt')).toBe('second');
      expect((await drive.get('t.txt')).hash).toBe(again.hash);
    });

    it('creates a folder marker for a directory', async () => {
      await drive.save('made', { type: 'directory' });
      expect(await allKeys(s3, bucket)).toEqual(['made/']);
      expect((await drive.get('made')).type).toBe('directory');
    });

    it('refuses to overwrite a version changed behind its back', async () => {
      await put(s3, bucket, 'doc.txt', 'original');
      const opened = await drive.get('doc.txt');
      await put(s3, bucket, 'doc.txt', 'changed by someone else');
      await expect(
        drive.save('doc.txt', {
          type: 'file',
          format: 'text',
          content: 'mine'
        })
      ).rejects.toThrow(/changed in the bucket since it was opened/);
      expect(await readText(s3, bucket, 'doc.txt')).toBe(
        'changed by someone else'
      );
      // JupyterLab's "overwrite" answer re-reads the file, then saves.
      const seen = await drive.get('doc.txt', { content: false });
      expect(seen.hash).not.toBe(opened.hash);
      await drive.save('doc.txt', {
        type: 'file',
        format: 'text',
        content: 'mine'
      });
      expect(await readText(s3, bucket, 'doc.txt')).toBe('mine');
    });

    it('refuses to create over a file it has not seen', async () => {
      const other = makeDrive(s3, bucket);
      await other.save('race.txt', {
        type: 'file',
        format: 'text',
        content: 'first'
      });
      other.dispose();
      await expect(
        drive.save('race.txt', {
          type: 'file',
          format: 'text',
          content: 'second'
        })
      ).rejects.toMatchObject({
        code: 'PreconditionFailed',
        message: /already exists/
      });
      expect(await readText(s3, bucket, 'race.txt')).toBe('first');
    });
  });

  describe('newUntitled', () => {
    it('names new items like Jupyter server', async () => {
      const changes = recordChanges(drive);
      const nb1 = await drive.newUntitled({ type: 'notebook' });
      const nb2 = await drive.newUntitled({ type: 'notebook' });
      const txt = await drive.newUntitled({ type: 'file', ext: 'txt' });
      const txt2 = await drive.newUntitled({ type: 'file', ext: '.txt' });
      const dir = await drive.newUntitled({ type: 'directory' });
      const dir2 = await drive.newUntitled({ type: 'directory' });
      const inner = await drive.newUntitled({
        type: 'file',
        ext: '.py',
        path: 'Untitled Folder'
      });
      expect([nb1, nb2, txt, txt2, dir, dir2, inner].map(m => m.path)).toEqual([
        'Untitled.ipynb',
        'Untitled1.ipynb',
        'untitled.txt',
        'untitled1.txt',
        'Untitled Folder',
        'Untitled Folder 1',
        'Untitled Folder/untitled.py'
      ]);
      expect(nb1.type).toBe('notebook');
      expect(dir.type).toBe('directory');
      expect(await allKeys(s3, bucket)).toEqual([
        'Untitled Folder 1/',
        'Untitled Folder/',
        'Untitled Folder/untitled.py',
        'Untitled.ipynb',
        'Untitled1.ipynb',
        'untitled.txt',
        'untitled1.txt'
      ]);
      expect(
        JSON.parse((await readText(s3, bucket, 'Untitled.ipynb'))!)
      ).toEqual({
        cells: [],
        metadata: {},
        nbformat: 4,
        nbformat_minor: 5
      });
      expect(changes.every(c => c.type === 'new' && c.oldValue === null)).toBe(
        true
      );
      expect(changes.map(c => c.newValue?.path)).toContain('Untitled Folder');
    });
  });

  describe('delete', () => {
    it('deletes a file and keeps its folder visible', async () => {
      await put(s3, bucket, 'd/only.txt', 'x');
      const changes = recordChanges(drive);
      await drive.delete('d/only.txt');
      expect(await allKeys(s3, bucket)).toEqual(['d/']);
      expect((await drive.get('d')).content).toEqual([]);
      expect(changes).toEqual([
        { type: 'delete', oldValue: { path: 'd/only.txt' }, newValue: null }
      ]);
      await expect(drive.delete('d/only.txt')).rejects.toMatchObject({
        response: { status: 404 }
      });
    });

    it('deletes a folder with every key below it, reporting progress', async () => {
      await put(s3, bucket, 'keep.txt', 'k');
      for (let i = 0; i < 25; i++) {
        await put(s3, bucket, `big/f${i}.txt`, String(i));
      }
      await put(s3, bucket, 'big/sub/deeper/x', 'x');
      await put(s3, bucket, 'big/', '');
      const progress: S3Drive.IProgress[] = [];
      drive.progress.connect((_, p) => {
        progress.push(p);
      });
      await drive.delete('big');
      expect(await allKeys(s3, bucket)).toEqual(['keep.txt']);
      expect(progress[0]).toMatchObject({
        operation: 'delete',
        done: 0,
        total: 27
      });
      expect(progress[progress.length - 1]).toMatchObject({
        done: 27,
        total: 27
      });
    });
  });

  describe('rename', () => {
    it('renames a file', async () => {
      await put(s3, bucket, 'a.txt', 'content');
      const changes = recordChanges(drive);
      const model = await drive.rename('a.txt', 'sub/b.txt');
      expect(model).toMatchObject({
        path: 'sub/b.txt',
        name: 'b.txt',
        type: 'file'
      });
      expect(await allKeys(s3, bucket)).toEqual(['sub/b.txt']);
      expect(await readText(s3, bucket, 'sub/b.txt')).toBe('content');
      expect(changes).toHaveLength(1);
      expect(changes[0]).toMatchObject({
        type: 'rename',
        oldValue: { path: 'a.txt' },
        newValue: { path: 'sub/b.txt' }
      });
    });

    it('renames a folder with every key below it', async () => {
      await put(s3, bucket, 'src/', '');
      await put(s3, bucket, 'src/one.txt', '1');
      await put(s3, bucket, 'src/deep/two.txt', '2');
      const progress: S3Drive.IProgress[] = [];
      drive.progress.connect((_, p) => {
        progress.push(p);
      });
      const model = await drive.rename('src', 'dst');
      expect(model).toMatchObject({ type: 'directory', path: 'dst' });
      expect(await allKeys(s3, bucket)).toEqual([
        'dst/',
        'dst/deep/two.txt',
        'dst/one.txt'
      ]);
      expect(progress[progress.length - 1]).toMatchObject({
        operation: 'rename',
        path: 'src',
        newPath: 'dst',
        done: 3,
        total: 3
      });
    });

    it('never overwrites an existing target', async () => {
      await put(s3, bucket, 'a.txt', 'a');
      await put(s3, bucket, 'b.txt', 'b');
      await put(s3, bucket, 'dir/x', 'x');
      await put(s3, bucket, 'other/y', 'y');
      await expect(drive.rename('a.txt', 'b.txt')).rejects.toThrow(
        /already exists/
      );
      await expect(drive.rename('dir', 'other')).rejects.toThrow(
        /already exists/
      );
      await expect(drive.rename('a.txt', 'other')).rejects.toThrow(
        /already exists/
      );
      await expect(drive.rename('dir', 'dir/inner')).rejects.toThrow(
        /into itself/
      );
      expect(await allKeys(s3, bucket)).toEqual([
        'a.txt',
        'b.txt',
        'dir/x',
        'other/y'
      ]);
    });
  });

  describe('copy', () => {
    it('copies a file with Jupyter server names', async () => {
      await put(s3, bucket, 'f.txt', 'data');
      await put(s3, bucket, 'to/', '');
      const changes = recordChanges(drive);
      const first = await drive.copy('f.txt', '');
      const second = await drive.copy('f.txt', '');
      const third = await drive.copy('f-Copy1.txt', '');
      const elsewhere = await drive.copy('f.txt', 'to');
      expect([first, second, third, elsewhere].map(m => m.path)).toEqual([
        'f-Copy1.txt',
        'f-Copy2.txt',
        'f-Copy3.txt',
        'to/f.txt'
      ]);
      expect(await readText(s3, bucket, 'to/f.txt')).toBe('data');
      expect(changes.map(c => c.type)).toEqual(['new', 'new', 'new', 'new']);
      await expect(drive.copy('f.txt', 'nowhere')).rejects.toMatchObject({
        response: { status: 404 }
      });
    });

    it('copies a folder', async () => {
      await put(s3, bucket, 'dir/a', 'a');
      await put(s3, bucket, 'dir/b/c', 'c');
      const model = await drive.copy('dir', '');
      expect(model).toMatchObject({ path: 'dir-Copy1', type: 'directory' });
      expect(await allKeys(s3, bucket)).toEqual([
        'dir-Copy1/a',
        'dir-Copy1/b/c',
        'dir/a',
        'dir/b/c'
      ]);
    });
  });

  describe('read-only', () => {
    it('refuses every change without calling S3', async () => {
      await put(s3, bucket, 'a.txt', 'a');
      const sent: string[] = [];
      const spy = {
        send: (command: any) => {
          sent.push(command.constructor.name);
          return s3.send(command);
        },
        config: s3.config
      } as unknown as S3Client;
      const ro = makeDrive(spy, bucket, { readOnly: true, name: 'ro' });
      const listing = await ro.get('');
      expect(child(listing, 'a.txt').writable).toBe(false);
      expect(listing.writable).toBe(false);
      sent.length = 0;
      const attempts: Promise<unknown>[] = [
        ro.save('a.txt', { type: 'file', format: 'text', content: 'x' }),
        ro.save('b.txt', {
          type: 'file',
          format: 'base64',
          content: 'eA==',
          chunk: 1
        }),
        ro.newUntitled({ type: 'notebook' }),
        ro.delete('a.txt'),
        ro.rename('a.txt', 'b.txt'),
        ro.copy('a.txt', '')
      ];
      for (const attempt of attempts) {
        await expect(attempt).rejects.toMatchObject({
          code: 'ReadOnly',
          message: expect.stringContaining("Connector 'ro' is read-only")
        });
      }
      expect(sent).toEqual([]);
      // Checkpoints do not reject, and do not write either.
      await expect(
        ro.restoreCheckpoint('a.txt', 'checkpoint')
      ).resolves.toBeUndefined();
      await expect(
        ro.deleteCheckpoint('a.txt', 'checkpoint')
      ).resolves.toBeUndefined();
      await ro.createCheckpoint('a.txt');
      expect(sent.filter(name => !/Head|Get|List/.test(name))).toEqual([]);
      expect(await allKeys(s3, bucket)).toEqual(['a.txt']);
      ro.dispose();
    });
  });

  it('gives a download URL', async () => {
    await put(s3, bucket, 'dir/a b+c.txt', 'x');
    const url = await drive.getDownloadUrl('dir/a b+c.txt');
    const response = await fetch(url);
    expect(await response.text()).toBe('x');
    const custom = makeDrive(s3, bucket, {
      downloadUrl: async key => `https://example.invalid/${key}`
    });
    expect(await custom.getDownloadUrl('dir/a b+c.txt')).toBe(
      'https://example.invalid/dir/a b+c.txt'
    );
    custom.dispose();
  });

  it('validates every model', async () => {
    await put(s3, bucket, 'a/b.txt', 'b');
    const models: Contents.IModel[] = [
      await drive.get(''),
      await drive.get('a'),
      await drive.get('a/b.txt'),
      await drive.get('a/b.txt', { content: false })
    ];
    for (const model of models) {
      for (const key of [
        'name',
        'path',
        'type',
        'created',
        'last_modified',
        'mimetype',
        'content',
        'format'
      ]) {
        expect(model).toHaveProperty(key);
      }
    }
  });
});
