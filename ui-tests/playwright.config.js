/**
 * Playwright configuration of the Galata UI tests.
 *
 * Run from ui-tests/, after `jlpm build` at the repository root:
 *
 *   CI=1 npx playwright test
 *
 * Playwright cannot download browsers here: Debian's Chromium is used.
 */
/* global require, module, process */
// eslint-disable-next-line @typescript-eslint/no-require-imports
const baseConfig = require('@jupyterlab/galata/lib/playwright-config');

// Keep clear of a JupyterLab someone may run on 8888 (see jupyter_server_test_config.py).
const port = process.env.UI_TESTS_PORT || '8890';
const baseURL = `http://localhost:${port}`;

module.exports = {
  ...baseConfig,
  testDir: './tests',
  // The flow test steps through a dozen server round trips.
  timeout: 120 * 1000,
  expect: { timeout: 15 * 1000 },
  retries: process.env.CI ? 1 : 0,
  workers: 1,
  fullyParallel: false,
  reporter: [['list'], ['html', { open: 'never' }]],
  use: {
    ...baseConfig.use,
    baseURL,
    launchOptions: {
      executablePath: process.env.CHROMIUM_PATH || '/usr/bin/chromium'
    },
    video: 'off',
    trace: 'retain-on-failure'
  },
  webServer: {
    command: 'jlpm start',
    url: `${baseURL}/lab`,
    env: { ...process.env, UI_TESTS_PORT: port },
    timeout: 120 * 1000,
    reuseExistingServer: !process.env.CI,
    // Let the server stop moto and remove .moto-endpoint.json (atexit).
    gracefulShutdown: { signal: 'SIGTERM', timeout: 10 * 1000 },
    stdout: 'ignore',
    stderr: 'pipe'
  }
};
