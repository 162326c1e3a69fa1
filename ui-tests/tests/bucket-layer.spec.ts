/**
 * UI tests of the bucket layer: what the bucket browsers offer, how their
 * sidebar tabs look, drives keyed by connector ID and the bucket browsers'
 * own settings, against a real JupyterLab and the moto S3 server started by
 * jupyter_server_test_config.py (bucket `galata-drive`).
 *
 * Each test creates the connectors it needs (names starting with `layer-`)
 * and deletes them at the end; what a test writes to the bucket lives below
 * `scratch/layer-<run id>/`.
 */
import { expect, galata, test } from '@jupyterlab/galata';
import type { Locator, Page } from '@playwright/test';
import * as crypto from 'crypto';

import {
  browserId,
  mountConnector,
  crumbs,
  currentDocumentPath,
  deleteConnectors,
  documentTab,
  driveName,
  entry,
  menuLabels,
  motoEndpoint,
  openBrowser,
  putObject
} from './helpers';

const BUCKET = 'galata-drive';
const PREFIX = 'layer-';
const RUN = crypto.randomBytes(4).toString('hex');
const SCRATCH = `scratch/layer-${RUN}`;

/** The items a read-only bucket browser must not offer. */
const WRITE_ITEMS = [
  'Rename',
  'Delete',
  'Move to Trash',
  'Cut',
  'Paste',
  'Duplicate',
  'New Folder',
  'New File',
  'New Markdown File',
  'New Notebook'
];

/** Get a path through the page's contents manager: its text, or the error. */
async function getText(
  page: Page,
  path: string
): Promise<{ ok: true; text: string } | { ok: false; message: string }> {
  return page.evaluate(async path => {
    try {
      const app = (window as any).jupyterapp;
      const model = await app.serviceManager.contents.get(path, {
        type: 'file',
        format: 'text'
      });
      return { ok: true as const, text: model.content as string };
    } catch (error) {
      return { ok: false as const, message: (error as Error).message };
    }
  }, path);
}

async function execute(
  page: Page,
  command: string,
  args: Record<string, string> = {}
): Promise<void> {
  await page.evaluate(
    ({ command, args }) =>
      (window as any).jupyterapp.commands.execute(command, args),
    { command, args }
  );
}

/** Right-click the empty part of a browser's listing, below its items. */
async function rightClickBelowItems(browser: Locator): Promise<void> {
  const content = browser.locator('.jp-DirListing-content');
  const box = await content.boundingBox();
  expect(box).not.toBeNull();
  await content.click({
    button: 'right',
    position: { x: 20, y: box!.height - 10 }
  });
}

test.beforeEach(async ({ request }) => {
  await deleteConnectors(request, PREFIX);
});

test.afterEach(async ({ request }) => {
  await deleteConnectors(request, PREFIX);
});

test('a read-only browser offers no Rename, Delete, Cut, Paste or New', async ({
  page
}) => {
  const ro = `${PREFIX}ro-${RUN}`;
  const rw = `${PREFIX}rw-${RUN}`;
  await mountConnector(page.request, {
    name: ro,
    bucket: BUCKET,
    mode: 'read-only'
  });
  await mountConnector(page.request, { name: rw, bucket: BUCKET });
  await page.reload();

  // A read-write browser offers them: the menu is the one the test expects.
  let writable = await openBrowser(page, rw);
  await entry(writable, 'README.md').click({ button: 'right' });
  expect(await menuLabels(page, 'Copy S3 URI')).toEqual(
    expect.arrayContaining(['Rename', 'Delete', 'Cut', 'Duplicate'])
  );
  await page.keyboard.press('Escape');

  const browser = await openBrowser(page, ro);
  for (const name of ['README.md', 'notes']) {
    await entry(browser, name).click({ button: 'right' });
    const labels = await menuLabels(page, 'Copy S3 URI');
    expect(labels).toContain('Open');
    expect(labels).toContain('Copy');
    for (const refused of WRITE_ITEMS) {
      expect(labels, `${name}: ${refused}`).not.toContain(refused);
    }
    await page.keyboard.press('Escape');
  }

  // Below the items, the listing's own menu: a read-write browser offers
  // new items there, a read-only one does not.
  writable = await openBrowser(page, rw);
  await rightClickBelowItems(writable);
  await menuLabels(page, 'New Folder');
  await page.keyboard.press('Escape');
  await openBrowser(page, ro);
  await rightClickBelowItems(browser);
  const labels = await page
    .locator('.lm-Menu .lm-Menu-item:not(.lm-mod-hidden) .lm-Menu-itemLabel')
    .allTextContents();
  for (const refused of WRITE_ITEMS) {
    expect(labels, `listing: ${refused}`).not.toContain(refused);
  }
  await page.keyboard.press('Escape');
});

