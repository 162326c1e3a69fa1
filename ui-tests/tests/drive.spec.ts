/**
 * UI tests of the bucket browsers: the JupyterLab file browser of an active
 * connector, on its S3 drive, against a real JupyterLab and the moto S3 server
 * started by jupyter_server_test_config.py (bucket `galata-drive`, seeded
 * there; bucket `galata-direct` with a CORS rule for the `direct` backend).
 *
 * Each test sets up the connectors it uses (`withActiveRW`), so any one runs
 * on its own. What a test writes to the bucket carries the run's id, so a
 * retry or a rerun against a reused server starts clean.
 *
 * What the bucket holds is checked straight on moto: it checks no signatures,
 * but answers anonymous requests as an anonymous user would be answered, so
 * the requests carry a (meaningless) SigV4 `Authorization` header.
 */
import { expect, test } from '@jupyterlab/galata';
import type { IJupyterLabPageFixture } from '@jupyterlab/galata';
import type { APIResponse, Locator, Page } from '@playwright/test';
import * as crypto from 'crypto';

import {
  activateConnector,
  API,
  browserId,
  createConnector,
  crumbs,
  currentDocumentPath,
  documentTab,
  driveName,
  encodeKey,
  ensureActiveConnector,
  entry,
  escapeRegExp,
  getObject as getMotoObject,
  goTo,
  IConnectorReply,
  listConnectors,
  listKeys as listMotoKeys,
  motoEndpoint,
  motoRequest,
  openBrowser,
  openPanel,
  PANEL_ID,
  panelItem as item,
  putObject as putMotoObject,
  removeConnectors
} from './helpers';

const BUCKET = 'galata-drive';
const DIRECT_BUCKET = 'galata-direct';

/** The read-write connector, proxy backend. */
const RW = 'drive-rw';
/** The read-only connector, proxy backend. */
const RO = 'drive-ro';
/** A read-write connector with the `direct` backend. */
const DIRECT = 'drive-direct';

/** The folder of the bucket where the tests write, a run's names in it. */
const SCRATCH = 'scratch';

/** This run's id: names of what the tests write, and the secret key. */
const RUN = crypto.randomBytes(4).toString('hex');
/** The secret key of the proxy connectors: it must never reach the browser. */
const SECRET = `galata-drive-secret-${RUN}-${crypto.randomBytes(8).toString('hex')}`;

/** A connector of these tests on the bucket. */
function fields(
  name: string,
  more: { mode?: 'read-only'; backend?: 'direct'; bucket?: string } = {}
) {
  return {
    name,
    bucket: BUCKET,
    description: 'Created by the drive UI tests',
    secret_access_key: SECRET,
    ...more
  };
}

/**
 * The read-write connector active and mounted, whatever ran before: a test
 * that uses it can run on its own.
 */
async function withActiveRW(page: IJupyterLabPageFixture): Promise<void> {
  await putObject(page, `${SCRATCH}/README.txt`, 'Written by the tests.\n');
  const { changed } = await ensureActiveConnector(page.request, fields(RW));
  if (
    changed ||
    (await page.sidebar.getTabLocator(browserId(RW)).count()) === 0
  ) {
    await page.reload();
  }
}

/** A request to moto, on a bucket (`suffix`: `?list-type=2…`) or a key. */
function moto(
  page: IJupyterLabPageFixture,
  method: 'GET' | 'HEAD' | 'PUT',
  bucket: string,
  keyAndQuery: string
): Promise<APIResponse> {
  return motoRequest(page.request, method, bucket, keyAndQuery);
}

/** The bytes of an object (`null` when it does not exist). */
function getObject(
  page: IJupyterLabPageFixture,
  key: string,
  options: { bucket?: string; range?: string } = {}
): Promise<Buffer | null> {
  return getMotoObject(page.request, options.bucket ?? BUCKET, key, options);
}

/** Write an object (the seeds of a test that must be fresh at each run). */
function putObject(
  page: IJupyterLabPageFixture,
  key: string,
  body: string
): Promise<void> {
  return putMotoObject(page.request, BUCKET, key, body);
}

/** Every key below a prefix, sorted. */
function listKeys(
  page: IJupyterLabPageFixture,
  prefix: string
): Promise<string[]> {
  return listMotoKeys(page.request, BUCKET, prefix);
}

