/**
 * The drive never loses data and never reaches another object than the one
 * named, in Chromium (which rewrites URLs and caches answers), through both
 * backends, against moto and s3rver (started by jupyter_server_test_config.py).
 *
 * The bucket is seeded and checked with the AWS SDK from the test process
 * (Node's `http` sends paths as they are), and read through the JupyterLab
 * contents manager of the page, that is through the extension's drive.
 */
import {
  GetObjectCommand,
  PutObjectCommand,
  S3Client
} from '@aws-sdk/client-s3';
import { expect, test } from '@jupyterlab/galata';
import type { IJupyterLabPageFixture } from '@jupyterlab/galata';
import type { Browser, BrowserContext, Page } from '@playwright/test';
import * as crypto from 'crypto';

import {
  activateConnector,
  browserId,
  createConnector,
  driveName,
  endpointFile,
  removeConnector as removeConnectorById,
  removeConnectors
} from './helpers';

const RUN = crypto.randomBytes(4).toString('hex');
/** The folder of this run in every bucket. */
const ROOT = `integrity-${RUN}`;
/** The symbol that starts the drive's names of odd key segments. */
const RESERVED = '\u2400';

interface IServer {
  name: string;
  endpoint: string;
  bucket: string;
  key: string;
  /** Whether it checks If-Match (s3rver doesn't: the drive checks first). */
  conditional: boolean;
  /** Whether it stores `.`/`..` segments (s3rver's files can't). */
  dotSegments: boolean;
  /** Whether it honours encoding-type=url. */
  urlEncoding: boolean;
}

const SERVERS: IServer[] = [
  {
    name: 'moto',
    endpoint: endpointFile('.moto-endpoint.json'),
    bucket: 'galata-direct',
    key: 'galata-key',
    conditional: true,
    dotSegments: true,
    urlEncoding: true
  },
  {
    name: 's3rver',
    endpoint: endpointFile('.s3rver-endpoint.json'),
    bucket: 'galata-s3rver',
    key: 'S3RVER',
    conditional: false,
    dotSegments: false,
    urlEncoding: false
  }
];

const BACKENDS = ['proxy', 'direct'] as const;

function sdk(server: IServer): S3Client {
  return new S3Client({
    endpoint: server.endpoint,
    region: 'us-east-1',
    forcePathStyle: true,
    credentials: { accessKeyId: server.key, secretAccessKey: server.key },
    requestChecksumCalculation: 'WHEN_REQUIRED',
    responseChecksumValidation: 'WHEN_REQUIRED'
  });
}

async function putObject(
  server: IServer,
  key: string,
  body: string | Uint8Array,
  extra: { CacheControl?: string } = {}
): Promise<string | undefined> {
  const answer = await sdk(server).send(
    new PutObjectCommand({
      Bucket: server.bucket,
      Key: key,
      Body: typeof body === 'string' ? Buffer.from(body) : body,
      ContentType: 'text/plain',
      ...extra
    })
  );
  return answer.ETag;
}

async function getObject(server: IServer, key: string): Promise<Buffer | null> {
  try {
    const answer = await sdk(server).send(
      new GetObjectCommand({ Bucket: server.bucket, Key: key })
    );
    return Buffer.from(await answer.Body!.transformToByteArray());
  } catch (error) {
    if ((error as Error).name === 'NoSuchKey') {
      return null;
    }
    throw error;
  }
}

async function text(server: IServer, key: string): Promise<string | null> {
  const bytes = await getObject(server, key);
  return bytes === null ? null : bytes.toString('utf-8');
}

/**
 * Make another writer PUT `body` to `key` once, right after the page's next
 * save of it: when the first HEAD after a PUT of the key goes out (the drive
 * checks what it saved), before that HEAD reaches the server.
 */
async function otherWriterAfterSave(
  page: Page,
  server: IServer,
  key: string,
  body: string
): Promise<{ done: () => boolean }> {
  const name = key.slice(key.lastIndexOf('/'));
  let saved = false;
  let done = false;
  await page.route(
    url => url.pathname.endsWith(name),
    async route => {
      const method = route.request().method();
      if (!done && method === 'PUT') {
        saved = true;
      } else if (!done && saved && method === 'HEAD') {
        done = true;
        await putObject(server, key, body);
      }
      await route.continue();
    }
  );
  return { done: () => done };
}

