/* eslint-disable @typescript-eslint/no-explicit-any -- Node scripts driving a page */
/**
 * Bench #9: what a user does in the bucket browser, timed in Debian's
 * Chromium (playwright-core), each against its floor measured in the same
 * page: raw AWS SDK calls from the page (`floor.ts`, bundled here with
 * esbuild and injected), or the direct backend for the proxy rows.
 *
 * Set-up: a moto server and `jupyter lab` with the extension (the
 * development build installed in the venv), a bucket with a CORS rule (the
 * direct backend's browser talks to moto itself), two active connectors on it
 * (direct and proxy) created over REST. The page is JupyterLab with both
 * bucket browsers.
 *
 * Clocks: every time is taken in the page (`performance.now()`, Resource
 * Timing) or converted to the epoch on the same machine
 * (`performance.timeOrigin + now`), so Node's polling adds nothing to a
 * figure.
 */
import {
  DeleteObjectCommand,
  HeadObjectCommand,
  S3Client
} from '@aws-sdk/client-s3';
import { randomBytes } from 'crypto';
import * as fs from 'fs';
import * as os from 'os';
import * as path from 'path';

import { api, IServer, sleep, startJupyter, startMoto } from '../lib/servers';
import {
  browserId,
  check,
  chromium,
  createBucket,
  floorScript,
  FOLDER,
  initScript,
  populate
} from './setup';

const BUCKET = 'bench-ui';
const SECRET = 'bench-ui-secret';
const REGION = 'us-east-1';
const MiB = 1024 * 1024;
/** The floor's multipart: the drive's part size (5 MiB), 4 parts in flight. */
const FLOOR_PART_SIZE = 5 * MiB;
const FLOOR_IN_FLIGHT = 4;

export type Timed = (round: number) => Promise<number>;

/** A pair measured here; `run.ts` turns it into a row of its table. */
export interface IChromiumPair {
  id: string;
  a: string;
  b: string;
  samples: { a: number[]; b: number[] };
  /** Bytes moved by one sample (a throughput row), else a time row. */
  bytes?: number;
  /** The target ratio (throughput ≥ or time ≤), `null` for a report. */
  target: number | null;
  note?: string;
}

export interface IChromiumOptions {
  smoke: boolean;
  rounds: number;
  uploadMiB: number;
  objects: number;
  /** Runs A and B alternately (run.ts's `alternate`). */
  alternate: (
    label: string,
    a: Timed,
    b: Timed
  ) => Promise<{ a: number[]; b: number[] }>;
  /** Which rows to measure: 'upload', 'list' (both by default). */
  only?: Set<string>;
}

/**
 * With `BENCH_PROFILE=1`, a CPU profile of the page (Chrome DevTools
 * protocol) around a measured action.
 */
async function startProfile(page: any): Promise<any> {
  if (!process.env.BENCH_PROFILE) {
    return null;
  }
  const session = await page.context().newCDPSession(page);
  await session.send('Profiler.enable');
  await session.send('Profiler.setSamplingInterval', { interval: 500 });
  await session.send('Profiler.start');
  return session;
}

/**
 * Print where a profile's time went: self time by script (the extension's
 * chunks, JupyterLab's and Lumino's, the rest) and the top functions.
 */