test('visiting folders of a read-only browser leaves no error in the console', async ({
  page
}) => {
  const ro = `${PREFIX}quiet-${RUN}`;
  await mountConnector(page.request, {
    name: ro,
    bucket: BUCKET,
    mode: 'read-only'
  });
  await page.reload();
  const browser = await openBrowser(page, ro);

  const errors: string[] = [];
  page.on('console', message => {
    // Chromium logs every 404 answer as an error, among them the drive's
    // probes of a folder's path as an object (HEAD, then a listing): those
    // are answers, not errors of the page.
    const probe =
      message.text().startsWith('Failed to load resource') &&
      message.location().url.includes('/s3-connectors/proxy/');
    if (message.type() === 'error' && !probe) {
      errors.push(`${message.text()} (${message.location().url})`);
    }
  });
  page.on('pageerror', error => errors.push(error.message));

  for (const folder of ['data', '2024', 'q1']) {
    await entry(browser, folder).dblclick();
    await expect(crumbs(browser).last()).toHaveText(folder);
  }
  await expect(entry(browser, 'sales.csv')).toBeVisible();
  await browser.locator('.jp-BreadCrumbs-home').click();
  await expect(crumbs(browser)).toHaveCount(0);
  await entry(browser, 'notes').dblclick();
  await expect(entry(browser, 'readonly.txt')).toBeVisible();
  // The listing's own context menu, too.
  await rightClickBelowItems(browser);
  await page.keyboard.press('Escape');
  await entry(browser, 'readonly.txt').click({ button: 'right' });
  await menuLabels(page, 'Copy S3 URI');
  await page.keyboard.press('Escape');
  await browser.locator('.jp-BreadCrumbs-home').click();
  await expect(entry(browser, 'README.md')).toBeVisible();

  expect(errors).toEqual([]);
});

test('two active connectors have tabs told apart at a glance', async ({
  page
}) => {
  // Told apart by their initials (first and last words: LA, LB) and colours.
  const first = `${PREFIX}tabs-${RUN}-alpha`;
  const second = `${PREFIX}tabs-${RUN}-beta`;
  await mountConnector(page.request, { name: first, bucket: BUCKET });
  await mountConnector(page.request, { name: second, bucket: BUCKET });
  await page.reload();

  const looks = [];
  for (const name of [first, second]) {
    const tab = page.sidebar.getTabLocator(browserId(name));
    await expect(tab).toHaveCount(1);
    // The tab says which connector it shows, without hovering.
    const initials = `L${name.split('-').pop()![0].toUpperCase()}`;
    await expect(tab.locator('svg text')).toHaveText(initials);
    await expect(tab).toHaveAttribute('title', new RegExp(name));
    looks.push(
      await tab.locator('svg').evaluate(svg => ({
        text: svg.querySelector('text')?.textContent,
        colour: svg.querySelector('path')?.getAttribute('fill'),
        markup: svg.outerHTML
      }))
    );
  }
  expect(looks[0].markup).not.toEqual(looks[1].markup);
  expect(looks[0].text).not.toEqual(looks[1].text);
});