/** Create and activate a connector, then reload so the page mounts it. */
async function activeConnector(
  page: IJupyterLabPageFixture,
  server: IServer,
  backend: 'proxy' | 'direct'
): Promise<{ id: string; name: string; drive: string }> {
  const name = `int-${server.name}-${backend}`.replace(/[^a-z0-9-]/g, '');
  await removeConnectors(page.request, [name]);
  const connector = await createConnector(page.request, {
    name,
    description: 'Created by the integrity UI tests',
    endpoint: server.endpoint,
    bucket: server.bucket,
    access_key_id: server.key,
    secret_access_key: server.key,
    backend
  });
  await activateConnector(page.request, connector.id);
  await page.reload();
  await expect(page.sidebar.getTabLocator(browserId(name))).toHaveCount(1);
  const drive = driveName(connector.id);
  await waitForDrive(page, drive);
  return { id: connector.id, name, drive };
}

/**
 * Wait until the page has the connector's drive: the contents manager sends
 * paths of an unknown drive to the Jupyter server, which answers with the
 * default drive's paths.
 */
async function waitForDrive(page: Page, drive: string): Promise<void> {
  await expect
    .poll(() =>
      page.evaluate(
        name =>
          (window as any).jupyterapp?.serviceManager.contents
            .get(`${name}:`, { content: false })
            .then((model: { path: string }) => model.path === `${name}:`)
            .catch(() => false) ?? false,
        drive
      )
    )
    .toBe(true);
}

/**
 * JupyterLab in a page of its own, with the drive: Galata's page routes
 * requests, which turns Chromium's HTTP cache off, and the tests of the
 * browser's caches need them as a user's browser has them.
 */
async function plainPage(
  browser: Browser,
  baseURL: string | undefined,
  drive: string
): Promise<{ context: BrowserContext; plain: Page }> {
  const context = await browser.newContext();
  const plain = await context.newPage();
  await plain.goto(`${baseURL}/lab`);
  await waitForDrive(plain, drive);
  return { context, plain };
}

async function removeConnector(
  page: IJupyterLabPageFixture,
  id: string
): Promise<void> {
  await removeConnectorById(page.request, { id, active: true });
}

type ContentsResult =
  | { ok: true; content: string; size: number }
  | { ok: false; message: string; status?: number };

/** Run a contents-manager call in the page. */
async function contents(
  page: Page,
  call: 'get' | 'save' | 'delete' | 'rename' | 'copy',
  args: unknown[]
): Promise<ContentsResult> {
  return page.evaluate(
    async ({ call, args }) => {
      const manager = (window as any).jupyterapp.serviceManager.contents;
      try {
        const model = await manager[call](...args);
        return {
          ok: true,
          content: typeof model?.content === 'string' ? model.content : '',
          size: model?.size ?? 0
        };
      } catch (error: any) {
        return {
          ok: false,
          message: String(error?.message ?? error),
          status: error?.response?.status ?? error?.status
        };
      }
    },
    { call, args }
  );
}

function getText(page: Page, drivePath: string) {
  return contents(page, 'get', [
    drivePath,
    { type: 'file', format: 'text', content: true }
  ]);
}

async function saveText(
  page: Page,
  drivePath: string,
  content: string
): Promise<ContentsResult> {
  const result = await contents(page, 'save', [
    drivePath,
    { type: 'file', format: 'text', content }
  ]);
  // The message of an unexpected failure, in the test's output.
  test.info().annotations.push({
    type: 'save',
    description: `${drivePath}: ${JSON.stringify(result)}`
  });
  return result;
}

