/**
 * UI tests of the connector form: it fits a 768-pixel-high window, and its
 * bucket picker lists the buckets of the moto server started by
 * jupyter_server_test_config.py.
 */
import { expect, test } from '@jupyterlab/galata';
import type { IJupyterLabPageFixture } from '@jupyterlab/galata';
import type { Locator } from '@playwright/test';

import { API, motoEndpoint } from './helpers';

const PANEL_ID = 'jp-S3Connectors-panel';
const FIELDS = [
  'name',
  'region',
  'description',
  'endpoint',
  'credentials',
  'access_key_id',
  'secret_access_key',
  'bucket',
  'prefix',
  'mode',
  'backend'
];

function field(dialog: Locator, name: string): Locator {
  return dialog.locator(
    `.jp-S3Connectors-field[data-field="${name}"] [name="${name}"]`
  );
}

async function deleteAllConnectors(page: IJupyterLabPageFixture) {
  const response = await page.request.get(API);
  expect(response.ok()).toBeTruthy();
  const { connectors } = await response.json();
  for (const c of connectors as { id: string; active: boolean }[]) {
    if (c.active) {
      await page.request.post(`${API}/${c.id}/deactivate`);
    }
    expect((await page.request.delete(`${API}/${c.id}`)).ok()).toBeTruthy();
  }
}

/** Open the new-connector dialog from the panel's toolbar. */
async function openNewConnectorForm(
  page: IJupyterLabPageFixture
): Promise<Locator> {
  await page.sidebar.openTab(PANEL_ID);
  const panel = page.locator(`#${PANEL_ID}`);
  await expect(panel).toBeVisible();
  await panel
    .locator('.jp-Toolbar')
    .getByTitle('Create a connector to an S3 bucket', { exact: true })
    .click();
  const dialog = page.locator('.jp-Dialog');
  await expect(dialog.locator('form.jp-S3Connectors-form')).toBeVisible();
  return dialog;
}

/** The box of an element, which must be laid out. */
async function box(locator: Locator) {
  const bounds = await locator.boundingBox();
  expect(bounds).not.toBeNull();
  return bounds!;
}

