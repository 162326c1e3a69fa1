/* eslint-disable @typescript-eslint/no-explicit-any -- Node scripts driving a page */
/**
 * Helpers of bench #9 (page.ts): the floor's script, the browser, the page's
 * init script, the bucket and its objects.
 */
import {
  CreateBucketCommand,
  PutBucketCorsCommand,
  PutObjectCommand,
  S3Client
} from '@aws-sdk/client-s3';
import * as fs from 'fs';
import * as path from 'path';

import { ROOT } from '../lib/servers';

export const FOLDER = 'many';

export const MiB = 1024 * 1024;

export function check(condition: unknown, message: string): asserts condition {
  if (!condition) {
    throw new Error(`BROKEN: ${message}`);
  }
}

/** A script of this folder (`floor.ts`, `inpage.ts`), bundled for the browser. */
export async function pageScript(file: string): Promise<string> {
  // eslint-disable-next-line @typescript-eslint/no-require-imports -- tsx's own esbuild
  const esbuild = require(path.join(ROOT, 'node_modules', 'esbuild'));
  const out = await esbuild.build({
    entryPoints: [path.join(__dirname, file)],
    bundle: true,
    write: false,
    platform: 'browser',
    format: 'iife',
    target: 'es2020',
    minify: true,
    logLevel: 'silent'
  });
  return out.outputFiles[0].text;
}

/** The floor's script, bundled for the browser. */
export function floorScript(): Promise<string> {
  return pageScript('floor.ts');
}

/** Playwright's Chromium driver (the copy installed for the UI tests). */
export function chromium(): any {
  const where = path.join(ROOT, 'ui-tests', 'node_modules', 'playwright-core');
  check(
    fs.existsSync(where),
    `${where} is missing: run \`cd ui-tests && jlpm install\``
  );
  // eslint-disable-next-line @typescript-eslint/no-require-imports -- ui-tests' own copy
  return require(where).chromium;
}

/** Set in the page before JupyterLab starts: no cap on Resource Timing entries. */
export function initScript(): void {
  performance.setResourceTimingBufferSize(1000000);
}

export function browserId(name: string): string {
  return `jp-S3Connectors-browser-${name}`;
}

/** A bucket with a CORS rule: the direct backend's page talks to S3 itself. */
export async function createBucket(
  s3: S3Client,
  bucket: string
): Promise<void> {
  await s3.send(new CreateBucketCommand({ Bucket: bucket }));
  await s3.send(
    new PutBucketCorsCommand({
      Bucket: bucket,
      CORSConfiguration: {
        CORSRules: [
          {
            AllowedOrigins: ['*'],
            AllowedMethods: ['GET', 'PUT', 'POST', 'DELETE', 'HEAD'],
            // S3 answers a preflight with the asked headers by name; moto
            // answers with the rule as written, and `*` does not cover
            // `Authorization` in Chromium's preflight cache: naming it keeps
            // moto's answers reusable as S3's are.
            AllowedHeaders: ['*', 'Authorization'],
            ExposeHeaders: [
              'ETag',
              'x-amz-version-id',
              'Content-Range',
              'Content-Length',
              'Last-Modified'
            ],
            MaxAgeSeconds: 600
          }
        ]
      }
    })
  );
}

/** `count` small objects in the folder, 16 PutObject at a time. */
export async function populate(
  s3: S3Client,
  bucket: string,
  count: number
): Promise<void> {
  const t0 = Date.now();
  let next = 0;
  const worker = async () => {
    while (next < count) {
      const i = next++;
      await s3.send(
        new PutObjectCommand({
          Bucket: bucket,
          Key: `${FOLDER}/object-${String(i).padStart(6, '0')}.txt`,
          Body: `object ${i}\n`
        })
      );
    }
  };
  await Promise.all(Array.from({ length: 16 }, worker));
  process.stderr.write(
    `  ${count} objects in ${FOLDER}/ in ${((Date.now() - t0) / 1000).toFixed(1)} s\n`
  );
}
