/**
 * UI tests of uploads in the bucket browsers: the upload button sends the
 * file itself as a multipart upload (parts of the File, no base64), shows its
 * progress with a Cancel button, asks before replacing a file, and leaves
 * nothing behind when cancelled. Against the moto S3 server started by
 * jupyter_server_test_config.py, through both backends.
 *
 * Each test creates the connector it uses (names starting with `upload-`)
 * and writes below `scratch/upload-<run id>/`.
 */
import { expect, test } from '@jupyterlab/galata';
import type { IJupyterLabPageFixture } from '@jupyterlab/galata';
import type { Locator } from '@playwright/test';
import * as crypto from 'crypto';

import {
  deleteConnectors,
  entry,
  getObject,
  goTo,
  motoRequest,
  mountConnector,
  objectExists,
  openBrowser,
  putObject
} from './helpers';

const PREFIX = 'upload-';
const RUN = crypto.randomBytes(4).toString('hex');
const MiB = 1024 * 1024;

/** The buckets of jupyter_server_test_config.py, per backend. */
const BUCKETS = { proxy: 'galata-drive', direct: 'galata-direct' } as const;

/** Bytes that differ from one part to the next. */
function pattern(size: number, seed: number): Buffer {
  const bytes = Buffer.alloc(size);
  for (let i = 0; i < size; i++) {
    bytes[i] = (i * 7 + seed + (i >>> 20) * 13 + (i >>> 8)) & 0xff;
  }
  return bytes;
}

/** Choose a file with the browser's upload button. */
async function upload(
  page: IJupyterLabPageFixture,
  browser: Locator,
  name: string,
  buffer: Buffer
): Promise<void> {
  const chooser = page.waitForEvent('filechooser');
  await browser.locator('.jp-Toolbar .jp-id-upload').click();
  await (
    await chooser
  ).setFiles({ name, mimeType: 'application/octet-stream', buffer });
}

/** Whether multipart uploads are pending in a bucket. */
async function pendingUploads(
  page: IJupyterLabPageFixture,
  bucket: string
): Promise<boolean> {
  const answer = await motoRequest(page.request, 'GET', bucket, '?uploads');
  expect(answer.status()).toBe(200);
  return (await answer.text()).includes('<Upload>');
}

test.afterEach(async ({ request }) => {
  await deleteConnectors(request, PREFIX);
});

for (const backend of ['proxy', 'direct'] as const) {
  const bucket = BUCKETS[backend];

  test(`${backend}: a file goes as its parts, and arrives whole`, async ({
    page
  }) => {
    const folder = `scratch/upload-${RUN}-${backend}`;
    await putObject(page.request, bucket, `${folder}/README.txt`, 'uploads\n');
    const name = `${PREFIX}${backend}-${RUN}`;
    await mountConnector(page.request, { name, bucket, backend });
    await page.reload();
    const browser = await openBrowser(page, name);
    await goTo(browser, folder);

    const file = 'twelve.bin';
    const bytes = pattern(12 * MiB + 321, 1);
    const parts: string[] = [];
    page.on('request', request => {
      if (request.method() === 'PUT' && request.url().includes('partNumber=')) {
        parts.push(request.url());
      }
    });
    await upload(page, browser, file, bytes);
    await expect(entry(browser, file)).toBeVisible({ timeout: 60000 });
    const stored = await getObject(page.request, bucket, `${folder}/${file}`);
    expect(stored?.equals(bytes)).toBe(true);
    expect(parts).toHaveLength(3);
    expect(await pendingUploads(page, bucket)).toBe(false);
  });
}

