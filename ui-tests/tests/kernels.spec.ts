/**
 * UI test of notebook access to connectors: "Copy Code Snippet" in a bucket
 * browser copies code that a notebook's kernel runs as it is, reading the
 * object through `s3c://` with no key in the notebook (the server tells its
 * kernels where the connector store is).
 */
import { expect, test } from '@jupyterlab/galata';
import * as crypto from 'crypto';

import {
  deleteConnectors,
  entry,
  mountConnector,
  openBrowser,
  putObject
} from './helpers';

const BUCKET = 'galata-drive';
const PREFIX = 'kernels-';
const RUN = crypto.randomBytes(4).toString('hex');
const FOLDER = `scratch/kernels-${RUN}/`;

test.beforeEach(async ({ request }) => {
  await deleteConnectors(request, PREFIX);
});

test.afterEach(async ({ request }) => {
  await deleteConnectors(request, PREFIX);
});

test('Copy Code Snippet gives code that a notebook runs to read the file', async ({
  page
}) => {
  const name = `${PREFIX}${RUN}`;
  const file = `it's "odd" é.csv`;
  await putObject(
    page.request,
    BUCKET,
    `${FOLDER}data/${file}`,
    'a,b\n1,2\n3,4\n'
  );
  await mountConnector(page.request, { name, bucket: BUCKET, prefix: FOLDER });
  await page.reload();
  await page.evaluate(() =>
    window.addEventListener('copy', event => {
      (window as any).copied = event.clipboardData?.getData('text');
    })
  );

  const browser = await openBrowser(page, name);
  await entry(browser, 'data').dblclick();
  await entry(browser, file).click({ button: 'right' });
  await page
    .locator('.lm-Menu-item .lm-Menu-itemLabel')
    .getByText('Copy Code Snippet', { exact: true })
    .click();
  const expected =
    'import pandas as pd\n\n' +
    `df = pd.read_csv("s3c://${name}/data/it's \\"odd\\" é.csv")\ndf`;
  await expect
    .poll(() => page.evaluate(() => (window as any).copied as string))
    .toBe(expected);
  await expect(
    page.locator('.jp-Notification-Toast-info', { hasText: 'Code copied' })
  ).toBeVisible();

  // The snippet runs as it is in a notebook of the server's own folder.
  const notebook = await page.evaluate(async () => {
    const app = (window as any).jupyterapp;
    const model = await app.serviceManager.contents.newUntitled({
      path: '',
      type: 'notebook'
    });
    await app.commands.execute('docmanager:open', {
      path: model.path,
      factory: 'Notebook',
      kernel: { name: 'python3' }
    });
    return model.path as string;
  });
  expect(notebook).not.toContain(':');
  await expect(page.locator('.jp-NotebookPanel')).toBeVisible();
  await page.notebook.setCell(
    0,
    'code',
    expected + '\nprint("SUM", int(df["a"].sum()))'
  );
  await page.notebook.runCell(0);
  await expect
    .poll(
      async () => ((await page.notebook.getCellTextOutput(0)) ?? []).join(''),
      {
        timeout: 60 * 1000
      }
    )
    .toContain('SUM 4');
});