async function connectorByName(
  page: IJupyterLabPageFixture,
  name: string
): Promise<IConnectorReply> {
  const found = (await listConnectors(page.request)).find(c => c.name === name);
  expect(found?.name, `connector ${name}`).toBe(name);
  return found!;
}

/** The path of a bucket file in JupyterLab: `s3-<connector id>:key`. */
async function drivePath(
  page: IJupyterLabPageFixture,
  name: string,
  path: string
): Promise<string> {
  return `${driveName((await connectorByName(page, name)).id)}:${path}`;
}

/** The names listed, in order. */
function names(browser: Locator): Locator {
  return browser.locator('.jp-DirListing-content .jp-DirListing-itemText');
}

async function goInto(browser: Locator, folder: string): Promise<void> {
  await entry(browser, folder).dblclick();
  await expect(crumbs(browser).last()).toHaveText(folder);
}

// ---- network log ---------------------------------------------------------

interface INetworkEntry {
  what: string;
  url: string;
  bytes: Buffer;
}

/** What a page sent and received since `recordNetwork`. */
interface INetworkLog {
  /** Every request and response recorded, once all responses are read. */
  entries(): Promise<INetworkEntry[]>;
}

function withTimeout<T>(promise: Promise<T>, ms: number): Promise<T | null> {
  return Promise.race([
    promise.catch(() => null),
    new Promise<null>(resolve => setTimeout(() => resolve(null), ms))
  ]);
}

/**
 * Record every request (URL, headers, body) and response (URL, headers,
 * body) of the page.
 */
function recordNetwork(page: Page): INetworkLog {
  const network: INetworkEntry[] = [];
  const pendingRecords: Promise<void>[] = [];
  page.on('request', request => {
    network.push({
      what: `request ${request.method()}`,
      url: request.url(),
      bytes: Buffer.concat([
        Buffer.from(request.url()),
        Buffer.from(JSON.stringify(request.headers())),
        request.postDataBuffer() ?? Buffer.alloc(0)
      ])
    });
  });
  page.on('response', response => {
    pendingRecords.push(
      (async () => {
        const [requestHeaders, headers, body] = await Promise.all([
          withTimeout(response.request().allHeaders(), 10000),
          withTimeout(response.allHeaders(), 10000),
          withTimeout(response.body(), 10000)
        ]);
        network.push({
          what: `response ${response.status()}`,
          url: response.url(),
          bytes: Buffer.concat([
            Buffer.from(response.url()),
            Buffer.from(JSON.stringify(requestHeaders ?? {})),
            Buffer.from(JSON.stringify(headers ?? {})),
            body ?? Buffer.alloc(0)
          ])
        });
      })()
    );
  });
  return {
    entries: async () => {
      await Promise.all(pendingRecords);
      return network;
    }
  };
}

/** The web storage of the page, as one string. */
async function webStorage(page: Page): Promise<string> {
  return page.evaluate(() => {
    const dump = (storage: Storage) => {
      const out: Record<string, string | null> = {};
      for (let i = 0; i < storage.length; i++) {
        const key = storage.key(i)!;
        out[key] = storage.getItem(key);
      }
      return out;
    };
    return JSON.stringify({
      local: dump(window.localStorage),
      session: dump(window.sessionStorage)
    });
  });
}

// ---- the tests -------------------------------------------------------------

