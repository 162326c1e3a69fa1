/**
 * UI tests of the "S3 Connectors" panel, against a real JupyterLab and a moto S3
 * server started by jupyter_server_test_config.py (bucket `galata`).
 */
import { expect, test } from '@jupyterlab/galata';
import type { IJupyterLabPageFixture } from '@jupyterlab/galata';
import type { Locator } from '@playwright/test';

import {
  activateConnector,
  createConnector,
  listConnectors,
  motoEndpoint,
  openPanel,
  PANEL_ID,
  panelItem as item,
  removeConnectors
} from './helpers';

const BUCKET = 'galata';

/** `July 18, 2022, 14:23` (UTC). */
const DATE_FORMAT =
  /^(January|February|March|April|May|June|July|August|September|October|November|December) ([1-9]|[12]\d|3[01]), \d{4}, ([01]\d|2[0-3]):[0-5]\d$/;

function panelOf(page: IJupyterLabPageFixture): Locator {
  return page.locator(`#${PANEL_ID}`);
}

/** The panel's toolbar button with this tooltip. */
function toolbarButton(panel: Locator, tooltip: string): Locator {
  return panel.locator('.jp-Toolbar').getByTitle(tooltip, { exact: true });
}

function field(dialog: Locator, name: string): Locator {
  return dialog.locator(
    `.jp-S3Connectors-field[data-field="${name}"] [name="${name}"]`
  );
}

function fieldError(dialog: Locator, name: string): Locator {
  return dialog.locator(
    `.jp-S3Connectors-field[data-field="${name}"] .jp-S3Connectors-fieldError`
  );
}

/** Replace the value of an input by typing it key by key, as a user does. */
async function type(input: Locator, text: string): Promise<void> {
  await input.clear();
  await input.pressSequentially(text);
}

function detail(connector: Locator, name: string): Locator {
  return connector.locator(`.jp-S3Connectors-details dd[data-field="${name}"]`);
}

