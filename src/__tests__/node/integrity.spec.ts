/**
 * The drive never loses data and never reaches another object than the one
 * named, on two S3 implementations (moto and s3rver).
 *
 * The clients send with `fetch`, as in a browser: Node's `fetch` parses URLs
 * like Chromium does, dot segments included.
 */
import { DeleteObjectCommand, S3Client } from '@aws-sdk/client-s3';
import { Contents } from '@jupyterlab/services';

import { createDownloadUrl, RESERVED, S3Drive, SHADOWED } from '../../drive';
import {
  allKeys,
  child,
  client,
  IServer,
  makeBucket,
  makeDrive,
  names,
  put,
  rawClient,
  read,
  readText,
  servers
} from './helpers';

describe.each(servers().map(server => [server.name, server] as const))(
  'data integrity on %s',
  (_name: string, server: IServer) => {
    let s3: S3Client;
    let raw: S3Client;
    let bucket: string;
    let drive: S3Drive;

    beforeEach(async () => {
      s3 = client(server.endpoint, undefined, {
        fetch: true,
        key: server.key
      });
      raw = rawClient(server.endpoint, server.key);
      bucket = await makeBucket(raw);
      drive = makeDrive(s3, bucket);
    });

    afterEach(() => {
      drive.dispose();
    });

    /** A client whose PutObject is followed, once, by another writer's. */
    function racingDrive(otherWrite: () => Promise<unknown>): S3Drive {
      const racing = client(server.endpoint, undefined, {
        fetch: true,
        key: server.key
      });
      let armed = false;
      racing.middlewareStack.add(
        next => async args => {
          const result = await next(args);
          if (armed && (args.input as { Body?: unknown }).Body !== undefined) {
            armed = false;
            await otherWrite();
          }
          return result;
        },
        { step: 'initialize', name: 'otherWriterAfterPut' }
      );
      const racingDrive = makeDrive(racing, bucket, { name: 'racing' });
      (racingDrive as unknown as { arm: () => void }).arm = () => {
        armed = true;
      };
      return racingDrive;
    }

    it('remembers the ETag its own write returned, not a later one', async () => {
      await put(raw, bucket, 'race.txt', 'v1');
      const other = () => put(raw, bucket, 'race.txt', 'OTHER WRITER');
      const d = racingDrive(other);
      await d.get('race.txt');
      (d as unknown as { arm: () => void }).arm();
      // The other writer's PUT lands between our PUT and our HEAD.
      const saved = await d.save('race.txt', {
        type: 'file',
        format: 'text',
        content: 'v2'
      });
      expect(await readText(raw, bucket, 'race.txt')).toBe('OTHER WRITER');
      await expect(
        d.save('race.txt', { type: 'file', format: 'text', content: 'v3' })
      ).rejects.toMatchObject({ code: 'PreconditionFailed' });
      expect(await readText(raw, bucket, 'race.txt')).toBe('OTHER WRITER');
      // JupyterLab takes the hash of the head it asks for right after a
      // save: it is the save's. Its check before the next save then finds
      // the other writer's hash, and "File Changed" asks the user.
      const afterSave = await d.get('race.txt', { content: false });
      expect(afterSave.hash).toBe(saved.hash);
      const beforeNext = await d.get('race.txt', { content: false });
      expect(beforeNext.hash).not.toBe(saved.hash);
      d.dispose();
    });

    it('refuses to overwrite a version it has not seen', async () => {
      await put(raw, bucket, 'seen.txt', 'v1');
      await drive.get('seen.txt');
      await put(raw, bucket, 'seen.txt', 'changed elsewhere');
      await expect(
        drive.save('seen.txt', { type: 'file', format: 'text', content: 'x' })
      ).rejects.toMatchObject({ code: 'PreconditionFailed', status: 409 });
      expect(await readText(raw, bucket, 'seen.txt')).toBe('changed elsewhere');
    });

    it('keeps the version a document holds when a listing sees another', async () => {
      await put(raw, bucket, 'held.txt', 'v1');
      await drive.get('held.txt', { type: 'file', format: 'text' });
      await put(raw, bucket, 'held.txt', 'changed elsewhere');
      await drive.get('');
      await expect(
        drive.save('held.txt', { type: 'file', format: 'text', content: 'x' })
      ).rejects.toMatchObject({ code: 'PreconditionFailed' });
      expect(await readText(raw, bucket, 'held.txt')).toBe('changed elsewhere');
    });

    it('shows a changed file by its hash, and overwrites it once asked', async () => {
      await put(raw, bucket, 'asked.txt', 'v1');
      const opened = await drive.get('asked.txt', {
        type: 'file',
        format: 'text'
      });
      await put(raw, bucket, 'asked.txt', 'changed elsewhere');
      // JupyterLab's context asks for the model before every save and shows
      // "File Changed" when its hash is not the document's.
      const before = await drive.get('asked.txt', { content: false });
      expect(before.hash).not.toBe(opened.hash);
      // "Overwrite" saves over the version the dialog was about.
      await drive.save('asked.txt', {
        type: 'file',
        format: 'text',
        content: 'mine'
      });
      expect(await readText(raw, bucket, 'asked.txt')).toBe('mine');
    });

    it('overwrites a listed file only in the version it listed', async () => {
      await put(raw, bucket, 'listed.txt', 'v1');
      await drive.get('');
      await put(raw, bucket, 'listed.txt', 'changed elsewhere');
      await expect(
        drive.save('listed.txt', { type: 'file', format: 'text', content: 'x' })
      ).rejects.toMatchObject({ code: 'PreconditionFailed' });
      // A listing of the new version lets the user overwrite it.
      await drive.get('');
      await drive.save('listed.txt', {
        type: 'file',
        format: 'text',
        content: 'x'
      });
      expect(await readText(raw, bucket, 'listed.txt')).toBe('x');
    });

    it('refuses to create over an object created meanwhile', async () => {
      await drive.get('');
      await put(raw, bucket, 'new.txt', 'created elsewhere');
      await expect(
        drive.save('new.txt', { type: 'file', format: 'text', content: 'x' })
      ).rejects.toMatchObject({ status: 409, message: /already exists/ });
      expect(await readText(raw, bucket, 'new.txt')).toBe('created elsewhere');
    });

    it('finds out whether the server checks write conditions', async () => {
      await put(raw, bucket, 'probe.txt', 'v1');
      expect(drive.conditionalWrites).toBe('unknown');
      const seen: string[] = [];
      drive.conditionalWritesChanged.connect((_, support) => {
        seen.push(support);
      });
      await drive.get('probe.txt');
      await drive.save('probe.txt', {
        type: 'file',
        format: 'text',
        content: 'v2'
      });
      expect(await readText(raw, bucket, 'probe.txt')).toBe('v2');
      const expected = server.conditional ? 'honoured' : 'ignored';
      expect(drive.conditionalWrites).toBe(expected);
      expect(seen).toEqual([expected]);
      // Saves go on working either way.
      await drive.save('probe.txt', {
        type: 'file',
        format: 'text',
        content: 'v3'
      });
      expect(await readText(raw, bucket, 'probe.txt')).toBe('v3');
    });

    it('keeps a byte order mark and line endings byte for byte', async () => {
      const bytes = new Uint8Array([
        0xef,
        0xbb,
        0xbf,
        ...new TextEncoder().encode('a,b\r\n1,2\r\nlast\n\r')
      ]);
      await put(raw, bucket, 'bom.csv', bytes);
      const model = await drive.get('bom.csv', { format: 'text' });
      expect(model.size).toBe(bytes.length);
      await drive.save('bom.csv', {
        type: 'file',
        format: 'text',
        content: model.content
      });
      expect(await read(raw, bucket, 'bom.csv')).toEqual(bytes);
    });

    it('says the source vanished when a copy finds no source', async () => {
      await put(raw, bucket, 'dir/keep.txt', 'k');
      await put(raw, bucket, 'src.txt', 'source');
      const s3b = client(server.endpoint, undefined, {
        fetch: true,
        key: server.key
      });
      s3b.middlewareStack.add(
        next => async args => {
          if ((args.input as { CopySource?: unknown }).CopySource) {
            await raw.send(
              new DeleteObjectCommand({ Bucket: bucket, Key: 'src.txt' })
            );
          }
          return next(args);
        },
        { step: 'initialize', name: 'sourceVanishes' }
      );
      const d = makeDrive(s3b, bucket, { name: 'vanish' });
      await expect(d.copy('src.txt', 'dir')).rejects.toMatchObject({
        status: 404,
        message: /"src\.txt" was not found/
      });
      d.dispose();
    });

    it('refuses keys the proxy cannot forward, before sending anything', async () => {
      // s3rver lists a `\r` as `\n` (it ignores encoding-type=url).
      const keys = [
        'back\\slash.txt',
        ...(server.urlEncoding ? ['cr\rkey.txt'] : [])
      ];
      for (const key of keys) {
        await put(raw, bucket, key, 'x');
      }
      const proxied = makeDrive(s3, bucket, { name: 'p', proxied: true });
      expect(names(await proxied.get(''))).toEqual(keys);
      await expect(proxied.get('back\\slash.txt')).rejects.toMatchObject({
        code: 'ProxyRefusedKey',
        status: 400,
        message: /backslash.*direct backend/
      });
      await expect(proxied.delete('back\\slash.txt')).rejects.toMatchObject({
        code: 'ProxyRefusedKey'
      });
      if (server.urlEncoding) {
        await expect(proxied.delete('cr\rkey.txt')).rejects.toMatchObject({
          code: 'ProxyRefusedKey',
          message: /line break.*direct backend/
        });
      }
      expect(await allKeys(raw, bucket)).toEqual(keys);
      proxied.dispose();
    });

    // Only where the server can hold such keys (s3rver stores files, and
    // ignores encoding-type=url): no test stands for what it cannot do.
    const dots = server.dotSegments ? it : () => undefined;

    dots('reaches exactly the object of a key with dot segments', async () => {
      await put(raw, bucket, 'dots/./single.txt', 'DOT');
      await put(raw, bucket, 'dots/single.txt', 'PLAIN');
      await put(raw, bucket, 'y.txt', 'ROOT Y');
      const listing = await drive.get('dots');
      expect(names(listing)).toEqual(['single.txt', `${RESERVED}.`]);
      const dot = `dots/${RESERVED}./single.txt`;
      expect((await drive.get(dot, { format: 'text' })).content).toBe('DOT');
      await drive.save(dot, { type: 'file', format: 'text', content: 'DOT2' });
      expect(await readText(raw, bucket, 'dots/./single.txt')).toBe('DOT2');
      expect(await readText(raw, bucket, 'dots/single.txt')).toBe('PLAIN');

      await drive.save(`x/${RESERVED}../y.txt`, {
        type: 'file',
        format: 'text',
        content: 'UP'
      });
      expect(await readText(raw, bucket, 'x/../y.txt')).toBe('UP');
      expect(await readText(raw, bucket, 'y.txt')).toBe('ROOT Y');

      await drive.delete(dot);
      expect(await readText(raw, bucket, 'dots/./single.txt')).toBeNull();
      expect(await readText(raw, bucket, 'dots/single.txt')).toBe('PLAIN');

      await drive.rename(`x/${RESERVED}../y.txt`, `x/${RESERVED}.`);
      expect(await readText(raw, bucket, 'x/.')).toBe('UP');
      expect(await readText(raw, bucket, 'y.txt')).toBe('ROOT Y');
    });

    dots('gives download links that reach exactly their key', async () => {
      await put(raw, bucket, 'dl/./a.txt', 'DOT');
      await put(raw, bucket, 'dl/a.txt', 'PLAIN');
      const url = await createDownloadUrl(
        {
          connector: {
            id: 't',
            endpoint: server.endpoint,
            region: 'us-east-1',
            backend: 'direct',
            access_key_id: server.key
          },
          secretAccessKey: server.key
        },
        s3,
        bucket
      )('dl/./a.txt');
      const answer = await fetch(url);
      expect(answer.status).toBe(200);
      expect(await answer.text()).toBe('DOT');
      // The drive's own link, as JupyterLab's Download asks for it.
      const link = await drive.getDownloadUrl(`dl/${RESERVED}./a.txt`);
      const downloaded = await fetch(link);
      expect(await downloaded.text()).toBe('DOT');
      expect(downloaded.headers.get('content-disposition')).toMatch(
        /^attachment/
      );
    });

    const encoded = server.urlEncoding ? it : () => undefined;

    encoded(
      'lists keys XML cannot carry, and copies them under their name',
      async () => {
        const keys = [
          'ctl/a\x01b.txt',
          'ctl/cr\rlf.txt',
          'ctl/tab\there+plus %.txt'
        ];
        for (const key of keys) {
          await put(raw, bucket, key, key);
        }
        const listing = await drive.get('ctl');
        expect(names(listing)).toEqual(keys.map(key => key.slice(4)).sort());
        for (const key of keys) {
          expect((await drive.get(key, { format: 'text' })).content).toBe(key);
        }
        await drive.copy('ctl/cr\rlf.txt', 'ctl');
        expect(await readText(raw, bucket, 'ctl/cr\rlf-Copy1.txt')).toBe(
          'ctl/cr\rlf.txt'
        );
        expect(await allKeys(raw, bucket)).toEqual(
          [...keys, 'ctl/cr\rlf-Copy1.txt'].sort()
        );
      }
    );

    it('keeps its checkpoint folder apart from an object of the same name', async () => {
      await put(raw, bucket, 'f/a.txt', 'a');
      await put(raw, bucket, 'f/.ipynb_checkpoints', 'USER OBJECT');
      await drive.createCheckpoint('f/a.txt');
      const checkpoint = 'f/.ipynb_checkpoints/a-checkpoint.txt';
      expect(await readText(raw, bucket, checkpoint)).toBe('a');

      const listing = await drive.get('f');
      const object = child(listing, `${SHADOWED}.ipynb_checkpoints`);
      expect(object.type).toBe('file');
      expect(
        (listing.content as Contents.IModel[]).filter(
          m => m.type === 'directory'
        )
      ).toEqual([]);

      await drive.rename(object.path, 'f/renamed');
      expect(await readText(raw, bucket, 'f/renamed')).toBe('USER OBJECT');
      expect(await readText(raw, bucket, checkpoint)).toBe('a');
      await put(raw, bucket, 'f/.ipynb_checkpoints', 'AGAIN');
      // Even named plainly, the path is the object, never the drive's folder.
      await drive.delete('f/.ipynb_checkpoints');
      expect(await readText(raw, bucket, 'f/.ipynb_checkpoints')).toBeNull();
      expect(await readText(raw, bucket, checkpoint)).toBe('a');
    });
  }
);

