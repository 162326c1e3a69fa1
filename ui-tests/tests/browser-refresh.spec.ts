/**
 * UI tests of the bucket browsers' listings, deletion wording and the
 * deactivation of a connector during start-up, against a real JupyterLab and
 * the moto S3 server started by jupyter_server_test_config.py (bucket
 * `galata-drive`).
 *
 * Two read-write connectors on the same bucket, A and B, are created (and
 * removed at the end) by these tests. What a test writes to the bucket lives
 * below `scratch/refresh-<run id>/`, so a retry or a rerun starts clean.
 *
 * The listings refresh on their own every 30 seconds: a change must show
 * well before that, so the tests give it a few seconds only.
 */
import { expect, test } from '@jupyterlab/galata';
import type { IJupyterLabPageFixture } from '@jupyterlab/galata';
import type { Locator, Page } from '@playwright/test';
import * as crypto from 'crypto';
import * as path from 'path';

import {
  browserId,
  crumbs,
  documentTab,
  driveName,
  ensureActiveConnector,
  entry,
  escapeRegExp,
  goTo,
  IConnectorReply,
  listConnectors,
  objectExists,
  openBrowser,
  putObject as putMotoObject,
  removeConnectors
} from './helpers';

const BUCKET = 'galata-drive';

/** The connector whose browser the listing tests use, and the one deactivated. */
const A = 'refresh-a';
/** The connector whose document stays open while A is deactivated. */
const B = 'refresh-b';

const RUN = crypto.randomBytes(4).toString('hex');
/**
 * Where this run writes in the bucket: below the folder where drive.spec.ts
 * writes too, so that its listing of the bucket's top level stays the same.
 */
const ROOT = `scratch/refresh-${RUN}`;

/** Much less than the 30 s of the browsers' own polling. */
const AT_ONCE = { timeout: 3000 };

/** Whether an object exists in the bucket. */
function exists(page: IJupyterLabPageFixture, key: string): Promise<boolean> {
  return objectExists(page.request, BUCKET, key);
}

function putObject(
  page: IJupyterLabPageFixture,
  key: string,
  body: string
): Promise<void> {
  return putMotoObject(page.request, BUCKET, key, body);
}

/** Connectors A and B, created when missing, both active. */
async function activeConnectors(
  page: IJupyterLabPageFixture
): Promise<Record<string, IConnectorReply>> {
  const found: Record<string, IConnectorReply> = {};
  for (const name of [A, B]) {
    const { connector } = await ensureActiveConnector(page.request, {
      name,
      bucket: BUCKET,
      description: 'Created by the browser-refresh UI tests',
      secret_access_key: `galata-refresh-secret-${RUN}`
    });
    found[name] = connector;
  }
  return found;
}

/** An item of the open context menu, by its label. */
function menuItem(page: Page, label: string): Locator {
  return page
    .locator('.lm-Menu-item .lm-Menu-itemLabel')
    .getByText(label, { exact: true });
}

/** Call the page's contents manager (paths carry the drive name); the model's path. */
async function contents(
  page: Page,
  call: 'save' | 'rename' | 'newUntitled' | 'delete',
  ...args: unknown[]
): Promise<string> {
  return page.evaluate(
    async ({ call, args }) => {
      const manager = (window as any).jupyterapp.serviceManager.contents;
      const model = await manager[call](...args);
      return model?.path ?? '';
    },
    { call, args }
  );
}

