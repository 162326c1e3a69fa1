/**
 * Helpers shared by the Galata specs: the S3 servers started by
 * jupyter_server_test_config.py, and the bucket browsers' DOM.
 */
import { expect } from '@jupyterlab/galata';
import type { IJupyterLabPageFixture } from '@jupyterlab/galata';
import type {
  APIRequestContext,
  APIResponse,
  Locator,
  Page
} from '@playwright/test';
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

/** The id of the "S3 Connectors" panel. */
export const PANEL_ID = 'jp-S3Connectors-panel';

// ---- the connectors REST API ------------------------------------------------

/** A connector as the REST API answers it (the fields the tests read). */
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

/** The fields of a connector to create; the rest default to a moto one. */
export interface IConnectorFields {
  name: string;
  bucket: string;
  description?: string;
  endpoint?: string;
  prefix?: string;
  access_key_id?: string;
  secret_access_key?: string;
  mode?: 'read-write' | 'read-only';
  backend?: 'proxy' | 'direct' | 's3fs' | 'rclone';
}

/** Every connector. */
export async function listConnectors(
  request: APIRequestContext
): Promise<IConnectorReply[]> {
  const response = await request.get(API);
  expect(response.status()).toBe(200);
  return (await response.json()).connectors;
}

/** Create a connector (inactive) through the REST API. */
export async function createConnector(
  request: APIRequestContext,
  fields: IConnectorFields
): Promise<IConnectorReply> {
  const created = await request.post(API, {
    data: {
      description: '',
      endpoint: motoEndpoint(),
      region: 'us-east-1',
      prefix: '',
      access_key_id: 'galata-key',
      secret_access_key: 'galata-secret',
      mode: 'read-write',
      backend: 'proxy',
      ...fields
    }
  });
  expect(created.status(), await created.text()).toBe(201);
  return await created.json();
}

/**
 * Create a connector through the REST API, activated unless `active: false`.
 */
export async function mountConnector(
  request: APIRequestContext,
  fields: IConnectorFields & { active?: boolean }
): Promise<IConnectorReply> {
  const { active, ...rest } = fields;
  const connector = await createConnector(request, {
    description: 'Created by the Galata UI tests',
    ...rest
  });
  if (active ?? true) {
    await activateConnector(request, connector.id);
    connector.active = true;
  }
  return connector;
}

/** Deactivate and delete the connectors whose names start with `prefix`. */
export async function deleteConnectors(
  request: APIRequestContext,
  prefix: string
): Promise<void> {
  for (const c of await listConnectors(request)) {
    if (c.name.startsWith(prefix)) {
      await removeConnector(request, c);
    }
  }
}

/** Activate a connector through the REST API. */
export async function activateConnector(
  request: APIRequestContext,
  id: string
): Promise<void> {
  expect((await request.post(`${API}/${id}/activate`)).status()).toBe(200);
}

/** Deactivate (when active) and delete a connector. */
export async function removeConnector(
  request: APIRequestContext,
  connector: { id: string; active?: boolean }
): Promise<void> {
  if (connector.active ?? true) {
    expect(
      (await request.post(`${API}/${connector.id}/deactivate`)).status()
    ).toBe(200);
  }
  expect((await request.delete(`${API}/${connector.id}`)).status()).toBe(204);
}

/** Remove the connectors with these names (every one when none is given). */
export async function removeConnectors(
  request: APIRequestContext,
  names?: string[]
): Promise<void> {
  for (const c of await listConnectors(request)) {
    if (!names || names.includes(c.name)) {
      await removeConnector(request, c);
    }
  }
}

/**
 * The connector with this name, active: created and activated when missing
 * or inactive, so that a test that needs it can run on its own.
 *
 * @returns whether anything changed (the page must reload to mount it)
 */
export async function ensureActiveConnector(
  request: APIRequestContext,
  fields: IConnectorFields
): Promise<{ connector: IConnectorReply; changed: boolean }> {
  let connector = (await listConnectors(request)).find(
    c => c.name === fields.name
  );
  let changed = false;
  if (!connector) {
    connector = await createConnector(request, fields);
    changed = true;
  }
  if (!connector.active) {
    await activateConnector(request, connector.id);
    connector = { ...connector, active: true };
    changed = true;
  }
  return { connector, changed };
}