test('Cancel in the notification stops the upload and leaves nothing', async ({
  page
}) => {
  const bucket = BUCKETS.proxy;
  const folder = `scratch/upload-${RUN}-cancel`;
  await putObject(page.request, bucket, `${folder}/README.txt`, 'uploads\n');
  const name = `${PREFIX}cancel-${RUN}`;
  await mountConnector(page.request, { name, bucket });
  await page.reload();
  const browser = await openBrowser(page, name);
  await goTo(browser, folder);

  // Hold the parts until Cancel was clicked, so that the upload is surely
  // still going on when it is.
  let release: () => void = () => undefined;
  const cancelled = new Promise<void>(resolve => {
    release = resolve;
  });
  await page.route(/partNumber=/, async route => {
    await cancelled;
    await route.continue();
  });

  const file = 'cancelled.bin';
  await upload(page, browser, file, pattern(30 * MiB, 2));
  const notice = page.locator('.Toastify__toast', { hasText: file });
  await expect(notice).toContainText('Uploading');
  await notice.getByRole('button', { name: 'Cancel' }).click();
  release();

  const dialog = page.locator('.jp-Dialog');
  await expect(dialog).toContainText('was cancelled: nothing was written');
  await dialog.getByRole('button', { name: 'Close' }).click();
  await expect(notice).toContainText('was cancelled');
  expect(await objectExists(page.request, bucket, `${folder}/${file}`)).toBe(
    false
  );
  await expect.poll(() => pendingUploads(page, bucket)).toBe(false);
  await expect(entry(browser, file)).toHaveCount(0);
});

test('an existing file is replaced only after "Overwrite"', async ({
  page
}) => {
  const bucket = BUCKETS.proxy;
  const folder = `scratch/upload-${RUN}-overwrite`;
  const key = `${folder}/data.csv`;
  await putObject(page.request, bucket, key, 'a,b\n1,2\n');
  const name = `${PREFIX}overwrite-${RUN}`;
  await mountConnector(page.request, { name, bucket });
  await page.reload();
  const browser = await openBrowser(page, name);
  await goTo(browser, folder);
  await expect(entry(browser, 'data.csv')).toBeVisible();

  const dialog = page.locator('.jp-Dialog');
  await upload(page, browser, 'data.csv', Buffer.from('x,y\n'));
  await expect(dialog).toContainText('already exists');
  await dialog.getByRole('button', { name: 'Cancel' }).click();
  // JupyterLab's upload reports the refusal as an upload error.
  await expect(dialog).toContainText('File not uploaded');
  await dialog.getByRole('button', { name: 'Close' }).click();
  expect((await getObject(page.request, bucket, key))?.toString('utf-8')).toBe(
    'a,b\n1,2\n'
  );

  await upload(page, browser, 'data.csv', Buffer.from('x,y\n'));
  await expect(dialog).toContainText('already exists');
  await dialog.getByRole('button', { name: 'Overwrite' }).click();
  await expect
    .poll(async () =>
      (await getObject(page.request, bucket, key))?.toString('utf-8')
    )
    .toBe('x,y\n');
});

test('a file changed by someone else since the listing is not overwritten', async ({
  page
}) => {
  const bucket = BUCKETS.proxy;
  const folder = `scratch/upload-${RUN}-race`;
  const key = `${folder}/shared.txt`;
  await putObject(page.request, bucket, key, 'first\n');
  const name = `${PREFIX}race-${RUN}`;
  await mountConnector(page.request, { name, bucket });
  await page.reload();
  const browser = await openBrowser(page, name);
  await goTo(browser, folder);
  await expect(entry(browser, 'shared.txt')).toBeVisible();

  const dialog = page.locator('.jp-Dialog');
  await upload(page, browser, 'shared.txt', Buffer.from('mine\n'));
  await expect(dialog).toContainText('already exists');
  // Another writer, while the question is open.
  await putObject(page.request, bucket, key, 'theirs\n');
  await dialog.getByRole('button', { name: 'Overwrite' }).click();
  await expect(dialog).toContainText('changed');
  await dialog.getByRole('button', { name: 'Close' }).click();
  expect((await getObject(page.request, bucket, key))?.toString('utf-8')).toBe(
    'theirs\n'
  );
});

test('a file with spaces, +, % and accents arrives under its own name', async ({
  page
}) => {
  const bucket = BUCKETS.proxy;
  const folder = `scratch/upload-${RUN}-names`;
  await putObject(page.request, bucket, `${folder}/README.txt`, 'names\n');
  const name = `${PREFIX}names-${RUN}`;
  await mountConnector(page.request, { name, bucket });
  await page.reload();
  const browser = await openBrowser(page, name);
  await goTo(browser, folder);
  const file = 'a b+c%d é.txt';
  await upload(page, browser, file, Buffer.from('odd name\n'));
  await expect(entry(browser, file)).toBeVisible();
  expect(
    (await getObject(page.request, bucket, `${folder}/${file}`))?.toString()
  ).toBe('odd name\n');
});