test('the drive is keyed by the connector ID: a rename keeps it, a deactivation refuses it', async ({
  page
}) => {
  const name = `${PREFIX}before-${RUN}`;
  const renamed = `${PREFIX}after-${RUN}`;
  const connector = await mountConnector(page.request, {
    name,
    bucket: BUCKET
  });
  const path = `${driveName(connector.id)}:README.md`;
  await page.reload();

  let browser = await openBrowser(page, name);
  await entry(browser, 'README.md').dblclick();
  await expect.poll(() => currentDocumentPath(page)).toBe(path);

  // Rename the active connector; the page learns it from the server.
  const patched = await page.request.patch(
    `/s3-connectors/api/connectors/${connector.id}`,
    { data: { name: renamed } }
  );
  expect(patched.ok(), await patched.text()).toBeTruthy();
  await execute(page, 's3-connectors:refresh');

  await expect(page.sidebar.getTabLocator(browserId(name))).toHaveCount(0);
  browser = await openBrowser(page, renamed);
  await entry(browser, 'notes').dblclick();
  await expect(entry(browser, 'draft.txt')).toBeVisible();
  // The open document's path still reaches the bucket.
  expect(await getText(page, path)).toEqual({
    ok: true,
    text: '# The bucket of the drive UI tests\n'
  });

  // Deactivated, the drive refuses every call with a clear error.
  await execute(page, 's3-connectors:deactivate', { id: connector.id });
  await expect(page.sidebar.getTabLocator(browserId(renamed))).toHaveCount(0);
  const refused = await getText(page, path);
  expect(refused.ok).toBe(false);
  expect(refused.ok ? '' : refused.message).toMatch(/is not active/);

  // Active again: a new drive replaces the refusing one, under the same name.
  await execute(page, 's3-connectors:activate', { id: connector.id });
  await openBrowser(page, renamed);
  expect(await getText(page, path)).toMatchObject({ ok: true });
});

test('a document of a bucket reopens after a reload, by its ID-keyed path', async ({
  page
}) => {
  const name = `${PREFIX}reload-${RUN}`;
  const connector = await mountConnector(page.request, {
    name,
    bucket: BUCKET,
    mode: 'read-only'
  });
  const path = `${driveName(connector.id)}:notes/draft.txt`;
  await page.reload();
  const browser = await openBrowser(page, name);
  await entry(browser, 'notes').dblclick();
  await entry(browser, 'draft.txt').dblclick();
  await expect.poll(() => currentDocumentPath(page)).toBe(path);

  // Galata's readiness check wants the Launcher in front: the document is.
  // (galata's reload takes this option; its fixture type shows Playwright's.)
  await page.reload({ waitForIsReady: false } as Parameters<Page['reload']>[0]);
  await expect(documentTab(page, 'draft.txt')).toHaveCount(1);
  // The restored document is the one of the bucket, by the same path.
  await expect
    .poll(() =>
      page.evaluate(() =>
        [...(window as any).jupyterapp.shell.widgets('main')].map(
          widget => widget.context?.path
        )
      )
    )
    .toContain(path);
  await expect(page.locator('.jp-FileEditor .cm-content')).toContainText(
    'A draft that must not change.'
  );
});

