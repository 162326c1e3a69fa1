/**
 * The README's picture of the "S3 Connectors" panel, with a connector
 * expanded after a successful connection test: docs/screenshot-panel.png.
 *
 * Not a test (run by `jlpm screenshots`, see playwright-readme.config.js):
 * it only checks that the page shows what the picture should.
 */
import { expect, test } from '@jupyterlab/galata';
import * as path from 'path';

import {
  createConnector,
  openPanel,
  panelItem,
  removeConnectors
} from '../tests/helpers';

const PICTURE = path.resolve(
  __dirname,
  '..',
  '..',
  'docs',
  'screenshot-panel.png'
);

test('the panel with a connector expanded', async ({ page }) => {
  await removeConnectors(page.request);
  await createConnector(page.request, {
    name: 'team-datasets',
    description: 'Shared datasets of the team, on the local S3 server.',
    bucket: 'galata',
    prefix: 'data/'
  });
  const panel = await openPanel(page);
  await panel
    .locator('.jp-Toolbar')
    .getByTitle('Refresh the list', { exact: true })
    .click();
  const connector = panelItem(panel, 'team-datasets');
  await connector.locator('.jp-S3Connectors-itemHeader').click();
  await connector
    .getByRole('button', { name: 'Test connection', exact: true })
    .click();
  await expect(connector.locator('.jp-S3Connectors-test')).toHaveClass(
    /jp-mod-success/
  );
  // No hover highlight in the picture.
  await page.mouse.move(900, 700);
  await page.screenshot({ path: PICTURE });
  await removeConnectors(page.request);
});