for (const server of SERVERS) {
  for (const backend of BACKENDS) {
    test.describe(`integrity: ${server.name}, ${backend}`, () => {
      test('a write between our save and its check is never overwritten', async ({
        page
      }) => {
        const { id, drive } = await activeConnector(page, server, backend);
        const key = `${ROOT}/${backend}/race.txt`;
        await putObject(server, key, 'v1');
        expect(await getText(page, `${drive}:${key}`)).toMatchObject({
          ok: true,
          content: 'v1'
        });
        // The other writer's PUT lands right after ours, before the drive's
        // HeadObject of the saved file.
        const race = await otherWriterAfterSave(
          page,
          server,
          key,
          'OTHER WRITER'
        );
        expect(await saveText(page, `${drive}:${key}`, 'v2')).toMatchObject({
          ok: true
        });
        expect(race.done()).toBe(true);
        expect(await text(server, key)).toBe('OTHER WRITER');
        const second = await saveText(page, `${drive}:${key}`, 'v3');
        expect(second).toMatchObject({ ok: false });
        expect((second as { message: string }).message).toMatch(
          /changed in the bucket/
        );
        expect(await text(server, key)).toBe('OTHER WRITER');
        await removeConnector(page, id);
      });

      test('typing and saving after another write shows "File Changed"', async ({
        page
      }) => {
        const { id, drive } = await activeConnector(page, server, backend);
        const key = `${ROOT}/${backend}/typed.txt`;
        await putObject(server, key, 'first line\n');
        await page.evaluate(
          path =>
            (window as any).jupyterapp.commands.execute('docmanager:open', {
              path,
              factory: 'Editor'
            }),
          `${drive}:${key}`
        );
        const editor = page.locator('.jp-FileEditor:visible .cm-content');
        await expect(editor).toContainText('first line');
        const tab = page.locator('#jp-main-dock-panel .lm-TabBar-tab', {
          hasText: 'typed.txt'
        });
        await editor.click();
        await page.keyboard.press('Control+End');
        await page.keyboard.type('mine 1');
        const race = await otherWriterAfterSave(
          page,
          server,
          key,
          'OTHER WRITER\n'
        );
        await page.keyboard.press('Control+s');
        await expect(tab).not.toHaveClass(/jp-mod-dirty/);
        await expect.poll(() => race.done()).toBe(true);
        await expect.poll(() => text(server, key)).toBe('OTHER WRITER\n');

        await editor.click();
        await page.keyboard.type(' and 2');
        await page.keyboard.press('Control+s');
        const dialog = page.locator('.jp-Dialog');
        await expect(dialog).toContainText('File Changed');
        // Nothing was written, and cancelling keeps the user's text.
        expect(await text(server, key)).toBe('OTHER WRITER\n');
        await dialog.getByRole('button', { name: 'Cancel' }).click();
        await expect(editor).toContainText('mine 1 and 2');
        await expect(tab).toHaveClass(/jp-mod-dirty/);
        expect(await text(server, key)).toBe('OTHER WRITER\n');
        await removeConnector(page, id);
      });

      // A page of its own answers CORS preflights for real, and moto answers
      // those of object URLs with a 403: direct on moto can't run there.
      const realCors = backend === 'proxy' || server.name !== 'moto';
      if (realCors) {
        test('an object changed elsewhere is read afresh, never from the cache', async ({
          page,
          browser,
          baseURL
        }) => {
          const { id, drive } = await activeConnector(page, server, backend);
          const { context, plain } = await plainPage(browser, baseURL, drive);
          const key = `${ROOT}/${backend}/cached.txt`;
          // An object whose own header lets caches keep it for an hour.
          await putObject(server, key, 'first version', {
            CacheControl: 'max-age=3600'
          });
          expect(await getText(plain, `${drive}:${key}`)).toMatchObject({
            content: 'first version'
          });
          await putObject(server, key, 'second version', {
            CacheControl: 'max-age=3600'
          });
          expect(await getText(plain, `${drive}:${key}`)).toMatchObject({
            content: 'second version'
          });
          // A HEAD (the model without content) sees each new version too.
          const size = async () => {
            const model = await contents(plain, 'get', [
              `${drive}:${key}`,
              { type: 'file', content: false }
            ]);
            return model.ok ? model.size : -1;
          };
          expect(await size()).toBe('second version'.length);
          await putObject(server, key, 'the third, longer version', {
            CacheControl: 'max-age=3600'
          });
          expect(await size()).toBe('the third, longer version'.length);
          // And a save now is a save over the version just read.
          expect(
            await saveText(plain, `${drive}:${key}`, 'third version')
          ).toMatchObject({ ok: true });
          expect(await text(server, key)).toBe('third version');
          await context.close();
          await removeConnector(page, id);
        });
      }

      // s3rver, like S3, answers a preflight with the asked headers by name;
      // moto answers `*`, which Chromium's preflight cache never takes for
      // `Authorization`.
      if (backend === 'direct' && server.name === 's3rver') {
        test('the HEADs of a file reuse their CORS preflight', async ({
          page,
          browser,
          baseURL
        }) => {
          const { id, drive } = await activeConnector(page, server, backend);
          const { context, plain } = await plainPage(browser, baseURL, drive);
          const key = `${ROOT}/${backend}/preflight.txt`;
          await putObject(server, key, 'v0');
          const cdp = await context.newCDPSession(plain);
          // Requests and preflights by method.
          const sent = {
            requests: {} as Record<string, number>,
            preflights: {} as Record<string, number>
          };
          cdp.on('Network.requestWillBeSent', event => {
            const { method, url, headers } = event.request;
            if (!new URL(url).pathname.endsWith(key)) {
              return;
            }
            const [count, asked] =
              method === 'OPTIONS'
                ? [sent.preflights, headers['Access-Control-Request-Method']]
                : [sent.requests, method];
            count[asked] = (count[asked] ?? 0) + 1;
          });
          await cdp.send('Network.enable');
          for (let i = 1; i <= 4; i++) {
            expect(
              await contents(plain, 'get', [
                `${drive}:${key}`,
                { type: 'file', content: false }
              ])
            ).toMatchObject({ ok: true });
            expect(
              await saveText(plain, `${drive}:${key}`, `version ${i}`)
            ).toMatchObject({ ok: true });
          }
          expect(await text(server, key)).toBe('version 4');
          test.info().annotations.push({
            type: 'requests',
            description: JSON.stringify(sent)
          });
          // Four HEADs and more (the saves check what they wrote), one
          // preflight for all of them. A save's PUT carries If-Match, and
          // fetch turns such a request's cache mode to `no-store`: its
          // preflight is sent each time.
          expect(sent.requests['HEAD']).toBeGreaterThanOrEqual(4);
          expect(sent.preflights['HEAD'] ?? 0).toBeLessThanOrEqual(1);
          expect(sent.requests['PUT']).toBe(4);
          await context.close();
          await removeConnector(page, id);
        });
      }

      test('text keeps its byte order mark and line endings', async ({
        page
      }) => {
        const { id, drive } = await activeConnector(page, server, backend);
        const key = `${ROOT}/${backend}/bom.csv`;
        const bytes = Buffer.concat([
          Buffer.from([0xef, 0xbb, 0xbf]),
          Buffer.from('a,b\r\n1,2\r\n')
        ]);
        await putObject(server, key, bytes);
        const opened = await getText(page, `${drive}:${key}`);
        expect(opened).toMatchObject({ ok: true });
        await saveText(
          page,
          `${drive}:${key}`,
          (opened as { content: string }).content
        );
        expect(await getObject(server, key)).toEqual(bytes);
        await removeConnector(page, id);
      });

      test('a chunked save stores exactly its bytes, whatever the chunks', async ({
        page
      }) => {
        const { id, drive } = await activeConnector(page, server, backend);
        const key = `${ROOT}/${backend}/chunked.bin`;
        const MiB = 1024 * 1024;
        // Chunks of any size, one with MIME line breaks: the drive decodes
        // them into 5 MiB parts with Chromium's own base64 decoder.
        const sizes = [MiB, 3 * MiB + 1, 700 * 1024, MiB, 6 * MiB, 12345];
        // Bytes that differ from one MiB to the next (the page makes the same).
        const byte = (i: number) =>
          (i * 7 + Math.floor(i / 1048576) * 13 + (i >>> 8)) & 0xff;
        const saved = await page.evaluate(
          async ({ path, sizes }) => {
            const byte = (i: number) =>
              (i * 7 + Math.floor(i / 1048576) * 13 + (i >>> 8)) & 0xff;
            const manager = (window as any).jupyterapp.serviceManager.contents;
            let offset = 0;
            let model: any;
            for (const [n, size] of sizes.entries()) {
              const bytes = Uint8Array.from({ length: size }, (_, i) =>
                byte(offset + i)
              );
              let content: string = (bytes as any).toBase64();
              if (n === 1) {
                content = content.replace(/.{76}/g, '$&\r\n');
              }
              model = await manager.save(path, {
                type: 'file',
                format: 'base64',
                chunk: n === sizes.length - 1 ? -1 : n + 1,
                content
              });
              offset += size;
            }
            return { size: model.size, total: offset };
          },
          { path: `${drive}:${key}`, sizes }
        );
        expect(saved.size).toBe(saved.total);
        const expected = Buffer.from(
          Uint8Array.from({ length: saved.total }, (_, i) => byte(i))
        );
        const stored = await getObject(server, key);
        expect(stored?.length).toBe(expected.length);
        expect(stored?.equals(expected)).toBe(true);
        await removeConnector(page, id);
      });

      if (server.dotSegments) {
        test('keys with dot segments reach exactly their object', async ({
          page
        }) => {
          const { id, drive } = await activeConnector(page, server, backend);
          const dir = `${ROOT}/${backend}/dots`;
          await putObject(server, `${dir}/./single.txt`, 'DOT');
          await putObject(server, `${dir}/single.txt`, 'PLAIN');
          await putObject(server, `${dir}/y.txt`, 'Y');
          const dot = `${drive}:${dir}/${RESERVED}./single.txt`;
          const up = `${drive}:${dir}/x/${RESERVED}../y.txt`;
          if (backend === 'direct') {
            expect(await getText(page, dot)).toMatchObject({ content: 'DOT' });
            expect(await saveText(page, dot, 'DOT2')).toMatchObject({
              ok: true
            });
            expect(await saveText(page, up, 'UP')).toMatchObject({ ok: true });
            expect(await text(server, `${dir}/x/../y.txt`)).toBe('UP');
            expect(await contents(page, 'delete', [dot])).toMatchObject({
              ok: true
            });
            expect(await text(server, `${dir}/./single.txt`)).toBeNull();
          } else {
            // The proxy refuses such keys by design, and says what to do.
            for (const result of [
              await getText(page, dot),
              await saveText(page, dot, 'DOT2'),
              await saveText(page, up, 'UP'),
              await contents(page, 'delete', [dot])
            ]) {
              expect(result).toMatchObject({ ok: false });
              expect((result as { message: string }).message).toMatch(
                /"\." or "\.\." segment.*direct backend/
              );
            }
            expect(await text(server, `${dir}/./single.txt`)).toBe('DOT');
            expect(await text(server, `${dir}/x/../y.txt`)).toBeNull();
          }
          // Whatever happened, the neighbours are untouched.
          expect(await text(server, `${dir}/single.txt`)).toBe('PLAIN');
          expect(await text(server, `${dir}/y.txt`)).toBe('Y');
          await removeConnector(page, id);
        });
      }

      if (server.urlEncoding) {
        test('keys that XML cannot carry are listed and opened', async ({
          page
        }) => {
          const { id, drive } = await activeConnector(page, server, backend);
          const dir = `${ROOT}/${backend}/ctl`;
          await putObject(server, `${dir}/a\x01b.txt`, 'one');
          await putObject(server, `${dir}/tab\there.txt`, 'two');
          const names = await page.evaluate(
            async drivePath =>
              (
                await (window as any).jupyterapp.serviceManager.contents.get(
                  drivePath
                )
              ).content
                .map((m: { name: string }) => m.name)
                .sort(),
            `${drive}:${dir}`
          );
          expect(names).toEqual(['a\x01b.txt', 'tab\there.txt']);
          expect(
            await getText(page, `${drive}:${dir}/a\x01b.txt`)
          ).toMatchObject({ content: 'one' });
          await removeConnector(page, id);
        });
      }
    });
  }
}