test("JupyterLab's download link and new browser tab work for bucket files", async ({
  page,
  context
}) => {
  const name = `${PREFIX}links-${RUN}`;
  const connector = await mountConnector(page.request, {
    name,
    bucket: BUCKET
  });
  await page.reload();
  const text = 'opened from a bucket\n';
  await page.evaluate(
    ({ path, text }) =>
      (window as any).jupyterapp.serviceManager.contents.save(path, {
        type: 'file',
        format: 'text',
        content: text
      }),
    { path: `${driveName(connector.id)}:${SCRATCH}/link.txt`, text }
  );
  // What JupyterLab copies to the clipboard.
  await page.evaluate(() =>
    window.addEventListener('copy', event => {
      (window as any).copied = event.clipboardData?.getData('text');
    })
  );

  const browser = await openBrowser(page, name);
  for (const folder of SCRATCH.split('/')) {
    await entry(browser, folder).dblclick();
    await expect(crumbs(browser).last()).toHaveText(folder);
  }
  await entry(browser, 'link.txt').click({ button: 'right' });
  const labels = await menuLabels(page, 'Copy Download Link');
  expect(labels).toContain('Open in New Browser Tab');
  // Its link opens the file in this JupyterLab only: not offered here.
  expect(labels).not.toContain('Copy Shareable Link');
  await page
    .locator('.lm-Menu-item .lm-Menu-itemLabel')
    .getByText('Copy Download Link', { exact: true })
    .click();
  await expect
    .poll(() => page.evaluate(() => (window as any).copied as string))
    .toContain(`/s3-connectors/proxy/${connector.id}/`);
  const url = await page.evaluate(() => (window as any).copied as string);
  const download = await page.request.get(url);
  expect(download.ok()).toBeTruthy();
  expect(await download.text()).toBe(text);

  await entry(browser, 'link.txt').click({ button: 'right' });
  const [tab] = await Promise.all([
    context.waitForEvent('page'),
    page
      .locator('.lm-Menu-item .lm-Menu-itemLabel')
      .getByText('Open in New Browser Tab', { exact: true })
      .click()
  ]);
  await tab.waitForLoadState();
  await expect(tab.locator('body')).toHaveText(text.trim());
  await tab.close();
});

test('a direct browser copies a presigned download link and opens no browser tab', async ({
  page
}) => {
  const name = `${PREFIX}direct-${RUN}`;
  await mountConnector(page.request, {
    name,
    bucket: 'galata-direct',
    backend: 'direct'
  });
  await page.reload();
  await page.evaluate(() =>
    window.addEventListener('copy', event => {
      (window as any).copied = event.clipboardData?.getData('text');
    })
  );

  const browser = await openBrowser(page, name);
  await entry(browser, 'direct').dblclick();
  await entry(browser, 'hello.txt').click({ button: 'right' });
  const labels = await menuLabels(page, 'Copy Download Link');
  // Presigned as an attachment, the link would download, not open, the file.
  expect(labels).not.toContain('Open in New Browser Tab');
  await page
    .locator('.lm-Menu-item .lm-Menu-itemLabel')
    .getByText('Copy Download Link', { exact: true })
    .click();
  await expect
    .poll(() => page.evaluate(() => (window as any).copied as string))
    .toContain(`${motoEndpoint()}/galata-direct/direct/hello.txt?`);
  const url = await page.evaluate(() => (window as any).copied as string);
  const download = await page.request.get(url);
  expect(download.ok()).toBeTruthy();
  expect(await download.text()).toBe('hello from the direct bucket\n');
});

test.describe('settings of the bucket browsers', () => {
  test.use({
    mockSettings: {
      ...galata.DEFAULT_SETTINGS,
      'jupyterlab-s3-connectors:drives': { refreshInterval: 1000 }
    }
  });

  test('the listing refreshes at the refreshInterval of the drives settings', async ({
    page
  }) => {
    const name = `${PREFIX}refresh-${RUN}`;
    await putObject(page.request, BUCKET, `${SCRATCH}/first.txt`, 'first');
    await mountConnector(page.request, { name, bucket: BUCKET });
    await page.reload();

    const browser = await openBrowser(page, name);
    for (const folder of SCRATCH.split('/')) {
      await entry(browser, folder).dblclick();
      await expect(crumbs(browser).last()).toHaveText(folder);
    }
    await expect(entry(browser, 'first.txt')).toBeVisible();

    // Written behind JupyterLab's back: only the browser's polling shows it,
    // every 30 s by default, every second with these settings.
    await putObject(page.request, BUCKET, `${SCRATCH}/second.txt`, 'second');
    await expect(entry(browser, 'second.txt')).toBeVisible({
      timeout: 10000
    });
  });
});