test.describe('Bucket browser listings and deletion', () => {
  test.afterAll(async ({ playwright }, testInfo) => {
    // The connectors of these tests go, so that other specs start as they expect.
    const request = await playwright.request.newContext({
      baseURL: testInfo.project.use.baseURL
    });
    await removeConnectors(request, [A, B]);
    await request.dispose();
  });

  test('a file deleted in a subfolder leaves the listing at once', async ({
    page
  }) => {
    const folder = `${ROOT}/deleted/sub`;
    await putObject(page, `${folder}/gone.txt`, 'to be deleted\n');
    await putObject(page, `${folder}/stays.txt`, 'to be kept\n');
    await activeConnectors(page);
    await page.reload();

    const browser = await openBrowser(page, A);
    await goTo(browser, folder);
    await expect(entry(browser, 'gone.txt')).toBeVisible();

    await entry(browser, 'gone.txt').click();
    await page.keyboard.press('Delete');
    const dialog = page.locator('.jp-Dialog');
    await expect(dialog).toBeVisible();
    await dialog.locator('.jp-Dialog-button.jp-mod-warn').click();

    await expect(entry(browser, 'gone.txt')).toHaveCount(0, AT_ONCE);
    await expect(entry(browser, 'stays.txt')).toBeVisible();
    expect(await exists(page, `${folder}/gone.txt`)).toBe(false);
    expect(await exists(page, `${folder}/stays.txt`)).toBe(true);
  });

  test('new, saved, renamed and deleted items of a subfolder show at once', async ({
    page
  }) => {
    const folder = `${ROOT}/changes/sub`;
    await putObject(page, `${folder}/first.txt`, 'first\n');
    const drive = driveName((await activeConnectors(page))[A].id);
    await page.reload();

    const browser = await openBrowser(page, A);
    await goTo(browser, folder);
    await expect(entry(browser, 'first.txt')).toBeVisible();

    await test.step('a saved new file', async () => {
      await contents(page, 'save', `${drive}:${folder}/saved.txt`, {
        type: 'file',
        format: 'text',
        content: 'saved from elsewhere\n'
      });
      await expect(entry(browser, 'saved.txt')).toBeVisible(AT_ONCE);
      expect(await exists(page, `${folder}/saved.txt`)).toBe(true);
    });

    await test.step('a renamed file', async () => {
      await contents(
        page,
        'rename',
        `${drive}:${folder}/saved.txt`,
        `${drive}:${folder}/renamed.txt`
      );
      await expect(entry(browser, 'renamed.txt')).toBeVisible(AT_ONCE);
      await expect(entry(browser, 'saved.txt')).toHaveCount(0, AT_ONCE);
      expect(await exists(page, `${folder}/renamed.txt`)).toBe(true);
      expect(await exists(page, `${folder}/saved.txt`)).toBe(false);
    });

    await test.step('a new untitled file and folder', async () => {
      const file = await contents(page, 'newUntitled', {
        path: `${drive}:${folder}`,
        type: 'file',
        ext: '.txt'
      });
      await expect(entry(browser, path.posix.basename(file))).toBeVisible(
        AT_ONCE
      );
      const dir = await contents(page, 'newUntitled', {
        path: `${drive}:${folder}`,
        type: 'directory'
      });
      await expect(entry(browser, path.posix.basename(dir))).toBeVisible(
        AT_ONCE
      );
      await contents(page, 'delete', dir);
      await expect(entry(browser, path.posix.basename(dir))).toHaveCount(
        0,
        AT_ONCE
      );
    });

    await test.step('the shown folder itself renamed', async () => {
      await contents(
        page,
        'rename',
        `${drive}:${folder}`,
        `${drive}:${ROOT}/changes/moved`
      );
      // The browser follows the folder to its new name.
      await expect(crumbs(browser).last()).toHaveAttribute(
        'data-path',
        `${ROOT}/changes/moved`,
        AT_ONCE
      );
      await expect(entry(browser, 'renamed.txt')).toBeVisible();
      expect(await exists(page, `${ROOT}/changes/moved/renamed.txt`)).toBe(
        true
      );
    });

    await test.step('the shown folder itself deleted', async () => {
      await contents(page, 'delete', `${drive}:${ROOT}/changes/moved`);
      // The browser goes up to the nearest folder that is left.
      await expect(crumbs(browser).last()).toHaveAttribute(
        'data-path',
        `${ROOT}/changes`,
        AT_ONCE
      );
      await expect(page.locator('.jp-Dialog')).toHaveCount(0);
      expect(await exists(page, `${ROOT}/changes/moved/first.txt`)).toBe(false);
    });
  });

  test('a bucket browser says "Delete"; the main browser keeps the server\'s wording', async ({
    page,
    tmpPath
  }) => {
    const folder = `${ROOT}/wording/sub`;
    await putObject(page, `${folder}/by-menu.txt`, 'deleted by the menu\n');
    await putObject(page, `${folder}/by-key.txt`, 'kept: cancelled\n');
    const local = `trash-wording-${RUN}.txt`;
    // In the folder where Galata opens the main file browser.
    await page.contents.uploadContent(
      'a local file\n',
      'text',
      `${tmpPath}/${local}`
    );
    await activeConnectors(page);
    await page.reload();
    // The test server deletes to the trash (jupyter_server_test_config.py).
    expect(
      await page.evaluate(
        () =>
          JSON.parse(
            document.getElementById('jupyter-config-data')!.textContent!
          ).delete_to_trash
      )
    ).toBe(true);

    const browser = await openBrowser(page, A);
    await goTo(browser, folder);
    const dialog = page.locator('.jp-Dialog');

    await test.step('the context menu and its dialog', async () => {
      await entry(browser, 'by-menu.txt').click({ button: 'right' });
      await expect(menuItem(page, 'Delete')).toBeVisible();
      await expect(menuItem(page, 'Move to Trash')).toHaveCount(0);
      await menuItem(page, 'Delete').click();
      await expect(dialog.locator('.jp-Dialog-header')).toHaveText('Delete');
      await expect(dialog.locator('.jp-Dialog-body')).toContainText(
        'permanently delete'
      );
      await expect(dialog.locator('.jp-Dialog-body')).not.toContainText(
        'trash'
      );
      await dialog.getByRole('button', { name: 'Delete', exact: true }).click();
      await expect(entry(browser, 'by-menu.txt')).toHaveCount(0, AT_ONCE);
      expect(await exists(page, `${folder}/by-menu.txt`)).toBe(false);
    });

    await test.step('the Delete key asks the same', async () => {
      await entry(browser, 'by-key.txt').click();
      await page.keyboard.press('Delete');
      await expect(dialog.locator('.jp-Dialog-header')).toHaveText('Delete');
      await expect(dialog.locator('.jp-Dialog-body')).toContainText(
        'permanently delete'
      );
      await dialog.getByRole('button', { name: 'Cancel', exact: true }).click();
      await expect(dialog).toHaveCount(0);
      await expect(entry(browser, 'by-key.txt')).toBeVisible();
      expect(await exists(page, `${folder}/by-key.txt`)).toBe(true);
    });

    await test.step('the main file browser keeps "Move to Trash"', async () => {
      await page.sidebar.openTab('filebrowser');
      const main = page.locator('#filebrowser');
      await expect(entry(main, local)).toBeVisible();
      await entry(main, local).click({ button: 'right' });
      await expect(menuItem(page, 'Move to Trash')).toBeVisible();
      await expect(menuItem(page, 'Delete')).toHaveCount(0);
      await page.keyboard.press('Escape');
      await entry(main, local).click();
      await page.keyboard.press('Delete');
      await expect(dialog.locator('.jp-Dialog-header')).toHaveText(
        'Move to Trash'
      );
      await dialog.getByRole('button', { name: 'Cancel', exact: true }).click();
      await expect(dialog).toHaveCount(0);
      await expect(entry(main, local)).toBeVisible();
    });
  });

  test('deactivating a connector right after a reload, with documents of both open', async ({
    page
  }) => {
    const folder = `${ROOT}/race`;
    await putObject(page, `${folder}/of-a.txt`, 'a document of connector A\n');
    await putObject(page, `${folder}/of-b.txt`, 'a document of connector B\n');
    const { [A]: a } = await activeConnectors(page);
    await page.reload();

    // A document of B, then one of A in front: the page's URL names A's.
    for (const [name, file] of [
      [B, 'of-b.txt'],
      [A, 'of-a.txt']
    ]) {
      const browser = await openBrowser(page, name);
      await goTo(browser, folder);
      await entry(browser, file).dblclick();
      await expect(documentTab(page, file)).toBeVisible();
    }
    await expect(page).toHaveURL(new RegExp(escapeRegExp('/of-a.txt') + '$'));
    // The layout with both documents is saved before the reload.
    await expect
      .poll(() =>
        page.evaluate(async () => {
          // Through the page: Galata keeps the workspace of the test itself.
          const config = JSON.parse(
            document.getElementById('jupyter-config-data')!.textContent!
          );
          const saved = await fetch(
            `${config.baseUrl}lab/api/workspaces/${config.workspace}`
          );
          const text = saved.ok ? await saved.text() : '';
          return text.includes('of-a.txt') && text.includes('of-b.txt');
        })
      )
      .toBe(true);

    const errors: string[] = [];
    page.on('pageerror', error => errors.push(error.message));
    // Galata's readiness check wants the Launcher in front: a document is.
    await page.reload({ waitForIsReady: false } as Parameters<
      Page['reload']
    >[0]);
    // As soon as the command exists: JupyterLab is still starting.
    await page.waitForFunction(() =>
      (window as any).jupyterapp?.commands?.hasCommand(
        's3-connectors:deactivate'
      )
    );
    const result = await page.evaluate(async id => {
      const app = (window as any).jupyterapp;
      const connector = await app.commands.execute('s3-connectors:deactivate', {
        id
      });
      return connector ? connector.active : 'kept';
    }, a.id);
    expect(result).toBe(false);

    // No "Cannot open" nor any other failure, even a late one.
    await page.waitForTimeout(3000);
    await expect(page.locator('.jp-Dialog')).toHaveCount(0);
    expect(errors).toEqual([]);
    // A's document is closed, B's is back and works.
    const tabB = documentTab(page, 'of-b.txt');
    await expect(tabB).toBeVisible();
    await expect(documentTab(page, 'of-a.txt')).toHaveCount(0);
    await tabB.click();
    await expect(page.locator('.jp-FileEditor:visible .cm-content')).toHaveText(
      'a document of connector B'
    );
    await expect(page.sidebar.getTabLocator(browserId(A))).toHaveCount(0);
    await expect(page.sidebar.getTabLocator(browserId(B))).toHaveCount(1);
    const states = await listConnectors(page.request);
    expect(states.find(c => c.name === A)?.active).toBe(false);
    expect(states.find(c => c.name === B)?.active).toBe(true);
  });
});
