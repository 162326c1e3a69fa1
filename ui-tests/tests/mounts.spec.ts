/**
 * A mount backend in Chromium: an `s3fs` connector is activated from the panel, its
 * bucket is mounted on the server at s3/<name>/ and Browse files shows it in the main
 * file browser; deactivating unmounts it.
 */
import { expect, test } from '@jupyterlab/galata';

import {
  API,
  createConnector,
  crumbs,
  entry,
  listConnectors,
  openPanel,
  panelItem,
  putObject,
  removeConnectors
} from './helpers';

const NAME = 'galata-mount';
const BUCKET = 'galata';
/** A folder of the bucket with a CSV and a notebook that reads it through `s3c://`. */
const FOLDER = 'mount-notebook';

/** A notebook of one cell that reads `csvKey` through the connector's fsspec protocol. */
function readingNotebook(csvKey: string): string {
  return JSON.stringify({
    cells: [
      {
        cell_type: 'code',
        execution_count: null,
        metadata: {},
        outputs: [],
        source: [
          'import pandas as pd\n',
          `df = pd.read_csv("s3c://${NAME}/${csvKey}")\n`,
          'print("SUM", int(df["a"].sum()))'
        ]
      }
    ],
    metadata: {
      kernelspec: {
        display_name: 'Python 3 (ipykernel)',
        language: 'python',
        name: 'python3'
      }
    },
    nbformat: 4,
    nbformat_minor: 5
  });
}

test.describe('mount backends', () => {
  test.beforeEach(async ({ request }) => {
    const info = await (await request.get('/s3-connectors/api/info')).json();
    const s3fs = info.mounts?.backends?.s3fs;
    // On CI (.ci/run installs s3fs, rclone and fuse3) this must run.
    test.skip(
      !process.env.CI && !s3fs?.available,
      `s3fs cannot mount here: ${s3fs?.problem ?? 'no mount support'}`
    );
    await removeConnectors(request, [NAME]);
  });

  test.afterEach(async ({ request }) => {
    for (const c of await listConnectors(request)) {
      if (c.name === NAME && c.active) {
        await request.post(`${API}/${c.id}/deactivate?force=true`);
      }
    }
    await removeConnectors(request, [NAME]);
  });

  test('activate an s3fs connector and browse it in the main file browser', async ({
    page,
    request
  }) => {
    const connector = await createConnector(request, {
      name: NAME,
      bucket: BUCKET,
      backend: 's3fs'
    });
    await putObject(
      request,
      BUCKET,
      `${FOLDER}/numbers.csv`,
      'a,b\n1,2\n3,4\n'
    );
    await putObject(
      request,
      BUCKET,
      `${FOLDER}/read.ipynb`,
      readingNotebook(`${FOLDER}/numbers.csv`)
    );
    const panel = await openPanel(page);
    await panel
      .locator('.jp-Toolbar')
      .getByTitle('Refresh the list', { exact: true })
      .click();
    const item = panelItem(panel, NAME);
    await item.locator('.jp-S3Connectors-itemHeader').click();
    await expect(item.locator('.jp-S3Connectors-badge-s3fs')).toHaveText(
      's3fs'
    );
    await expect(item.locator('[data-mount-state]')).toHaveText(
      `Activating mounts the bucket at s3/${NAME}/`
    );

    await item.getByRole('button', { name: 'Activate', exact: true }).click();
    await expect(
      item.locator('.jp-S3Connectors-badge-mount[data-mount-state="mounted"]')
    ).toHaveText('mounted');
    await expect(
      item.locator('.jp-S3Connectors-mount[data-mount-state="mounted"]')
    ).toHaveText(`Mount: mounted at s3/${NAME}/`);

    await item.getByRole('button', { name: 'Browse files' }).click();
    const browser = page.locator('#filebrowser');
    await expect(browser).toBeVisible();
    await expect(crumbs(browser).last()).toHaveText(NAME);
    await expect(crumbs(browser)).toHaveText(['s3', NAME]);
    await expect(entry(browser, 'README.md')).toBeVisible();
    await expect(entry(browser, 'data')).toBeVisible();

    // A file of the bucket opens from the main file browser like any file.
    await entry(browser, 'README.md').dblclick();
    await expect(
      page.locator('.jp-FileEditor .cm-content').first()
    ).toContainText('A bucket for the UI tests');
    await page.menu.clickMenuItem('File>Close All Tabs');

    // A notebook of the bucket opens from the mounted folder, and its kernel reads a
    // CSV of the same bucket through `s3c://` with no key in the notebook.
    await entry(browser, FOLDER).dblclick();
    await expect(crumbs(browser).last()).toHaveText(FOLDER);
    await entry(browser, 'read.ipynb').dblclick();
    await expect(page.locator('.jp-NotebookPanel')).toBeVisible();
    await page.notebook.runCell(0);
    await expect
      .poll(
        async () => ((await page.notebook.getCellTextOutput(0)) ?? []).join(''),
        { timeout: 60 * 1000 }
      )
      .toContain('SUM 4');
    // The kernel's working directory is in the mount: shut it down, or the mount is busy.
    await page.notebook.close(true);
    const sessions = (await (await request.get('/api/sessions')).json()) as {
      id: string;
      path: string;
    }[];
    for (const session of sessions.filter(s =>
      s.path.startsWith(`s3/${NAME}/`)
    )) {
      expect(
        (await request.delete(`/api/sessions/${session.id}`)).status()
      ).toBe(204);
    }

    await openPanel(page);
    await item.getByRole('button', { name: 'Deactivate' }).click();
    await expect(item.locator('.jp-S3Connectors-badge-mount')).toHaveCount(0);
    // The main file browser left the folder before it went.
    await expect(crumbs(browser)).toHaveText(['s3']);
    await expect(page.locator('.jp-Dialog')).toHaveCount(0);
    const after = (await listConnectors(request)).find(
      c => c.id === connector.id
    ) as unknown as { active: boolean; mount: { state: string } };
    expect(after.active).toBe(false);
    expect(after.mount.state).toBe('unmounted');
    // The mount point is gone from the server's folder (an empty folder at most).
    const listing = await request.get(`/api/contents/s3/${NAME}`);
    if (listing.status() === 200) {
      expect((await listing.json()).content).toEqual([]);
    } else {
      expect(listing.status()).toBe(404);
    }
  });
});