test.describe('connector form', () => {
  test.describe.configure({ mode: 'serial' });

  test('fits a 1024×768 window without scrolling', async ({ page }) => {
    await page.setViewportSize({ width: 1024, height: 768 });
    const dialog = await openNewConnectorForm(page);
    const legends = dialog.locator('fieldset > legend');
    await expect(legends).toHaveText([
      'Connection',
      'Credentials and bucket',
      'Behaviour'
    ]);
    const within = async (locator: Locator, what: string) => {
      await expect(locator, what).toBeVisible();
      const { x, y, width, height } = await box(locator);
      expect(x, `${what}: left`).toBeGreaterThanOrEqual(0);
      expect(y, `${what}: top`).toBeGreaterThanOrEqual(0);
      expect(x + width, `${what}: right`).toBeLessThanOrEqual(1024);
      expect(y + height, `${what}: bottom`).toBeLessThanOrEqual(768);
    };
    for (const name of FIELDS) {
      await within(field(dialog, name), name);
    }
    await within(
      dialog.getByRole('button', { name: 'List buckets' }),
      'List buckets'
    );
    await within(dialog.getByRole('button', { name: 'Cancel' }), 'Cancel');
    await within(dialog.getByRole('button', { name: 'Create' }), 'Create');

    // Nothing to scroll: neither the dialog's body nor the page.
    const body = dialog.locator('.jp-Dialog-body');
    const { scrollHeight, clientHeight } = await body.evaluate(node => ({
      scrollHeight: node.scrollHeight,
      clientHeight: node.clientHeight
    }));
    expect(clientHeight).toBeGreaterThan(300);
    expect(scrollHeight).toBeLessThanOrEqual(clientHeight);
    expect(
      await page.evaluate(() => document.documentElement.scrollHeight)
    ).toBeLessThanOrEqual(768);

    // The keyboard visits the fields in the order of the groups.
    await field(dialog, 'name').focus();
    const visited: string[] = [];
    for (let i = 0; i < FIELDS.length + 1; i++) {
      const name = await page.evaluate(
        () =>
          document.activeElement?.getAttribute('name') ??
          document.activeElement?.textContent ??
          ''
      );
      visited.push(name);
      await page.keyboard.press('Tab');
    }
    expect(visited).toEqual([
      'name',
      'region',
      'description',
      'endpoint',
      'credentials',
      'access_key_id',
      'secret_access_key',
      'bucket',
      'List buckets',
      'prefix',
      'mode',
      'backend'
    ]);
    await dialog.getByRole('button', { name: 'Cancel' }).click();
    await expect(dialog).toHaveCount(0);
  });

  test("the server's own credentials ask for no key", async ({ page }) => {
    const dialog = await openNewConnectorForm(page);
    await expect(field(dialog, 'access_key_id')).toBeVisible();
    await field(dialog, 'credentials').selectOption('server');
    await expect(field(dialog, 'access_key_id')).toBeHidden();
    await expect(field(dialog, 'secret_access_key')).toBeHidden();
    // The server's credentials go through the proxy only: direct is refused.
    await field(dialog, 'backend').selectOption('direct');
    await expect(
      dialog.locator(
        '.jp-S3Connectors-field[data-field="credentials"] .jp-S3Connectors-fieldError'
      )
    ).toContainText('proxy backend only');
    await field(dialog, 'credentials').selectOption('key');
    await expect(field(dialog, 'access_key_id')).toBeVisible();
    await dialog.getByRole('button', { name: 'Cancel' }).click();
  });

  test('pick the bucket from the list of the buckets the key can see', async ({
    page
  }) => {
    await deleteAllConnectors(page);
    const dialog = await openNewConnectorForm(page);
    const status = dialog.locator('.jp-S3Connectors-bucketStatus');
    const choices = dialog.getByRole('combobox', { name: 'Buckets found' });

    await test.step('a wrong endpoint says so', async () => {
      // Nothing listens on port 9 (discard) of this machine.
      await field(dialog, 'endpoint').fill('http://127.0.0.1:9');
      await field(dialog, 'access_key_id').fill('galata-key');
      await field(dialog, 'secret_access_key').fill('galata-secret');
      await dialog.getByRole('button', { name: 'List buckets' }).click();
      await expect(status).toHaveText(
        'Could not connect to http://127.0.0.1:9. Check the endpoint URL and that the service is running.'
      );
      await expect(status).toHaveClass(/jp-mod-error/);
      await expect(choices).toBeHidden();
    });

    await test.step('the right endpoint lists the buckets', async () => {
      await field(dialog, 'endpoint').fill(motoEndpoint());
      await dialog.getByRole('button', { name: 'List buckets' }).click();
      await expect(status).toContainText('buckets found');
      await expect(status).not.toHaveClass(/jp-mod-error/);
      await expect(choices).toBeVisible();
      const names = await choices.locator('option').allTextContents();
      expect(names).toEqual(
        expect.arrayContaining(['galata', 'galata-drive', 'galata-direct'])
      );
      await choices.selectOption('galata');
      await expect(field(dialog, 'bucket')).toHaveValue('galata');
    });

    await test.step('the connector is created with the bucket picked', async () => {
      await field(dialog, 'name').fill('picked-bucket');
      await dialog.getByRole('button', { name: 'Create' }).click();
      await expect(dialog).toHaveCount(0);
      await expect(
        page.locator(
          'li.jp-S3Connectors-item[data-connector-name="picked-bucket"]'
        )
      ).toBeVisible();
      const { connectors } = await (await page.request.get(API)).json();
      expect(
        connectors.map((c: { name: string; bucket: string }) => [
          c.name,
          c.bucket
        ])
      ).toEqual([['picked-bucket', 'galata']]);
    });

    await test.step('editing lists with the stored key, which stays on the server', async () => {
      const panel = page.locator(`#${PANEL_ID}`);
      const connector = panel.locator(
        'li.jp-S3Connectors-item[data-connector-name="picked-bucket"]'
      );
      // The connector just created is the selected one, its details open.
      await expect(
        connector.locator('.jp-S3Connectors-itemHeader')
      ).toHaveAttribute('aria-expanded', 'true');
      await connector
        .getByRole('button', { name: 'Edit', exact: true })
        .click();
      await expect(field(dialog, 'secret_access_key')).toHaveValue('');
      const request = page.waitForRequest(
        r =>
          new URL(r.url()).pathname.endsWith('/s3-connectors/api/buckets') &&
          r.method() === 'POST'
      );
      await dialog.getByRole('button', { name: 'List buckets' }).click();
      const sent = (await request).postDataJSON();
      expect(sent).not.toHaveProperty('secret_access_key');
      expect(sent.connector_id).toBeTruthy();
      await expect(status).toContainText('buckets found');
      await expect(choices).toHaveValue('galata');
      await dialog.getByRole('button', { name: 'Cancel' }).click();
      await expect(dialog).toHaveCount(0);
    });
    await deleteAllConnectors(page);
  });
});