test.describe('S3 Connectors panel', () => {
  test('the sidebar tab opens the panel', async ({ page }) => {
    const tab = page.sidebar.getTabLocator(PANEL_ID);
    await expect(tab).toHaveAttribute('title', 'S3 Connectors');
    const panel = await openPanel(page);
    await expect(
      panel.locator('.jp-S3Connectors-header').getByText('S3 Connectors')
    ).toBeVisible();
    await expect(
      toolbarButton(panel, 'Create a connector to an S3 bucket')
    ).toBeVisible();
    await expect(toolbarButton(panel, 'Refresh the list')).toBeVisible();
  });

  test('create, inspect, edit, test, activate, deactivate and delete a connector', async ({
    page
  }) => {
    const endpoint = motoEndpoint();
    const name = 'galata-bucket';
    await removeConnectors(page.request);
    const panel = await openPanel(page);
    await toolbarButton(panel, 'Refresh the list').click();
    await expect(panel.getByText('No S3 connectors yet.')).toBeVisible();

    const dialog = page.locator('.jp-Dialog');

    await test.step('an empty form is refused with every error shown', async () => {
      await toolbarButton(panel, 'Create a connector to an S3 bucket').click();
      await expect(dialog.locator('form.jp-S3Connectors-form')).toBeVisible();
      await expect(
        dialog.locator('.jp-Dialog-header').getByText('New S3 connector')
      ).toBeVisible();
      // Untouched fields show no error yet: Create is enabled.
      await expect(fieldError(dialog, 'name')).toHaveText('');
      await dialog.getByRole('button', { name: 'Create' }).click();
      // The form comes back with a banner and the errors of every field.
      await expect(dialog.locator('.jp-S3Connectors-formError')).toHaveText(
        'Correct the fields marked below.'
      );
      await expect(fieldError(dialog, 'name')).toHaveText(
        'A name is required.'
      );
      await expect(fieldError(dialog, 'endpoint')).toContainText(
        'An endpoint is required'
      );
      await expect(fieldError(dialog, 'bucket')).toHaveText(
        'A bucket name is required.'
      );
      await expect(fieldError(dialog, 'access_key_id')).toHaveText(
        'An access key ID is required.'
      );
      await expect(fieldError(dialog, 'secret_access_key')).toHaveText(
        'A secret access key is required.'
      );
      await expect(field(dialog, 'name')).toHaveClass(/jp-mod-error/);
      await dialog.getByRole('button', { name: 'Cancel' }).click();
      await expect(dialog).toHaveCount(0);
      await expect(panel.getByText('No S3 connectors yet.')).toBeVisible();
    });

    await test.step('create a connector through the form', async () => {
      await toolbarButton(panel, 'Create a connector to an S3 bucket').click();
      const form = dialog.locator('form.jp-S3Connectors-form');
      await expect(form).toBeVisible();
      const create = dialog.getByRole('button', { name: 'Create' });

      // Invalid values: inline messages, and Create is disabled. Typed key by
      // key, as a user does (see the known-bug test below for `fill`).
      await type(field(dialog, 'name'), '1Bad_Name');
      await expect(fieldError(dialog, 'name')).toHaveText(
        'Use only lowercase letters, digits and hyphens.'
      );
      await expect(field(dialog, 'name')).toHaveClass(/jp-mod-error/);
      await expect(create).toBeDisabled();

      await type(field(dialog, 'name'), '1bad-name');
      await expect(fieldError(dialog, 'name')).toHaveText(
        'Start with a lowercase letter.'
      );

      await type(field(dialog, 'endpoint'), 'ftp://example.com');
      await expect(fieldError(dialog, 'endpoint')).toHaveText(
        'Use an http:// or https:// URL.'
      );
      await type(field(dialog, 'endpoint'), 's3.example.com');
      await expect(fieldError(dialog, 'endpoint')).toContainText(
        'Enter an absolute URL starting with http:// or https://'
      );
      await expect(create).toBeDisabled();

      // Fix them: the messages go away.
      await type(field(dialog, 'name'), name);
      await expect(fieldError(dialog, 'name')).toHaveText('');
      await expect(field(dialog, 'name')).not.toHaveClass(/jp-mod-error/);
      await expect(create).toBeDisabled(); // the endpoint is still wrong
      await type(field(dialog, 'endpoint'), endpoint);
      await expect(fieldError(dialog, 'endpoint')).toHaveText('');
      await expect(create).toBeEnabled();

      await field(dialog, 'description').fill('Created by the UI tests');
      await expect(field(dialog, 'region')).toHaveValue('us-east-1');
      await field(dialog, 'bucket').fill(BUCKET);
      await field(dialog, 'access_key_id').fill('galata-key');
      await field(dialog, 'secret_access_key').fill('galata-secret');
      await expect(field(dialog, 'mode')).toHaveValue('read-write');
      await expect(field(dialog, 'backend')).toHaveValue('proxy');
      await expect(form.locator('.jp-mod-error')).toHaveCount(0);
      await create.click();
      await expect(dialog).toHaveCount(0);
    });

    const connector = item(panel, name);

    await test.step('the new connector is listed', async () => {
      // The user's own connectors (the catalogs' sections follow them).
      await expect(
        panel.locator(
          'ul.jp-S3Connectors-list[aria-label="S3 connectors"] > li'
        )
      ).toHaveCount(1);
      await expect(connector).toBeVisible();
      await expect(connector.locator('.jp-S3Connectors-itemName')).toHaveText(
        name
      );
      await expect(
        connector.locator('.jp-S3Connectors-itemLocation')
      ).toHaveText(`${BUCKET} · ${endpoint}`);
      await expect(connector.locator('.jp-S3Connectors-badge')).toHaveText([
        'read-write',
        'proxy'
      ]);
      await expect(connector).not.toHaveClass(/jp-mod-active/);
    });

    await test.step('its details show every field', async () => {
      const header = connector.locator('.jp-S3Connectors-itemHeader');
      // A new connector comes selected, its details open; the header toggles them.
      await expect(connector).toHaveClass(/jp-mod-selected/);
      await header.click();
      await expect(connector).not.toHaveClass(/jp-mod-selected/);
      await expect(header).toHaveAttribute('aria-expanded', 'false');
      await expect(connector.locator('.jp-S3Connectors-details')).toHaveCount(
        0
      );
      await header.click();
      await expect(connector).toHaveClass(/jp-mod-selected/);
      await expect(header).toHaveAttribute('aria-expanded', 'true');
      await expect(detail(connector, 'id')).toHaveText(/^\S{4,}$/);
      await expect(detail(connector, 'description')).toHaveText(
        'Created by the UI tests'
      );
      await expect(detail(connector, 'endpoint')).toHaveText(endpoint);
      await expect(detail(connector, 'region')).toHaveText('us-east-1');
      await expect(detail(connector, 'bucket')).toHaveText(BUCKET);
      await expect(detail(connector, 'prefix')).toHaveText('—');
      await expect(detail(connector, 'access_key_id')).toHaveText('galata-key');
      await expect(detail(connector, 'secret')).toHaveText('Stored encrypted');
      await expect(detail(connector, 'mode')).toHaveText('Read-write');
      await expect(detail(connector, 'backend')).toHaveText('Proxy');
      await expect(detail(connector, 'created_at')).toHaveText(DATE_FORMAT);
      await expect(detail(connector, 'updated_at')).toHaveText(DATE_FORMAT);
      // The secret never reaches the page.
      await expect(connector).not.toContainText('galata-secret');
    });

    await test.step('edit its description', async () => {
      await connector
        .getByRole('button', { name: 'Edit', exact: true })
        .click();
      await expect(
        dialog
          .locator('.jp-Dialog-header')
          .getByText(`Edit connector "${name}"`)
      ).toBeVisible();
      await expect(field(dialog, 'name')).toHaveValue(name);
      await expect(field(dialog, 'endpoint')).toHaveValue(endpoint);
      await expect(field(dialog, 'bucket')).toHaveValue(BUCKET);
      await expect(field(dialog, 'secret_access_key')).toHaveValue('');
      await expect(field(dialog, 'secret_access_key')).toHaveAttribute(
        'placeholder',
        'Leave empty to keep the current key'
      );
      await field(dialog, 'description').fill('Edited by the UI tests');
      await dialog.getByRole('button', { name: 'Save' }).click();
      await expect(dialog).toHaveCount(0);
      await expect(detail(connector, 'description')).toHaveText(
        'Edited by the UI tests'
      );
      // An empty secret field kept the stored key.
      await expect(detail(connector, 'secret')).toHaveText('Stored encrypted');
      await expect(detail(connector, 'updated_at')).toHaveText(DATE_FORMAT);
    });

    await test.step('test the connection', async () => {
      await connector
        .getByRole('button', { name: 'Test connection', exact: true })
        .click();
      const result = connector.locator('.jp-S3Connectors-test');
      await expect(result).toHaveClass(/jp-mod-success/);
      await expect(result).toContainText(BUCKET);
      await expect(result).toHaveText(`Connected to bucket '${BUCKET}'.`);
    });

    await test.step('activate and deactivate it', async () => {
      await connector
        .getByRole('button', { name: 'Activate', exact: true })
        .click();
      // Activation may bring the connector's file browser forward: come back.
      await page.sidebar.openTab(PANEL_ID);
      await expect(connector).toHaveClass(/jp-mod-active/);
      await expect(
        connector.locator('.jp-S3Connectors-badge-active')
      ).toHaveText('active');
      const deactivate = connector.getByRole('button', {
        name: 'Deactivate',
        exact: true
      });
      await expect(deactivate).toBeVisible();
      await expect(
        connector.getByRole('button', { name: 'Activate', exact: true })
      ).toHaveCount(0);

      await deactivate.click();
      await expect(connector).not.toHaveClass(/jp-mod-active/);
      await expect(
        connector.locator('.jp-S3Connectors-badge-active')
      ).toHaveCount(0);
      await expect(
        connector.getByRole('button', { name: 'Activate', exact: true })
      ).toBeVisible();
    });

    await test.step('delete it after confirmation', async () => {
      await connector
        .getByRole('button', { name: 'Delete', exact: true })
        .click();
      await expect(
        dialog.locator('.jp-Dialog-header').getByText('Delete connector')
      ).toBeVisible();
      await expect(dialog.locator('.jp-Dialog-body')).toHaveText(
        `Delete connector "${name}"? Its bucket is not changed.`
      );
      // Cancel first: nothing happens.
      await dialog.getByRole('button', { name: 'Cancel' }).click();
      await expect(dialog).toHaveCount(0);
      await expect(connector).toBeVisible();

      await connector
        .getByRole('button', { name: 'Delete', exact: true })
        .click();
      await dialog.getByRole('button', { name: 'Delete', exact: true }).click();
      await expect(dialog).toHaveCount(0);
      await expect(connector).toHaveCount(0);
      await expect(panel.getByText('No S3 connectors yet.')).toBeVisible();
      expect(await listConnectors(page.request)).toEqual([]);
    });
  });

  // The dialog checks the fields in a capturing listener, before the form
  // does: the form must make it check again after each input.
  test('Create follows the last input at once', async ({ page }) => {
    const panel = await openPanel(page);
    await toolbarButton(panel, 'Create a connector to an S3 bucket').click();
    const dialog = page.locator('.jp-Dialog');
    await field(dialog, 'name').fill('1Bad_Name');
    await expect(fieldError(dialog, 'name')).toHaveText(
      'Use only lowercase letters, digits and hyphens.'
    );
    await expect(dialog.getByRole('button', { name: 'Create' })).toBeDisabled({
      timeout: 3000
    });
    await field(dialog, 'name').fill('good-name');
    await expect(fieldError(dialog, 'name')).toHaveText('');
    await expect(dialog.getByRole('button', { name: 'Create' })).toBeEnabled({
      timeout: 3000
    });
  });

  test('an active connector is deactivated by its deletion', async ({
    page
  }) => {
    const name = 'active-one';
    await removeConnectors(page.request);
    const { id } = await createConnector(page.request, {
      name,
      bucket: BUCKET,
      mode: 'read-only'
    });
    await activateConnector(page.request, id);

    const panel = await openPanel(page);
    await toolbarButton(panel, 'Refresh the list').click();
    const connector = item(panel, name);
    await expect(connector).toHaveClass(/jp-mod-active/);
    await expect(connector.locator('.jp-S3Connectors-badge')).toHaveText([
      'read-only',
      'proxy',
      'active'
    ]);
    await connector.locator('.jp-S3Connectors-itemHeader').click();
    await connector
      .getByRole('button', { name: 'Delete', exact: true })
      .click();
    const dialog = page.locator('.jp-Dialog');
    await expect(dialog.locator('.jp-Dialog-body')).toContainText(
      `Connector "${name}" is active.`
    );
    await dialog
      .getByRole('button', { name: 'Deactivate and delete', exact: true })
      .click();
    await expect(dialog).toHaveCount(0);
    await expect(panel.getByText('No S3 connectors yet.')).toBeVisible();
  });

  test('a failing connection test names the cause', async ({ page }) => {
    const name = 'missing-bucket';
    await removeConnectors(page.request);
    await createConnector(page.request, { name, bucket: 'no-such-bucket' });

    const panel = await openPanel(page);
    await toolbarButton(panel, 'Refresh the list').click();
    const connector = item(panel, name);
    await connector.locator('.jp-S3Connectors-itemHeader').click();
    await connector
      .getByRole('button', { name: 'Test connection', exact: true })
      .click();
    const result = connector.locator('.jp-S3Connectors-test');
    await expect(result).toHaveClass(/jp-mod-failure/);
    await expect(result).toContainText(
      "The bucket 'no-such-bucket' does not exist"
    );
    await removeConnectors(page.request);
  });

  test('the palette lists the S3 Connectors commands', async ({ page }) => {
    await page.menu.clickMenuItem('View>Activate Command Palette');
    const palette = page.locator('#modal-command-palette');
    await expect(palette).toBeVisible();
    await palette.locator('.lm-CommandPalette-input').fill('S3 Connector');
    // The category header (its text is split by the search's <mark> highlights).
    await expect(palette.locator('.lm-CommandPalette-header')).toHaveText([
      'S3 Connectors'
    ]);
    const labels = palette.locator(
      '.lm-CommandPalette-item .lm-CommandPalette-itemLabel'
    );
    const expected = [
      'New S3 Connector…',
      'Refresh S3 Connectors',
      'Open the S3 Connectors Panel',
      'Test S3 Connector Connection…',
      'Edit S3 Connector…',
      'Activate S3 Connector…',
      'Deactivate S3 Connector…',
      'Remount S3 Connector…',
      'Delete S3 Connector…',
      'Browse S3 Connector Files…',
      // jupyter_server_test_config.py configures a catalog users publish to.
      'Publish S3 Connector to a Catalog…',
      'Unpublish S3 Connector…'
    ];
    await expect(labels).toHaveCount(expected.length);
    expect((await labels.allTextContents()).sort()).toEqual(
      [...expected].sort()
    );

    // A palette command works: it opens the panel.
    await palette
      .locator('.lm-CommandPalette-input')
      .fill('Open the S3 Connectors');
    await palette
      .locator('.lm-CommandPalette-item', {
        hasText: 'Open the S3 Connectors Panel'
      })
      .click();
    await expect(panelOf(page)).toBeVisible();
    expect(await page.sidebar.isTabOpen(PANEL_ID)).toBe(true);
  });
});
