/**
 * UI tests of catalogs: publishing from a connector's Access section, the
 * panel's section per catalog, what a published connector offers, and a
 * connector the administrator provides with the server's own credentials.
 * jupyter_server_test_config.py configures the catalogs `team` and `it`.
 *
 * Each test creates the connectors it needs (names starting with `cat-`) and
 * unpublishes and deletes them at the end.
 */
import { expect, test } from '@jupyterlab/galata';
import type { APIRequestContext, Locator } from '@playwright/test';

import {
  browserId,
  createConnector,
  entry,
  listConnectors,
  openPanel,
  panelItem
} from './helpers';

const API = '/s3-connectors/api';
const PREFIX = 'cat-';

function catalogSection(panel: Locator, name: string): Locator {
  return panel.locator(
    `section.jp-S3Connectors-catalog[data-catalog="${name}"]`
  );
}

function buttonsOf(item: Locator): Locator {
  return item.locator('.jp-S3Connectors-actions button');
}

async function cleanUp(request: APIRequestContext): Promise<void> {
  const catalogs = (await (await request.get(`${API}/catalogs`)).json())
    .catalogs as {
    name: string;
    connectors: { id: string; active: boolean }[];
  }[];
  for (const catalog of catalogs) {
    for (const c of catalog.connectors) {
      if (c.active) {
        await request.post(`${API}/connectors/${c.id}/deactivate`);
      }
    }
  }
  for (const c of await listConnectors(request)) {
    if (c.name.startsWith(PREFIX)) {
      await request.post(`${API}/connectors/${c.id}/unpublish`, {
        data: { catalog: 'team' }
      });
      if (c.active) {
        await request.post(`${API}/connectors/${c.id}/deactivate`);
      }
      expect((await request.delete(`${API}/connectors/${c.id}`)).status()).toBe(
        204
      );
    }
  }
}

test.beforeEach(async ({ request }) => cleanUp(request));
test.afterEach(async ({ request }) => cleanUp(request));

test('publish from the Access section, then use the published copy', async ({
  page
}) => {
  const name = `${PREFIX}shared`;
  const own = await createConnector(page.request, { name, bucket: 'galata' });
  await page.reload();
  const panel = await openPanel(page);
  const item = panelItem(panel.locator('ul[aria-label="S3 connectors"]'), name);
  await item.locator('.jp-S3Connectors-itemHeader').click();

  const access = item.locator('.jp-S3Connectors-access');
  const row = access.locator('li[data-catalog="team"]');
  await expect(row).toContainText('Not published in Team');
  // The administrator's catalog is not one users publish to.
  await expect(access.locator('li[data-catalog="it"]')).toHaveCount(0);
  await row.getByRole('button', { name: 'Publish to Team' }).click();
  await expect(row).toContainText(
    /Published in Team by .+, \w+ \d+, \d{4}, \d\d:\d\d \(UTC\)/
  );
  await expect(item.locator('.jp-S3Connectors-badge-published')).toBeVisible();
  // Publishing wrote the copy: delete is refused while it is published.
  const refused = await page.request.delete(`${API}/connectors/${own.id}`);
  expect(refused.status()).toBe(409);

  // The copy is in the team's section, with who published it; its details
  // offer Activate, Test and (to its publisher) Unpublish, never Edit or Delete.
  const team = catalogSection(panel, 'team');
  await expect(team.locator('h3')).toHaveText('Published in Team');
  const copy = panelItem(team, name);
  await copy.locator('.jp-S3Connectors-itemHeader').click();
  await expect(copy.locator('dd[data-field="published_by"]')).not.toBeEmpty();
  await expect(buttonsOf(copy)).toHaveText([
    'Activate',
    'Test connection',
    'Unpublish'
  ]);
  await copy.getByRole('button', { name: 'Activate' }).click();
  await copy.getByRole('button', { name: 'Browse files' }).click();
  const browser = page.locator(`#${browserId(`team_${name}`)}`);
  await expect(browser).toBeVisible();
  await expect(entry(browser, 'README.md')).toBeVisible();

  // Unpublishing (asked first) removes the copy and its browser.
  await openPanel(page);
  await copy.getByRole('button', { name: 'Deactivate' }).click();
  await expect(page.locator(`#${browserId(`team_${name}`)}`)).toHaveCount(0);
  await copy.getByRole('button', { name: 'Unpublish' }).click();
  await page
    .locator('.jp-Dialog')
    .getByRole('button', { name: 'Unpublish' })
    .click();
  await expect(team).toHaveCount(0);
  await expect(item.locator('.jp-S3Connectors-badge-published')).toHaveCount(0);
  await item.locator('.jp-S3Connectors-itemHeader').click();
  await expect(row).toContainText('Not published in Team');
});

test('a connector the administrator provides works with the server credentials', async ({
  page
}) => {
  const panel = await openPanel(page);
  const it = catalogSection(panel, 'it');
  await expect(it.locator('h3')).toHaveText('Provided by IT');
  const item = panelItem(it, 'shared-galata');
  await item.locator('.jp-S3Connectors-itemHeader').click();
  await expect(buttonsOf(item)).toHaveText(['Activate', 'Test connection']);
  await item.getByRole('button', { name: 'Test connection' }).click();
  await expect(item.locator('.jp-S3Connectors-test')).toHaveClass(
    /jp-mod-success/
  );
  await item.getByRole('button', { name: 'Activate' }).click();
  await item.getByRole('button', { name: 'Browse files' }).click();
  const browser = page.locator(`#${browserId('it_shared-galata')}`);
  await expect(entry(browser, 'README.md')).toBeVisible();
  // Read-only: the browser offers no New Folder.
  await expect(browser.getByTitle('New Folder')).toHaveCount(0);
});

test('the palette publishes and unpublishes', async ({ page }) => {
  const name = `${PREFIX}palette`;
  const own = await createConnector(page.request, { name, bucket: 'galata' });
  await page.reload();
  await page.evaluate(
    async ([id]) => {
      await window.jupyterapp.commands.execute('s3-connectors:publish', {
        id,
        catalog: 'team'
      });
    },
    [own.id]
  );
  const panel = await openPanel(page);
  await expect(panelItem(catalogSection(panel, 'team'), name)).toBeVisible();

  await page.keyboard.press('Control+Shift+C');
  const palette = page.locator('#command-palette');
  await palette.locator('input').fill('Unpublish S3 Connector');
  await palette
    .locator('.lm-CommandPalette-item', { hasText: 'Unpublish S3 Connector…' })
    .click();
  const dialog = page.locator('.jp-Dialog');
  await dialog.getByRole('button', { name: 'Choose' }).click();
  await dialog.getByRole('button', { name: 'Unpublish' }).click();
  await expect(catalogSection(panel, 'team')).toHaveCount(0);
});
