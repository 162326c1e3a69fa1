/**
 * Helpers shared by the Galata specs: the S3 servers started by
 * jupyter_server_test_config.py, and the bucket browsers' DOM.
 */
import { expect } from '@jupyterlab/galata';
import type { IJupyterLabPageFixture } from '@jupyterlab/galata';
import type { Locator, Page } from '@playwright/test';
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
