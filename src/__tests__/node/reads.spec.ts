/**
 * What the drive asks S3 when JupyterLab's file browser visits and refreshes
 * folders: a folder seen in a listing is listed, never headed (a head of a
 * folder's path answers 404, which the browser logs as an error and the
 * proxy as a warning).
 */
import { S3Client } from '@aws-sdk/client-s3';

import { S3Drive } from '../../drive';
import { client, makeBucket, makeDrive, put, rawClient } from './helpers';

/** A client that records the name of every command it sends. */
function recordingClient(): { s3: S3Client; sent: string[] } {
  const s3 = client();
  const sent: string[] = [];
  s3.middlewareStack.add(
    (next, context) => async args => {
      sent.push(context.commandName as string);
      return next(args);
    },
    { step: 'initialize', name: 'recordCommands' }
  );
  return { s3, sent };
}

describe('folder visits', () => {
  const raw = rawClient();
  let bucket: string;
  let drive: S3Drive;
  let sent: string[];

  beforeEach(async () => {
    bucket = await makeBucket(raw);
    await put(raw, bucket, 'data/a.csv', 'a,b\n');
    await put(raw, bucket, 'data/deeper/b.txt', 'b');
    const recording = recordingClient();
    sent = recording.sent;
    drive = makeDrive(recording.s3, bucket);
  });

  afterEach(() => {
    drive.dispose();
  });

  it('lists a folder seen in its parent without heading it', async () => {
    await drive.get('', { content: true });
    sent.length = 0;
    const listing = await drive.get('data', { content: true });
    expect(listing.type).toBe('directory');
    expect(sent).not.toContain('HeadObjectCommand');
    sent.length = 0;
    // A refresh of the folder shown, and a visit one level down.
    await drive.get('data', { content: true });
    await drive.get('data/deeper', { content: true });
    expect(sent).not.toContain('HeadObjectCommand');
    expect(sent.every(name => name === 'ListObjectsV2Command')).toBe(true);
  });

  it('finds a file where it saw a folder that another writer replaced', async () => {
    await drive.get('', { content: true });
    const other = makeDrive(client(), bucket, { name: 'other' });
    await other.delete('data');
    other.dispose();
    await put(raw, bucket, 'data', 'now a file');
    const model = await drive.get('data', { content: true });
    expect(model.type).toBe('file');
    expect(Buffer.from(model.content, 'base64').toString()).toBe('now a file');
  });

  it('answers 404 for a folder seen in a listing and since removed by another writer', async () => {
    await drive.get('', { content: true });
    const other = makeDrive(client(), bucket, { name: 'other' });
    await other.delete('data');
    other.dispose();
    await expect(drive.get('data', { content: true })).rejects.toMatchObject({
      status: 404
    });
  });

  it('heads a path it has not seen as a folder (a file opened by path)', async () => {
    await put(raw, bucket, 'top.txt', 'top');
    const model = await drive.get('top.txt', { content: true });
    expect(model.type).toBe('file');
    expect(sent).toContain('HeadObjectCommand');
  });
});