describe('keys of drive paths', () => {
  it('maps every marked path back to its key, below the prefix', () => {
    const drive = makeDrive(client(), 'any-bucket', { prefix: 'top/' });
    expect(drive.keyOf(`a/${RESERVED}./b.txt`)).toBe('top/a/./b.txt');
    expect(drive.keyOf(`a/${RESERVED}/b`)).toBe('top/a//b');
    expect(drive.keyOf(`${SHADOWED}x`)).toBe('top/x');
    expect(drive.keyOf('dir', true)).toBe('top/dir/');
    expect(drive.keyOf('', true)).toBe('top/');
    drive.dispose();
  });
});

describe('a deactivated drive', () => {
  it('refuses every call, since JupyterLab cannot remove it', async () => {
    const raw = rawClient();
    const bucket = await makeBucket(raw);
    await put(raw, bucket, 'kept.txt', 'kept');
    const drive = makeDrive(client(), bucket, { name: 'gone' });
    await drive.get('kept.txt');
    drive.dispose();
    const inactive = { code: 'Inactive', message: /"gone" is not active/ };
    await expect(drive.get('kept.txt')).rejects.toMatchObject(inactive);
    await expect(
      drive.save('kept.txt', { type: 'file', format: 'text', content: 'x' })
    ).rejects.toMatchObject(inactive);
    await expect(drive.delete('kept.txt')).rejects.toMatchObject(inactive);
    await expect(drive.getDownloadUrl('kept.txt')).rejects.toMatchObject(
      inactive
    );
    expect(await readText(raw, bucket, 'kept.txt')).toBe('kept');
  });
});

describe('checkpoint folder in a versioned bucket', () => {
  it('is an ordinary folder, since checkpoints are versions', async () => {
    const raw = rawClient();
    const bucket = await makeBucket(raw, { versioned: true });
    await put(raw, bucket, '.ipynb_checkpoints/note.txt', 'mine');
    const drive = makeDrive(client(), bucket);
    const listing = await drive.get('');
    expect(child(listing, '.ipynb_checkpoints').type).toBe('directory');
    drive.dispose();
  });
});
