/**
 * The README's picture of the panel (docs/screenshot-panel.png), taken from the
 * demo so that nothing of the test set-up shows:
 *
 *   make demo                                  # in one terminal
 *   node scripts/screenshot.mjs '<the URL make demo printed>'
 *
 * Uses Playwright from ui-tests/node_modules and Debian's Chromium.
 */
/* global process, console */
import { createRequire } from 'module';
import { fileURLToPath } from 'url';
import * as path from 'path';

const root = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..');
const require = createRequire(path.join(root, 'ui-tests', 'package.json'));
const { chromium } = require('playwright');

const url = process.argv[2];
if (!url) {
  console.error(
    'Usage: node scripts/screenshot.mjs <JupyterLab URL with token>'
  );
  process.exit(2);
}

const browser = await chromium.launch({
  executablePath: process.env.CHROMIUM_PATH || '/usr/bin/chromium'
});
try {
  const page = await browser.newPage({
    viewport: { width: 1024, height: 768 }
  });
  await page.goto(url);
  await page.locator('.jp-LauncherCard').first().waitFor();
  // The workspace may have kept the panel open: a click would close it.
  if (!(await page.locator('#jp-S3Connectors-panel').isVisible())) {
    await page.locator('.jp-SideBar [data-id="jp-S3Connectors-panel"]').click();
  }
  const item = page.locator(
    'li.jp-S3Connectors-item[data-connector-name="demo"]'
  );
  const header = item.locator('.jp-S3Connectors-itemHeader');
  await header.waitFor();
  if ((await header.getAttribute('aria-expanded')) !== 'true') {
    await header.click();
  }
  await item
    .getByRole('button', { name: 'Test connection', exact: true })
    .click();
  await item.locator('.jp-S3Connectors-test.jp-mod-success').waitFor();
  // Passing notifications (the news prompt, the test's toast) stay out of it.
  await page.addStyleTag({
    content: '.Toastify__toast-container { display: none !important; }'
  });
  // No hover highlight in the picture.
  await page.mouse.move(1000, 740);
  const file = path.join(root, 'docs', 'screenshot-panel.png');
  await page.screenshot({ path: file });
  console.log(`Wrote ${file}`);
} finally {
  await browser.close();
}