async function stopProfile(session: any, label: string): Promise<void> {
  if (!session) {
    return;
  }
  const { profile } = await session.send('Profiler.stop');
  await session.detach();
  const nodes = new Map<number, any>(profile.nodes.map((n: any) => [n.id, n]));
  const self = new Map<number, number>();
  const deltas: number[] = profile.timeDeltas;
  profile.samples.forEach((id: number, i: number) => {
    self.set(id, (self.get(id) ?? 0) + (deltas[i] ?? 0) / 1000);
  });
  const byScript = new Map<string, number>();
  const byFunction = new Map<string, number>();
  for (const [id, ms] of self) {
    const frame = nodes.get(id).callFrame;
    const url: string = frame.url || '(native)';
    const script = url.includes('jupyterlab-s3-connectors')
      ? 'extension'
      : url.includes('/static/')
        ? 'jupyterlab+lumino'
        : frame.functionName || url;
    byScript.set(script, (byScript.get(script) ?? 0) + ms);
    const fn = `${frame.functionName || '(anonymous)'} ${url.split('/').pop()}:${frame.lineNumber}`;
    byFunction.set(fn, (byFunction.get(fn) ?? 0) + ms);
  }
  const top = (map: Map<string, number>, n: number) =>
    [...map]
      .sort((a, b) => b[1] - a[1])
      .slice(0, n)
      .map(([k, v]) => `    ${v.toFixed(0).padStart(6)} ms  ${k}`)
      .join('\n');
  console.log(
    `  profile ${label}:\n${top(byScript, 8)}\n  top functions:\n${top(byFunction, 15)}`
  );
}

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
      startJupyter({ app: 'lab' })
    ]);
    servers.push(moto, jupyter);
    const s3 = new S3Client({
      region: REGION,
      endpoint: moto.url,
      forcePathStyle: true,
      credentials: { accessKeyId: 'bench', secretAccessKey: SECRET }
    });
    await createBucket(s3, BUCKET);
    const names = { direct: 'bench-direct', proxy: 'bench-proxy' };
    const ids: Record<string, string> = {};
    for (const backend of ['direct', 'proxy'] as const) {
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
    const floorOptions = {
      endpoint: moto.url,
      region: REGION,
      accessKeyId: 'bench',
      secretAccessKey: SECRET
    };

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
    await page.addInitScript(initScript);
    await page.goto(`${jupyter.url}lab?token=${jupyter.token}`, {
      timeout: 120000
    });
    await page.waitForSelector('#jp-main-dock-panel', { timeout: 120000 });
    await page.addScriptTag({ content: await floorScript() });
    check(
      await page.evaluate(() => typeof (window as any).s3cBenchFloor),
      'the floor script did not load'
    );
    const open = async (backend: 'direct' | 'proxy') => {
      const id = browserId(names[backend]);
      const tab = page.locator(`.lm-TabBar-tab[data-id="${id}"]`);
      await tab.waitFor({ timeout: 60000 });
      const panel = page.locator(`#${id}`);
      if (!(await panel.isVisible())) {
        await tab.click();
      }
      await panel.waitFor({ state: 'visible' });
      return panel;
    };
    const home = async (panel: any) => {
      await panel.locator('.jp-BreadCrumbs-home').click();
      await panel
        .locator('.jp-BreadCrumbs-item:not(.jp-BreadCrumbs-ellipsis)')
        .first()
        .waitFor({ state: 'detached' })
        .catch(() => undefined);
    };

    // -- 9.1, 9.2: the upload button --------------------------------------
    if (wants('upload')) {
      const size = options.uploadMiB * MiB;
      const block = randomBytes(MiB);
      const source = path.join(tmp, 'source.bin');
      const fd = fs.openSync(source, 'w');
      for (let i = 0; i < options.uploadMiB; i++) {
        fs.writeSync(fd, block);
      }
      fs.closeSync(fd);
      check(
        (await page.evaluate(
          ([b64, mib]: [string, number]) =>
            (window as any).s3cBenchFloor.makeBlob(b64, mib),
          [block.toString('base64'), options.uploadMiB]
        )) === size,
        'the in-page Blob has the wrong size'
      );
      let serial = 0;
      const fresh = (what: string) =>
        `${what}-${Date.now().toString(36)}-${serial++}.bin`;
      const head = async (key: string) => {
        try {
          const answer = await s3.send(
            new HeadObjectCommand({ Bucket: BUCKET, Key: key })
          );
          return answer.ContentLength ?? -1;
        } catch {
          return -1;
        }
      };
      const remove = (key: string) =>
        s3.send(new DeleteObjectCommand({ Bucket: BUCKET, Key: key }));

      /** An upload through a bucket browser's upload button (ms). */
      const buttonUpload = async (backend: 'direct' | 'proxy') => {
        const panel = await open(backend);
        await home(panel);
        // A new name each time (a hard link of the same bytes): the
        // browser's file name is the file's.
        const name = fresh(`up-${backend}`);
        const file = path.join(tmp, name);
        fs.linkSync(source, file);
        await page.evaluate(() => {
          performance.clearResourceTimings();
          (window as any).s3cBenchAccepts.length = 0;
        });
        const chooser = page.waitForEvent('filechooser');
        await panel.locator('.jp-Toolbar .jp-id-upload').click();
        const start = Date.now();
        await (await chooser).setFiles(file);
        const accept = page.locator('.jp-Dialog .jp-mod-accept');
        const deadline = Date.now() + 600000;
        let accepted = false;
        for (;;) {
          if ((await head(name)) === size) {
            break;
          }
          if (!accepted && (await accept.count()) > 0) {
            await accept.click();
            accepted = true;
          }
          check(Date.now() < deadline, `the upload of ${name} did not end`);
          await sleep(50);
        }
        // The page's own times: the accept click (if asked), the end of the
        // last response about the key; read until they stop changing.
        const encoded = encodeURIComponent(name);
        const read = () =>
          page.evaluate((needle: string) => {
            const ends = performance
              .getEntriesByType('resource')
              .filter(e => e.name.includes(needle))
              .map(
                e =>
                  performance.timeOrigin +
                  (e as PerformanceResourceTiming).responseEnd
              );
            return {
              requests: ends.length,
              end: Math.max(...ends),
              accepts: (window as any).s3cBenchAccepts as number[]
            };
          }, encoded);
        let seen = await read();
        for (;;) {
          await sleep(200);
          const again = await read();
          if (again.requests === seen.requests) {
            break;
          }
          seen = again;
        }
        check(seen.requests > 0, `no request of the page named ${name}`);
        const t0 = seen.accepts.length ? seen.accepts[0] : start;
        fs.unlinkSync(file);
        await remove(name);
        return seen.end - t0;
      };

      /** The floor: a raw multipart upload of the in-page Blob (ms). */
      const floorUpload = async () => {
        const key = fresh('floor');
        const ms = await page.evaluate(
          ([o, key, partSize, inFlight]: [any, string, number, number]) =>
            (window as any).s3cBenchFloor.upload(
              o,
              'bench-ui',
              key,
              partSize,
              inFlight
            ),
          [floorOptions, key, FLOOR_PART_SIZE, FLOOR_IN_FLIGHT]
        );
        check((await head(key)) === size, `the floor's ${key} is incomplete`);
        await remove(key);
        return ms;
      };

      process.stderr.write(
        `#9.1 upload button (direct) vs raw SDK multipart from a Blob in the page, ${options.uploadMiB} MiB\n`
      );
      const direct = await options.alternate(
        '#9.1',
        () => buttonUpload('direct'),
        () => floorUpload()
      );
      await page.screenshot({
        path: path.join(os.tmpdir(), 's3c-bench-upload.png')
      });
      pairs.push({
        id: '9.1',
        a: `Chromium: upload button of the bucket browser, ${options.uploadMiB} MiB file (direct)`,
        b: `raw SDK multipart of an in-page Blob (${FLOOR_PART_SIZE / MiB} MiB parts, ${FLOOR_IN_FLIGHT} in flight)`,
        samples: direct,
        bytes: size,
        target: 0.8
      });
      process.stderr.write(
        `#9.2 upload button, proxy vs direct, ${options.uploadMiB} MiB\n`
      );
      const proxy = await options.alternate(
        '#9.2',
        () => buttonUpload('proxy'),
        () => buttonUpload('direct')
      );
      pairs.push({
        id: '9.2',
        a: `Chromium: the same upload through the proxy`,
        b: `the same direct`,
        samples: proxy,
        bytes: size,
        target: 0.7
      });
      await page.evaluate(() => (window as any).s3cBenchFloor.dropBlob());
    }

    // -- 9.3, 9.4: a folder of many objects ---------------------------------
    if (wants('list')) {
      const n = options.objects;
      /** From the double-click on the folder to its rows in the DOM (ms). */
      const showFolder = async (backend: 'direct' | 'proxy') => {
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
            const crumbs = [
              ...root.querySelectorAll('.jp-BreadCrumbs-item')
            ].map(c => c.getAttribute('data-path'));
            const rows = root.querySelector(
              '.jp-DirListing-content'
            )?.childElementCount;
            return `${rows} rows, crumbs ${JSON.stringify(crumbs)}`;
          }, id);
          await page.screenshot({
            path: path.join(os.tmpdir(), 's3c-bench-folder-failed.png')
          });
          throw new Error(
            `BROKEN: the folder did not show: ${state}: ${error}`
          );
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
    }
    return {
      pairs,
      config: {
        browser: await browser.version(),
        floor_part_size: FLOOR_PART_SIZE,
        floor_in_flight: FLOOR_IN_FLIGHT,
        upload_mib: options.uploadMiB,
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
