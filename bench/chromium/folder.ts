/* eslint-disable @typescript-eslint/no-explicit-any -- Node scripts driving a page */
/**
 * Bench #9.3 and #9.4: a folder of many objects, from the double-click on it
 * to its rows in the bucket browser's DOM, against a raw `ListObjectsV2` loop
 * in the page (direct), and through the proxy against direct.
 */
import * as os from 'os';
import * as path from 'path';

import { startProfile, stopProfile } from './profile';
import { browserId, check, FOLDER } from './setup';
import { Backend, IChromiumContext, IChromiumPair } from './types';

export async function benchFolder(
  ctx: IChromiumContext
): Promise<IChromiumPair[]> {
  const { options, page, names, open, home, floorOptions } = ctx;
  const pairs: IChromiumPair[] = [];
  const n = options.objects;
  /** From the double-click on the folder to its rows in the DOM (ms). */
  const showFolder = async (backend: Backend) => {
    const panel = await open(backend);
    await home(panel);
    const folder = panel.locator('.jp-DirListing-item').filter({
      has: page.locator('.jp-DirListing-itemText', { hasText: /^many$/ })
    });
    await folder.waitFor();
    const id = browserId(names[backend]);
    await page.evaluate((id: string) => {
      const w = window as any;
      w.s3cBenchT0 = 0;
      w.s3cBenchT1 = 0;
      document
        .getElementById(id)!
        .addEventListener(
          'dblclick',
          () => (w.s3cBenchT0 = performance.now()),
          { capture: true, once: true }
        );
    }, id);
    const profiler = await startProfile(page);
    await folder.dblclick();
    try {
      // Checked at every animation frame; the time is taken in the page.
      await page.waitForFunction(
        ([id, count, folder]: [string, number, string]) => {
          const root = document.getElementById(id)!;
          const crumbs = root.querySelectorAll(
            '.jp-BreadCrumbs-item:not(.jp-BreadCrumbs-ellipsis)'
          );
          const last = crumbs[crumbs.length - 1];
          const content = root.querySelector('.jp-DirListing-content')!;
          if (
            last?.getAttribute('data-path') === folder &&
            content.childElementCount === count
          ) {
            (window as any).s3cBenchT1 = performance.now();
            return true;
          }
          return false;
        },
        [id, n, FOLDER],
        { polling: 'raf', timeout: options.smoke ? 30000 : 300000 }
      );
    } catch (error) {
      const state = await page.evaluate((id: string) => {
        const root = document.getElementById(id)!;
        const crumbs = [...root.querySelectorAll('.jp-BreadCrumbs-item')].map(
          c => c.getAttribute('data-path')
        );
        const rows = root.querySelector(
          '.jp-DirListing-content'
        )?.childElementCount;
        return `${rows} rows, crumbs ${JSON.stringify(crumbs)}`;
      }, id);
      await page.screenshot({
        path: path.join(os.tmpdir(), 's3c-bench-folder-failed.png')
      });
      throw new Error(`BROKEN: the folder did not show: ${state}: ${error}`);
    }
    await stopProfile(profiler, `9.3/9.4 ${backend}`);
    const [t0, t1] = await page.evaluate(() => [
      (window as any).s3cBenchT0,
      (window as any).s3cBenchT1
    ]);
    check(t0 > 0, 'the double-click was not seen');
    return t1 - t0;
  };
  const floorList = async () => {
    const [ms, count] = await page.evaluate(
      ([o, prefix]: [any, string]) =>
        (window as any).s3cBenchFloor.list(o, 'bench-ui', prefix),
      [floorOptions, `${FOLDER}/`]
    );
    check(count === n, `the floor listed ${count} of ${n}`);
    return ms;
  };
  process.stderr.write(
    `#9.3 open a folder of ${n} objects (direct) vs raw ListObjectsV2 loop in the page\n`
  );
  const direct = await options.alternate(
    '#9.3',
    () => showFolder('direct'),
    () => floorList()
  );
  await page.screenshot({
    path: path.join(os.tmpdir(), 's3c-bench-folder.png')
  });
  pairs.push({
    id: '9.3',
    a: `Chromium: double-click on a folder of ${n} objects to its ${n} rows in the DOM (direct)`,
    b: `raw ListObjectsV2 loop in the page (page 1000)`,
    samples: direct,
    target: null
  });
  process.stderr.write(`#9.4 open the folder, proxy vs direct\n`);
  const proxy = await options.alternate(
    '#9.4',
    () => showFolder('proxy'),
    () => showFolder('direct')
  );
  pairs.push({
    id: '9.4',
    a: `Chromium: the same through the proxy`,
    b: `the same direct`,
    samples: proxy,
    target: null
  });
  for (const backend of ['direct', 'proxy'] as const) {
    await home(await open(backend));
  }
  return pairs;
}
