/* eslint-disable @typescript-eslint/no-explicit-any -- Node scripts driving a page */
/**
 * Bench #9: what a user does in the bucket browser, timed in Debian's
 * Chromium (playwright-core), each against its floor measured in the same
 * page: raw AWS SDK calls from the page (`floor.ts`, bundled here with
 * esbuild and injected), or the direct backend for the proxy rows.
 *
 * Set-up (here): a moto server and `jupyter lab` with the extension (the
 * development build installed in the venv), a bucket with a CORS rule (the
 * direct backend's browser talks to moto itself), two active connectors on it
 * (direct and proxy) created over REST. The page is JupyterLab with both
 * bucket browsers. Each group of rows is a module: `upload.ts` (9.1, 9.2),
 * `folder.ts` (9.3, 9.4), `open.ts` (9.5, 9.6), `save.ts` (9.7, 9.8),
 * `rename.ts` (9.9, 9.10), `heads.ts` (9.11).
 *
 * Clocks: every time is taken in the page (`performance.now()`, Resource
 * Timing) or converted to the epoch on the same machine
 * (`performance.timeOrigin + now`), so Node's polling adds nothing to a
 * figure.
 */
import { S3Client } from '@aws-sdk/client-s3';
import * as fs from 'fs';
import * as os from 'os';
import * as path from 'path';

import { api, IServer, startJupyter, startMoto } from '../lib/servers';
import { benchFolder } from './folder';
import { benchHeads } from './heads';
import { benchOpen } from './open';
import { answerPreflights } from './preflight';
import { benchRename } from './rename';
import { benchSave } from './save';
import {
  browserId,
  check,
  chromium,
  createBucket,
  floorScript,
  initScript,
  pageScript,
  populate
} from './setup';
import {
  Backend,
  BACKENDS,
  IChromiumContext,
  IChromiumOptions,
  IChromiumPair
} from './types';
import { benchUpload, FLOOR_IN_FLIGHT, FLOOR_PART_SIZE } from './upload';

export type { IChromiumPair } from './types';

const BUCKET = 'bench-ui';
const SECRET = 'bench-ui-secret';
const REGION = 'us-east-1';

