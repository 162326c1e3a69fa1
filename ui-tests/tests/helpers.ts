/**
 * Helpers shared by the Galata specs: the S3 servers started by
 * jupyter_server_test_config.py, and the bucket browsers' DOM.
 */
import { expect } from '@jupyterlab/galata';
import type { IJupyterLabPageFixture } from '@jupyterlab/galata';
import type { APIRequestContext, Locator, Page } from '@playwright/test';
import * as fs from 'fs';
import * as path from 'path';

/** The connectors REST API. */
export const API = '/s3-connectors/api/connectors';

/** moto checks no signature, but wants one to treat a request as signed. */
export const FAKE_AUTHORIZATION =
  'AWS4-HMAC-SHA256 Credential=galata/20260101/us-east-1/s3/aws4_request, ' +
  'SignedHeaders=host, Signature=0000';

/**
 * The endpoint of an S3 server, from the file jupyter_server_test_config.py
 * writes for it (`.moto-endpoint.json`, `.s3rver-endpoint.json`).
 */
export function endpointFile(name: string): string {
  const file = path.resolve(__dirname, '..', name);
  return JSON.parse(fs.readFileSync(file, 'utf-8')).endpoint;
}

/** The moto endpoint. */
export function motoEndpoint(): string {
  return endpointFile('.moto-endpoint.json');
}

/** `a b/c` → `a%20b/c`: each segment of a key encoded, the slashes kept. */
export function encodeKey(key: string): string {
  return key.split('/').map(encodeURIComponent).join('/');
}

/** The id of a connector's bucket browser. */
export function browserId(name: string): string {
  return `jp-S3Connectors-browser-${name}`;
}

/** The bucket browser of a connector, brought forward in the left sidebar. */
export async function openBrowser(
  page: IJupyterLabPageFixture,
  name: string
): Promise<Locator> {
  await expect(page.sidebar.getTabLocator(browserId(name))).toHaveCount(1);
  await page.sidebar.openTab(browserId(name));
  const browser = page.locator(`#${browserId(name)}`);
  await expect(browser).toBeVisible();
  return browser;
}

export function escapeRegExp(text: string): string {
  return text.replace(/[.*+?^${}()|[\]\\]/g, '\\$&');
}

/** The listing entry with exactly this name. */
export function entry(browser: Locator, name: string): Locator {
  return browser.locator('.jp-DirListing-item').filter({
    has: browser.page().locator('.jp-DirListing-itemText', {
      hasText: new RegExp(`^${escapeRegExp(name)}$`)
    })
  });
}

/** The folder the browser shows, from its breadcrumbs (`''` at the root). */
export function crumbs(browser: Locator): Locator {
  return browser.locator('.jp-BreadCrumbs-item:not(.jp-BreadCrumbs-ellipsis)');
}

/** A tab of the main area, by the document's name. */
export function documentTab(page: Page, name: string): Locator {
  return page.locator('#jp-main-dock-panel .lm-TabBar-tab', {
    has: page.locator('.lm-TabBar-tabLabel', {
      hasText: new RegExp(`^${escapeRegExp(name)}$`)
    })
  });
}

/** A connector as the REST API returns it (the fields the specs use). */
export interface IConnectorReply {
  id: string;
  name: string;
  active: boolean;
  mode: string;
}

/**
 * The drive name of a connector: `s3-<id>`, keyed by the connector's ID so
 * that a rename keeps its paths (`s3-<id>:folder/file`).
 */
export function driveName(id: string): string {
  return `s3-${id}`;
}

/**
 * Create a connector on a moto bucket through the REST API, active unless
 * told otherwise.
 */
export async function createConnector(
  request: APIRequestContext,
  fields: {
    name: string;
    bucket: string;
    mode?: 'read-only' | 'read-write';
    backend?: 'proxy' | 'direct';
    active?: boolean;
  }
): Promise<IConnectorReply> {
  const created = await request.post(API, {
    data: {
      name: fields.name,
      description: 'Created by the Galata UI tests',
      endpoint: motoEndpoint(),
      region: 'us-east-1',
      bucket: fields.bucket,
      prefix: '',
      access_key_id: 'galata-key',
      secret_access_key: 'galata-secret',
      mode: fields.mode ?? 'read-write',
      backend: fields.backend ?? 'proxy'
    }
  });
  expect(created.ok(), await created.text()).toBeTruthy();
  const connector = (await created.json()) as IConnectorReply;
  if (fields.active ?? true) {
    const activated = await request.post(`${API}/${connector.id}/activate`);
    expect(activated.ok(), await activated.text()).toBeTruthy();
    connector.active = true;
  }
  return connector;
}

/** Deactivate and delete the connectors whose names start with `prefix`. */
export async function deleteConnectors(
  request: APIRequestContext,
  prefix: string
): Promise<void> {
  const response = await request.get(API);
  expect(response.ok()).toBeTruthy();
  const { connectors } = (await response.json()) as {
    connectors: IConnectorReply[];
  };
  for (const c of connectors.filter(c => c.name.startsWith(prefix))) {
    if (c.active) {
      await request.post(`${API}/${c.id}/deactivate`);
    }
    expect((await request.delete(`${API}/${c.id}`)).ok()).toBeTruthy();
  }
}

/**
 * The labels of the items of the open menus, once the item `shown` is there
 * (the context menu is complete by then).
 */
export async function menuLabels(page: Page, shown: string): Promise<string[]> {
  const labels = page.locator(
    '.lm-Menu .lm-Menu-item:not(.lm-mod-hidden) .lm-Menu-itemLabel'
  );
  await expect(labels.getByText(shown, { exact: true })).toBeVisible();
  return labels.allTextContents();
}