test.describe('S3 bucket browser', () => {
  test('activate a connector in the panel and browse its bucket', async ({
    page
  }) => {
    await removeConnectors(page.request);
    await createConnector(page.request, fields(RW));
    // The folder where the tests write (so that a rerun lists the same).
    await putObject(page, `${SCRATCH}/README.txt`, 'Written by the tests.\n');
    // Start from a page that knows of no active connector (a rerun against
    // a reused server may have left one mounted).
    await page.reload();

    const panel = await openPanel(page);
    await panel
      .locator('.jp-Toolbar')
      .getByTitle('Refresh the list', { exact: true })
      .click();
    const connector = item(panel, RW);
    await expect(connector).toBeVisible();
    await expect(connector).not.toHaveClass(/jp-mod-active/);
    // No browser before activation.
    await expect(page.locator(`#${browserId(RW)}`)).toHaveCount(0);

    await test.step('activate it through the panel', async () => {
      await connector.locator('.jp-S3Connectors-itemHeader').click();
      const actions = connector.locator('.jp-S3Connectors-actions');
      await actions
        .getByRole('button', { name: 'Activate', exact: true })
        .click();
      // Activation may bring the bucket browser forward: come back.
      await page.sidebar.openTab(PANEL_ID);
      await expect(connector).toHaveClass(/jp-mod-active/);
      await actions
        .getByRole('button', { name: 'Browse files', exact: true })
        .click();
    });

    const browser = page.locator(`#${browserId(RW)}`);

    await test.step('the browser shows the top level of the bucket', async () => {
      await expect(browser).toBeVisible();
      await expect(browser).toHaveClass(/jp-S3Connectors-browser/);
      expect(await page.sidebar.isTabOpen(browserId(RW))).toBe(true);
      await expect(browser.locator('.jp-S3Connectors-browserTitle')).toHaveText(
        `${RW} · ${BUCKET}`
      );
      // Folders first, then files (by locale: the symbol `␀` first); the
      // object `odd` beside the folder `odd/` shows with the reserved `␀=`
      // prefix.
      await expect(names(browser)).toHaveText([
        'data',
        'notebooks',
        'notes',
        'odd',
        SCRATCH,
        '\u2400=odd',
        'README.md'
      ]);
      await expect(entry(browser, 'data')).toHaveAttribute(
        'data-isdir',
        'true'
      );
      await expect(entry(browser, 'README.md')).toHaveAttribute(
        'data-isdir',
        'false'
      );
      for (const title of [
        'New Folder',
        'New Notebook',
        'New Text File',
        'Refresh the bucket listing',
        'Filter the file names'
      ]) {
        await expect(
          browser.locator('.jp-Toolbar').getByTitle(title, { exact: true })
        ).toBeVisible();
      }
      await expect(browser.locator('.jp-Toolbar .jp-id-upload')).toBeVisible();
    });

    await test.step('browse into a nested folder', async () => {
      await goInto(browser, 'data');
      await expect(names(browser)).toHaveText(['2024', 'readme.txt']);
      await goInto(browser, '2024');
      await expect(names(browser)).toHaveText(['q1', 'q2']);
      await goInto(browser, 'q1');
      await expect(names(browser)).toHaveText(['sales.csv']);
      await expect(crumbs(browser)).toHaveText(['data', '2024', 'q1']);
      await expect(crumbs(browser).last()).toHaveAttribute(
        'data-path',
        'data/2024/q1'
      );
    });

    await test.step('the breadcrumbs go back up', async () => {
      await crumbs(browser)
        .filter({ hasText: /^data$/ })
        .click();
      await expect(crumbs(browser)).toHaveText(['data']);
      await expect(names(browser)).toHaveText(['2024', 'readme.txt']);
      await browser.locator('.jp-BreadCrumbs-home').click();
      await expect(crumbs(browser)).toHaveCount(0);
      await expect(entry(browser, 'notebooks')).toBeVisible();
    });

    await test.step('the folder behind the reserved name opens', async () => {
      await goInto(browser, 'odd');
      await expect(names(browser)).toHaveText(['inside.txt']);
      await browser.locator('.jp-BreadCrumbs-home').click();
      await expect(crumbs(browser)).toHaveCount(0);
    });

    expect(await webStorage(page)).not.toContain(SECRET);
  });

  test('edit a notebook of the bucket and save it', async ({ page }) => {
    await withActiveRW(page);
    const marker = `edited-in-galata-${RUN}`;
    const key = 'notebooks/analysis.ipynb';
    const before = JSON.parse((await getObject(page, key))!.toString('utf-8'));
    expect(before.cells[0].id).toBe('cell-0');
    // `total = 1 + 1`, and the markers of earlier runs against this server.
    const beforeSource = [before.cells[0].source].flat().join('');

    const browser = await openBrowser(page, RW);
    await goTo(browser, 'notebooks');
    await entry(browser, 'analysis.ipynb').dblclick();

    const tab = documentTab(page, 'analysis.ipynb');
    await expect(tab).toBeVisible();
    await expect
      .poll(() => currentDocumentPath(page))
      .toBe(await drivePath(page, RW, 'notebooks/analysis.ipynb'));
    const notebook = page.locator('.jp-NotebookPanel:visible');
    const firstCell = notebook.locator('.jp-Cell').first();
    await expect(firstCell.locator('.cm-content')).toHaveText(beforeSource);

    await page.notebook.enterCellEditingMode(0);
    await page.keyboard.press('Control+End');
    await page.keyboard.type(`  # ${marker}`);
    await expect(tab).toHaveClass(/jp-mod-dirty/);
    await page.keyboard.press('Control+s');
    await expect(tab).not.toHaveClass(/jp-mod-dirty/);

    // The object in the bucket has the new text, still a notebook with ids.
    await expect
      .poll(async () => (await getObject(page, key))!.toString('utf-8'))
      .toContain(marker);
    const after = JSON.parse((await getObject(page, key))!.toString('utf-8'));
    const source = after.cells[0].source;
    expect(Array.isArray(source) ? source.join('') : source).toBe(
      `${beforeSource}  # ${marker}`
    );
    expect(after.cells.map((c: { id: string }) => c.id)).toEqual([
      'cell-0',
      'cell-1'
    ]);
    expect(after.nbformat).toBe(4);
    // Its checkpoint is where Jupyter server keeps them, hidden from listings.
    expect(await listKeys(page, 'notebooks/.ipynb_checkpoints/')).toContain(
      'notebooks/.ipynb_checkpoints/analysis-checkpoint.ipynb'
    );
    await expect(entry(browser, '.ipynb_checkpoints')).toHaveCount(0);

    expect(await webStorage(page)).not.toContain(SECRET);
  });

  test('upload a 20 MiB file: its parts, streamed as a multipart upload', async ({
    page
  }) => {
    const name = `big-${RUN}.bin`;
    const key = `${SCRATCH}/${name}`;
    const size = 20 * 1024 * 1024;
    // A pattern that differs from one MiB (one chunk) to the next.
    const bytes = Buffer.alloc(size);
    for (let i = 0; i < size; i++) {
      bytes[i] = (i * 7 + (i >>> 20) * 13 + (i >>> 8)) & 0xff;
    }

    await withActiveRW(page);
    const browser = await openBrowser(page, RW);
    await goTo(browser, SCRATCH);

    // The file goes as it is: parts of the File through the proxy, no
    // base64 chunks through the contents API.
    const sent: string[] = [];
    page.on('request', request => {
      const url = request.url();
      if (request.method() === 'PUT' && url.includes(encodeKey(name))) {
        sent.push(url.includes('partNumber=') ? 'part' : 'put');
      }
      if (request.method() !== 'GET' && url.includes('/api/contents/')) {
        sent.push('contents');
      }
    });
    const chooser = page.waitForEvent('filechooser');
    await browser.locator('.jp-Toolbar .jp-id-upload').click();
    await (
      await chooser
    ).setFiles({ name, mimeType: 'application/octet-stream', buffer: bytes });

    // No "Large file size warning": the page never holds the whole file.
    await expect(entry(browser, name)).toBeVisible({ timeout: 60000 });
    await expect(page.locator('.jp-Dialog')).toHaveCount(0);
    // 20 MiB: 4 parts of 5 MiB.
    expect(sent.filter(kind => kind === 'part')).toHaveLength(4);
    expect(sent).not.toContain('contents');
    expect(sent).not.toContain('put');
    await expect
      .poll(
        async () => {
          const head = await moto(page, 'HEAD', BUCKET, encodeKey(key));
          return head.ok() ? Number(head.headers()['content-length']) : -1;
        },
        { timeout: 60000 }
      )
      .toBe(size);

    // A few bytes at the start, in the middle (across a 5 MiB part
    // boundary) and at the end.
    const MiB = 1024 * 1024;
    for (const [start, end] of [
      [0, 4095],
      [5 * MiB - 2048, 5 * MiB + 2047],
      [10 * MiB + 12345, 10 * MiB + 16384],
      [size - 4096, size - 1]
    ]) {
      const got = await getObject(page, key, {
        range: `bytes=${start}-${end}`
      });
      expect(
        got!.equals(bytes.subarray(start, end + 1)),
        `${start}-${end}`
      ).toBe(true);
    }

    // No multipart upload is left pending.
    const uploads = await moto(page, 'GET', BUCKET, '?uploads');
    expect(uploads.status()).toBe(200);
    expect(await uploads.text()).not.toContain('<Upload>');
  });

  test('rename a folder: every key below it moves', async ({ page }) => {
    const from = `${SCRATCH}/reports-${RUN}`;
    const to = `${SCRATCH}/archive-${RUN}`;
    const relative = [
      'summary.md',
      '2023/january.csv',
      '2023/february.csv',
      '2023/deep/er/notes.txt'
    ];
    for (const rel of relative) {
      await putObject(page, `${from}/${rel}`, `content of ${rel}\n`);
    }
    // A folder marker too, as the browser's "New Folder" writes them.
    await putObject(page, `${from}/empty/`, '');

    await withActiveRW(page);
    const browser = await openBrowser(page, RW);
    await goTo(browser, SCRATCH);
    await browser
      .locator('.jp-Toolbar')
      .getByTitle('Refresh the bucket listing', { exact: true })
      .click();
    await entry(browser, `reports-${RUN}`).click({ button: 'right' });
    await page
      .locator('.lm-Menu-item .lm-Menu-itemLabel')
      .getByText('Rename', { exact: true })
      .click();
    const editor = browser.locator('.jp-DirListing-editor');
    await expect(editor).toBeVisible();
    await editor.fill(`archive-${RUN}`);
    await editor.press('Enter');

    await expect(entry(browser, `archive-${RUN}`)).toBeVisible();
    await expect(entry(browser, `reports-${RUN}`)).toHaveCount(0);
    await expect
      .poll(() => listKeys(page, `${from}/`), { timeout: 30000 })
      .toEqual([]);
    expect(await listKeys(page, `${to}/`)).toEqual(
      [...relative, 'empty/'].map(rel => `${to}/${rel}`).sort()
    );
    expect(
      (await getObject(page, `${to}/2023/deep/er/notes.txt`))!.toString()
    ).toBe('content of 2023/deep/er/notes.txt\n');

    // The renamed folder browses.
    await goInto(browser, `archive-${RUN}`);
    await goInto(browser, '2023');
    await expect(names(browser)).toHaveText([
      'deep',
      'february.csv',
      'january.csv'
    ]);
  });

  test('a read-only connector shows no changes and saves nothing', async ({
    page
  }) => {
    const key = 'notes/readonly.txt';
    const original = (await getObject(page, key))!.toString('utf-8');
    await removeConnectors(page.request, [RO]);
    const ro = await createConnector(
      page.request,
      fields(RO, { mode: 'read-only' })
    );
    await activateConnector(page.request, ro.id);
    // An active connector is mounted at start-up.
    await page.reload();

    const browser = await openBrowser(page, RO);
    await expect(
      browser.locator('.jp-S3Connectors-browserHeader .jp-S3Connectors-badge')
    ).toHaveText('read-only');
    const toolbar = browser.locator('.jp-Toolbar');
    await expect(
      toolbar.getByTitle('Refresh the bucket listing', { exact: true })
    ).toBeVisible();
    for (const title of ['New Folder', 'New Notebook', 'New Text File']) {
      await expect(toolbar.getByTitle(title, { exact: true })).toHaveCount(0);
    }
    await expect(toolbar.locator('.jp-id-upload')).toHaveCount(0);

    await goTo(browser, 'notes');
    await entry(browser, 'readonly.txt').dblclick();
    const tab = documentTab(page, 'readonly.txt');
    await expect(tab).toBeVisible();
    await expect
      .poll(() => currentDocumentPath(page))
      .toBe(`${driveName(ro.id)}:${key}`);
    const editor = page.locator('.jp-FileEditor:visible .cm-content');
    await expect(editor).toHaveText(original.trimEnd());

    await editor.click();
    await page.keyboard.press('Control+End');
    await page.keyboard.type(' typed anyway');
    await page.keyboard.press('Control+s');
    // JupyterLab refuses to save a document that is not writable.
    await expect(
      page.locator('.Toastify__toast', { hasText: 'is read-only' })
    ).toContainText(`${driveName(ro.id)}:${key} is read-only`);

    // The drive refuses too, with a message naming read-only.
    const refusal = await page.evaluate(
      async path => {
        const contents = (window as any).jupyterapp.serviceManager.contents;
        try {
          await contents.save(path, {
            type: 'file',
            format: 'text',
            content: 'overwritten'
          });
          return 'saved';
        } catch (error) {
          return (error as Error).message;
        }
      },
      `${driveName(ro.id)}:${key}`
    );
    expect(refusal).toContain('read-only');

    // And so does the proxy, for a request that skips the drive.
    const put = await page.request.put(
      `/s3-connectors/proxy/${ro.id}/${BUCKET}/${encodeKey(key)}`,
      { data: 'overwritten', headers: { 'content-type': 'text/plain' } }
    );
    expect(put.status()).toBe(403);

    expect((await getObject(page, key))!.toString('utf-8')).toBe(original);
  });

  test('a notebook of the bucket reopens after a reload', async ({ page }) => {
    await withActiveRW(page);
    const browser = await openBrowser(page, RW);
    await goTo(browser, 'notebooks');
    await entry(browser, 'reload.ipynb').dblclick();
    const tab = documentTab(page, 'reload.ipynb');
    await expect(tab).toBeVisible();
    const firstEditor = page
      .locator('.jp-NotebookPanel:visible .jp-Cell .cm-content')
      .first();
    await expect(firstEditor).toHaveText(
      "reloaded_marker = 'survives a reload'"
    );

    // Galata's readiness check wants the Launcher in front: the notebook is.
    // (galata's reload takes this option; its fixture type shows Playwright's.)
    await page.reload({ waitForIsReady: false } as Parameters<
      Page['reload']
    >[0]);

    await expect(tab).toBeVisible();
    await expect(tab).toHaveAttribute(
      'title',
      new RegExp(
        escapeRegExp(await drivePath(page, RW, 'notebooks/reload.ipynb'))
      )
    );
    await tab.click();
    await expect
      .poll(() => currentDocumentPath(page))
      .toBe(await drivePath(page, RW, 'notebooks/reload.ipynb'));
    await expect(firstEditor).toHaveText(
      "reloaded_marker = 'survives a reload'"
    );
    // The bucket browser is back, in the folder it showed.
    await expect(page.sidebar.getTabLocator(browserId(RW))).toHaveCount(1);
    const restored = await openBrowser(page, RW);
    await expect(crumbs(restored)).toHaveText(['notebooks']);
    await expect(entry(restored, 'reload.ipynb')).toBeVisible();
  });

  test('deactivate with an unsaved document: discard it', async ({ page }) => {
    const key = 'notes/draft.txt';
    const original = (await getObject(page, key))!.toString('utf-8');
    await withActiveRW(page);
    const browser = await openBrowser(page, RW);
    await goTo(browser, 'notes');
    await entry(browser, 'draft.txt').dblclick();
    const tab = documentTab(page, 'draft.txt');
    await expect(tab).toBeVisible();
    const editor = page.locator('.jp-FileEditor:visible .cm-content');
    await expect(editor).toHaveText(original.trimEnd());
    await editor.click();
    await page.keyboard.press('Control+End');
    await page.keyboard.type(' and an unsaved change');
    await expect(tab).toHaveClass(/jp-mod-dirty/);

    const panel = await openPanel(page);
    const connector = item(panel, RW);
    await expect(connector).toHaveClass(/jp-mod-active/);
    await connector.locator('.jp-S3Connectors-itemHeader').click();
    await connector
      .locator('.jp-S3Connectors-actions')
      .getByRole('button', { name: 'Deactivate', exact: true })
      .click();

    const dialog = page.locator('.jp-Dialog');
    await expect(dialog.locator('.jp-Dialog-header')).toHaveText(
      `Deactivate "${RW}"`
    );
    await expect(dialog.locator('.jp-Dialog-body')).toContainText(
      'notes/draft.txt has unsaved changes'
    );
    await expect(
      dialog.getByRole('button', { name: 'Cancel', exact: true })
    ).toBeVisible();
    await expect(
      dialog.getByRole('button', { name: 'Save', exact: true })
    ).toBeVisible();
    await dialog
      .getByRole('button', { name: 'Discard changes', exact: true })
      .click();
    await expect(dialog).toHaveCount(0);

    // No other dialog (JupyterLab's own "unsaved changes") comes up.
    await expect(tab).toHaveCount(0);
    await expect(page.locator('.jp-Dialog')).toHaveCount(0);
    await expect(page.locator(`#${browserId(RW)}`)).toHaveCount(0);
    await expect(page.sidebar.getTabLocator(browserId(RW))).toHaveCount(0);
    await expect(connector).not.toHaveClass(/jp-mod-active/);
    await expect(
      connector.getByRole('button', { name: 'Activate', exact: true })
    ).toBeVisible();
    expect((await connectorByName(page, RW)).active).toBe(false);
    expect((await getObject(page, key))!.toString('utf-8')).toBe(original);
  });

  test('the secret of a proxy connector never reaches the browser', async ({
    page
  }) => {
    // Both proxy connectors hold this run's secret, and are mounted.
    await removeConnectors(page.request, [RW, RO]);
    for (const connector of [fields(RW), fields(RO, { mode: 'read-only' })]) {
      const created = await createConnector(page.request, connector);
      await activateConnector(page.request, created.id);
    }
    const network = recordNetwork(page);
    // The start-up too: the connectors' list and the drives' mounts.
    await page.reload();
    const browser = await openBrowser(page, RW);
    await goTo(browser, 'notebooks');
    await entry(browser, 'analysis.ipynb').dblclick();
    await expect(documentTab(page, 'analysis.ipynb')).toBeVisible();
    await expect(
      page.locator('.jp-NotebookPanel:visible .jp-Cell').first()
    ).toBeVisible();
    const readOnly = await openBrowser(page, RO);
    await goTo(readOnly, 'notes');
    await expect(entry(readOnly, 'readonly.txt')).toBeVisible();

    const entries = await network.entries();
    // The traffic recorded holds the proxy's answers, the notebook among them.
    expect(
      entries.some(
        e =>
          e.what === 'response 200' &&
          e.url.includes(`/s3-connectors/proxy/`) &&
          e.url.includes(`/${BUCKET}/notebooks/analysis.ipynb`)
      )
    ).toBe(true);
    const leaks = entries
      .filter(e => e.bytes.includes(SECRET))
      .map(e => `${e.what} ${e.url}`);
    expect(leaks).toEqual([]);
    // Not even a request for the credentials of a proxy connector.
    expect(entries.filter(e => e.url.includes('/credentials'))).toEqual([]);
    // Nor the page's storage.
    expect(await webStorage(page)).not.toContain(SECRET);
  });
});