export async function measureChromium(
  options: IChromiumOptions
): Promise<{ pairs: IChromiumPair[]; config: Record<string, unknown> }> {
  const wants = (what: string) => !options.only || options.only.has(what);
  const servers: IServer[] = [];
  const tmp = fs.mkdtempSync(path.join(os.tmpdir(), 's3c-bench-ui-'));
  let browser: any;
  const pairs: IChromiumPair[] = [];
  try {
    const [moto, jupyter] = await Promise.all([
      startMoto(),
      // `window.jupyterapp`: the open and save rows use the app's commands.
      startJupyter({
        app: 'lab',
        extraArgs: ['--LabApp.expose_app_in_browser=True']
      })
    ]);
    servers.push(moto, jupyter);
    const s3 = new S3Client({
      region: REGION,
      endpoint: moto.url,
      forcePathStyle: true,
      credentials: { accessKeyId: 'bench', secretAccessKey: SECRET }
    });
    await createBucket(s3, BUCKET);
    const names: Record<Backend, string> = {
      direct: 'bench-direct',
      proxy: 'bench-proxy'
    };
    const ids = {} as Record<Backend, string>;
    for (const backend of BACKENDS) {
      const connector = await api(jupyter, 'POST', 'connectors', {
        name: names[backend],
        endpoint: moto.url,
        bucket: BUCKET,
        region: REGION,
        access_key_id: 'bench',
        secret_access_key: SECRET,
        mode: 'read-write',
        backend
      });
      await api(jupyter, 'POST', `connectors/${connector.id}/activate`);
      ids[backend] = connector.id;
    }

    if (wants('list')) {
      await populate(s3, BUCKET, options.objects);
    }

    browser = await chromium().launch({
      executablePath: '/usr/bin/chromium',
      args: ['--no-sandbox']
    });
    const page = await browser.newPage({
      viewport: { width: 1400, height: 900 }
    });
    if (process.env.BENCH_PROFILE) {
      // The page's errors, to see why a row stalls.
      page.on('pageerror', (error: Error) =>
        process.stderr.write(`  page error: ${error.message}\n`)
      );
      page.on('console', (message: any) => {
        if (message.type() === 'error') {
          process.stderr.write(`  page console: ${message.text()}\n`);
        }
      });
    }
    await page.addInitScript(initScript);
    await page.goto(`${jupyter.url}lab?token=${jupyter.token}`, {
      timeout: 120000
    });
    await page.waitForSelector('#jp-main-dock-panel', { timeout: 120000 });
    await page.addScriptTag({ content: await floorScript() });
    await page.addScriptTag({ content: await pageScript('inpage.ts') });
    check(
      await page.evaluate(
        () =>
          typeof (window as any).s3cBenchFloor === 'object' &&
          typeof (window as any).s3cBenchPage === 'object'
      ),
      'the floor script or the in-page helpers did not load'
    );
    const ctx: IChromiumContext = {
      options,
      page,
      moto,
      jupyter,
      s3,
      bucket: BUCKET,
      names,
      ids,
      floorOptions: {
        endpoint: moto.url,
        region: REGION,
        accessKeyId: 'bench',
        secretAccessKey: SECRET
      },
      tmp,
      open: async (backend: Backend) => {
        const id = browserId(names[backend]);
        const tab = page.locator(`.lm-TabBar-tab[data-id="${id}"]`);
        await tab.waitFor({ timeout: 60000 });
        const panel = page.locator(`#${id}`);
        if (!(await panel.isVisible())) {
          await tab.click();
        }
        await panel.waitFor({ state: 'visible' });
        return panel;
      },
      home: async (panel: any) => {
        await panel.locator('.jp-BreadCrumbs-home').click();
        await panel
          .locator('.jp-BreadCrumbs-item:not(.jp-BreadCrumbs-ellipsis)')
          .first()
          .waitFor({ state: 'detached' })
          .catch(() => undefined);
      },
      drivePath: (backend: Backend, key: string) => `s3-${ids[backend]}:${key}`
    };

    if (wants('upload')) {
      pairs.push(...(await benchUpload(ctx)));
    }
    if (wants('list')) {
      pairs.push(...(await benchFolder(ctx)));
    }
    if (wants('head')) {
      pairs.push(...(await benchHeads(ctx)));
    }
    if (wants('open') || wants('save') || wants('rename')) {
      // These read or overwrite existing objects, whose CORS preflights moto
      // refuses: Playwright answers the page's preflights to moto meanwhile.
      const stop = await answerPreflights(page, moto.url);
      try {
        if (wants('open')) {
          pairs.push(...(await benchOpen(ctx)));
        }
        if (wants('save')) {
          pairs.push(...(await benchSave(ctx)));
        }
        if (wants('rename')) {
          pairs.push(...(await benchRename(ctx)));
        }
      } finally {
        await stop();
      }
    }
    return {
      pairs,
      config: {
        browser: await browser.version(),
        floor_part_size: FLOOR_PART_SIZE,
        floor_in_flight: FLOOR_IN_FLIGHT,
        upload_mib: options.uploadMiB,
        open_mib: options.openMiB,
        objects: options.objects
      }
    };
  } catch (error) {
    for (const server of servers) {
      const tail = server.stderr().trim();
      if (tail) {
        process.stderr.write(
          `--- stderr of ${server.url} (tail) ---\n${tail.slice(-3000)}\n`
        );
      }
    }
    throw error;
  } finally {
    await browser?.close().catch(() => undefined);
    await Promise.all(servers.map(s => s.stop().catch(() => undefined)));
    fs.rmSync(tmp, { recursive: true, force: true });
  }
}
