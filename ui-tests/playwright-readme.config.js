/**
 * Playwright configuration of the README's pictures (not tests: nothing is
 * compared). `jlpm screenshots` writes docs/screenshot-panel.png.
 */
/* global require, module */
// eslint-disable-next-line @typescript-eslint/no-require-imports
const config = require('./playwright.config');

module.exports = {
  ...config,
  testDir: './readme',
  testMatch: '*.picture.ts',
  retries: 0,
  reporter: [['list']]
};