test.describe('S3 bucket browser, direct backend', () => {
  test('browse, edit and save through the CORS-enabled bucket', async ({
    page
  }) => {
    const key = 'direct/hello.txt';
    const marker = `direct-${RUN}`;
    await removeConnectors(page.request, [DIRECT]);
    const direct = await createConnector(
      page.request,
      fields(DIRECT, { bucket: DIRECT_BUCKET, backend: 'direct' })
    );
    await activateConnector(page.request, direct.id);
    const s3Requests: string[] = [];
    page.on('request', request => {
      if (request.url().startsWith(motoEndpoint())) {
        s3Requests.push(`${request.method()} ${request.url()}`);
      }
    });
    // A direct connector does give its key to the browser: this also shows
    // that the recording of test 8 would see a secret that goes by.
    const credentials = page.waitForResponse(response =>
      response.url().includes(`${API}/${direct.id}/credentials`)
    );
    await page.reload();
    expect((await (await credentials).body()).includes(SECRET)).toBe(true);

    const browser = await openBrowser(page, DIRECT);
    await expect(browser.locator('.jp-S3Connectors-browserTitle')).toHaveText(
      `${DIRECT} · ${DIRECT_BUCKET}`
    );
    await goInto(browser, 'direct');
    await entry(browser, 'hello.txt').dblclick();
    const tab = documentTab(page, 'hello.txt');
    await expect(tab).toBeVisible();
    const editor = page.locator('.jp-FileEditor:visible .cm-content');
    await expect(editor).toContainText('hello from the direct bucket');
    await editor.click();
    await page.keyboard.press('Control+End');
    await page.keyboard.type(` ${marker}`);
    await expect(tab).toHaveClass(/jp-mod-dirty/);
    await page.keyboard.press('Control+s');
    await expect(tab).not.toHaveClass(/jp-mod-dirty/);

    await expect
      .poll(async () =>
        (await getObject(page, key, { bucket: DIRECT_BUCKET }))!.toString(
          'utf-8'
        )
      )
      .toContain(marker);
    // The browser talked to the S3 endpoint itself, not through the proxy.
    expect(s3Requests.some(r => r.startsWith('PUT '))).toBe(true);

    await removeConnectors(page.request, [DIRECT]);
  });
});
