/**
 * Rows 5, 5b and 5c: opening a large file through `S3Drive.get`, as the
 * document manager asks it, against a raw `GetObject`.
 */
import {
  GetObjectCommand,
  PutObjectCommand,
  S3Client
} from '@aws-sdk/client-s3';
import { Contents } from '@jupyterlab/services';
import { randomBytes } from 'crypto';
import { performance } from 'perf_hooks';

import { S3Drive } from '../../src/drive';
import { BUCKET, CFG, wants } from '../config';
import { alternate, asInformation, check, timeRow } from '../lib/report';
import { MiB } from '../lib/stats';
import { INodeBench } from './clients';

const now = () => performance.now();

async function timedRawGet(s3: S3Client, key: string, size: number) {
  const t0 = now();
  const answer = await s3.send(
    new GetObjectCommand({ Bucket: BUCKET, Key: key })
  );
  const bytes = await answer.Body!.transformToByteArray();
  const ms = now() - t0;
  check(bytes.length === size, `GetObject gave ${bytes.length} bytes`);
  return ms;
}

async function timedDriveOpen(
  drive: S3Drive,
  path: string,
  format: 'text' | 'base64',
  check1: (model: Contents.IModel) => boolean
) {
  const t0 = now();
  // As the document manager opens a file: its factory's type and format.
  const model = await drive.get(path, { type: 'file', format, content: true });
  const ms = now() - t0;
  check(check1(model), `opened ${path} has the wrong content`);
  return ms;
}

export async function benchOpen(bench: INodeBench): Promise<void> {
  if (!wants(5)) {
    return;
  }
  const { s3, direct } = bench;
  const size = CFG.openMiB * MiB;
  const line = 'id,value,label,comment\n';
  const text = Buffer.alloc(size, line);
  await s3.send(
    new PutObjectCommand({
      Bucket: BUCKET,
      Key: 'open/data.csv',
      Body: text,
      ContentLength: size
    })
  );
  const binary = randomBytes(size);
  await s3.send(
    new PutObjectCommand({
      Bucket: BUCKET,
      Key: 'open/data.bin',
      Body: binary,
      ContentLength: size
    })
  );
  process.stderr.write(
    `#5 open a ${CFG.openMiB} MiB CSV (text), drive vs raw GetObject\n`
  );
  const samples = await alternate(
    '#5',
    () =>
      timedDriveOpen(
        direct,
        'open/data.csv',
        'text',
        m => (m.content as string).length === size
      ),
    () => timedRawGet(s3, 'open/data.csv', size),
    CFG.rounds
  );
  timeRow(
    '5',
    `S3Drive.get of a ${CFG.openMiB} MiB CSV (text, direct)`,
    `raw GetObject + bytes`,
    samples,
    1.2
  );
  process.stderr.write(
    `#5c open the CSV, drive vs raw GetObject + UTF-8 decoding\n`
  );
  const decoded = await alternate(
    '#5c',
    () =>
      timedDriveOpen(
        direct,
        'open/data.csv',
        'text',
        m => (m.content as string).length === size
      ),
    async () => {
      const t0 = now();
      const answer = await s3.send(
        new GetObjectCommand({ Bucket: BUCKET, Key: 'open/data.csv' })
      );
      const bytes = await answer.Body!.transformToByteArray();
      const text = new TextDecoder('utf-8', { fatal: true }).decode(bytes);
      const ms = now() - t0;
      check(text.length === size, `decoded ${text.length} characters`);
      return ms;
    },
    CFG.rounds
  );
  timeRow(
    '5c',
    `(the same drive open of the CSV)`,
    `raw GetObject + bytes + strict UTF-8 decode (TextDecoder)`,
    decoded,
    1.2
  );
  asInformation('(info) ≤ 1.2');
  process.stderr.write(
    `#5b open a ${CFG.openMiB} MiB binary (base64), drive vs raw GetObject\n`
  );
  const b64 = await alternate(
    '#5b',
    () =>
      timedDriveOpen(
        direct,
        'open/data.bin',
        'base64',
        m => (m.content as string).length === Math.ceil(size / 3) * 4
      ),
    () => timedRawGet(s3, 'open/data.bin', size),
    CFG.rounds
  );
  timeRow(
    '5b',
    `S3Drive.get of a ${CFG.openMiB} MiB binary (base64, direct)`,
    `raw GetObject + bytes`,
    b64,
    1.2
  );
}