// ---- moto, straight -----------------------------------------------------------

/** A request to moto on a bucket (`keyAndQuery`: `?list-type=2…`) or a key. */
export async function motoRequest(
  request: APIRequestContext,
  method: 'GET' | 'HEAD' | 'PUT',
  bucket: string,
  keyAndQuery: string,
  options: { headers?: Record<string, string>; data?: Buffer } = {}
): Promise<APIResponse> {
  return request.fetch(`${motoEndpoint()}/${bucket}/${keyAndQuery}`, {
    method,
    headers: { authorization: FAKE_AUTHORIZATION, ...options.headers },
    data: options.data
  });
}

/** Write an object on moto. */
export async function putObject(
  request: APIRequestContext,
  bucket: string,
  key: string,
  body: string
): Promise<void> {
  // A non-form content type: moto's Flask app would read a form body away.
  const response = await motoRequest(request, 'PUT', bucket, encodeKey(key), {
    headers: { 'content-type': 'text/plain' },
    data: Buffer.from(body)
  });
  expect(response.status(), `PUT ${key}`).toBe(200);
}

/** The bytes of an object on moto (`null` when it does not exist). */
export async function getObject(
  request: APIRequestContext,
  bucket: string,
  key: string,
  options: { range?: string } = {}
): Promise<Buffer | null> {
  const response = await motoRequest(request, 'GET', bucket, encodeKey(key), {
    headers: options.range ? { range: options.range } : {}
  });
  if (response.status() === 404) {
    return null;
  }
  expect(response.status(), `GET ${key}`).toBe(options.range ? 206 : 200);
  return await response.body();
}

/** Whether an object exists on moto. */
export async function objectExists(
  request: APIRequestContext,
  bucket: string,
  key: string
): Promise<boolean> {
  const response = await motoRequest(request, 'HEAD', bucket, encodeKey(key));
  expect([200, 404], `HEAD ${key}`).toContain(response.status());
  return response.status() === 200;
}

/** Every key below a prefix on moto, sorted (listed URL-encoded: any key). */
export async function listKeys(
  request: APIRequestContext,
  bucket: string,
  prefix: string
): Promise<string[]> {
  const response = await motoRequest(
    request,
    'GET',
    bucket,
    `?list-type=2&encoding-type=url&prefix=${encodeURIComponent(prefix)}`
  );
  expect(response.status()).toBe(200);
  const xml = await response.text();
  expect(xml).toContain('<EncodingType>url</EncodingType>');
  expect(xml).toContain('<IsTruncated>false</IsTruncated>');
  // S3 encodes a space as `+` and a `+` as `%2B`.
  return [...xml.matchAll(/<Key>([^<]*)<\/Key>/g)]
    .map(match => decodeURIComponent(match[1].replace(/\+/g, ' ')))
    .sort();
}

// ---- the panel and the bucket browsers --------------------------------------

/** Open the "S3 Connectors" panel. */
export async function openPanel(
  page: IJupyterLabPageFixture
): Promise<Locator> {
  await page.sidebar.openTab(PANEL_ID);
  const panel = page.locator(`#${PANEL_ID}`);
  await expect(panel).toBeVisible();
  return panel;
}

/** A connector's item in the panel. */
export function panelItem(panel: Locator, name: string): Locator {
  return panel.locator(
    `li.jp-S3Connectors-item[data-connector-name="${name}"]`
  );
}

/** Go to a folder of a bucket browser: its root, then down, by double-clicks. */
export async function goTo(browser: Locator, folder: string): Promise<void> {
  await browser.locator('.jp-BreadCrumbs-home').click();
  await expect(crumbs(browser)).toHaveCount(0);
  const parts = folder.split('/').filter(Boolean);
  for (const [index, part] of parts.entries()) {
    await entry(browser, part).dblclick();
    await expect(crumbs(browser).last()).toHaveAttribute(
      'data-path',
      parts.slice(0, index + 1).join('/')
    );
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

/** The path of the document of the current main-area widget. */
export async function currentDocumentPath(
  page: Page
): Promise<string | undefined> {
  return page.evaluate(() => {
    const app = (window as any).jupyterapp;
    const widget = app.shell.currentWidget;
    return widget?.context?.path as string | undefined;
  });
}