for (const server of SERVERS) {
  test(`the details say whether ${server.name} checks conditional writes`, async ({
    page
  }) => {
    const { id, name, drive } = await activeConnector(page, server, 'proxy');
    const key = `${ROOT}/checks/note.txt`;
    await putObject(server, key, 'v1');
    expect(await getText(page, `${drive}:${key}`)).toMatchObject({ ok: true });
    expect(await saveText(page, `${drive}:${key}`, 'v2')).toMatchObject({
      ok: true
    });
    await page.sidebar.openTab('jp-S3Connectors-panel');
    const connector = page.locator(
      `li.jp-S3Connectors-item[data-connector-name="${name}"]`
    );
    const details = connector.locator('.jp-S3Connectors-details');
    // After the reload no connector is selected: a click opens its details.
    await expect(details).toHaveCount(0);
    await connector.locator('.jp-S3Connectors-itemHeader').click();
    await expect(details.locator('dd[data-field="bucket"]')).toHaveText(
      server.bucket
    );
    const note = details.locator('[data-note="write-checks"]');
    if (server.conditional) {
      await expect(note).toHaveCount(0);
    } else {
      await expect(note).toContainText("doesn't check conditional writes");
    }
    await removeConnector(page, id);
  });
}

test('the proxy refuses a request whose path the browser rewrote', async ({
  page
}) => {
  const server = SERVERS[0];
  const { id } = await activeConnector(page, server, 'proxy');
  await putObject(server, `${ROOT}/rewritten/single.txt`, 'PLAIN');
  const built = `/s3-connectors/proxy/${id}/${server.bucket}/${ROOT}/rewritten/./single.txt`;
  const answer = await page.evaluate(async built => {
    // fetch() drops the `./` from the URL, as it does for every request.
    const response = await fetch(built, { headers: { 'x-s3c-path': built } });
    return { status: response.status, body: await response.text() };
  }, built);
  expect(answer.status).toBe(400);
  expect(answer.body).toContain('PathRewritten');
  await removeConnector(page, id);
});
