/* eslint-disable @typescript-eslint/no-explicit-any -- Node scripts */
/**
 * Bench #8: the extension's JavaScript the browser loads at JupyterLab
 * start-up, and the chunks loaded lazily when a connector's drive is used.
 *
 * Full run: a production build in a scratch copy of the repository (so the
 * development build others use stays as it is), served by `jupyter lab` via
 * `extra_labextensions_path` (which wins over the installed one), loaded in
 * Debian's Chromium through playwright-core; the responses below
 * `/lab/extensions/jupyterlab-s3-connectors/static/` are recorded and their
 * bodies gzipped here (zlib, level 9). Then a connector is created and
 * activated (REST) and the page reloaded: the extra files are the lazy chunks.
 * The build output tells which chunks hold the AWS SDK.
 *
 * Smoke run: no build and no browser, only the build output present in
 * `jupyterlab_s3_connectors/labextension/static`.
 */
import { execFileSync } from 'child_process';
import * as fs from 'fs';
import * as os from 'os';
import * as path from 'path';
import * as zlib from 'zlib';

import {
  createConnector,
  IJupyter,
  ROOT,
  sleep,
  startJupyter,
  startMoto,
  VENV_BIN
} from './lib/servers';
import { results, rows } from './lib/report';
import { fmtBytes } from './lib/stats';

const NAME = 'jupyterlab-s3-connectors';
const STATIC_PATH = `/lab/extensions/${NAME}/static/`;

export interface IFileSize {
  file: string;
  raw: number;
  gzip: number;
  sdk?: boolean;
}

export interface ISizes {
  files: IFileSize[];
  raw: number;
  gzip: number;
}

export interface IBundleResult {
  how: string;
  note?: string;
  lazyNote?: string;
  startup: ISizes;
  lazy: ISizes;
  build?: { dir: string; files: IFileSize[]; sdkChunks: string[] };
  build_seconds?: number;
}

function gzipSize(bytes: Buffer): number {
  return zlib.gzipSync(bytes, { level: 9 }).length;
}

/** Whether a chunk holds the AWS SDK (its command names survive minifying). */
function hasSdk(bytes: Buffer): boolean {
  const text = bytes.toString('utf8');
  // Not the package name: remoteEntry lists every shared package by name.
  return (
    text.includes('ListObjectsV2Command') ||
    text.includes('x-amz-content-sha256')
  );
}

function sizes(files: IFileSize[]): ISizes {
  return {
    files,
    raw: files.reduce((s, f) => s + f.raw, 0),
    gzip: files.reduce((s, f) => s + f.gzip, 0)
  };
}

/** The JavaScript files of a labextension's static folder. */
export function buildOutput(dir: string): IFileSize[] {
  const staticDir = path.join(dir, 'static');
  if (!fs.existsSync(staticDir)) {
    return [];
  }
  return fs
    .readdirSync(staticDir)
    .filter(f => f.endsWith('.js'))
    .sort()
    .map(file => {
      const bytes = fs.readFileSync(path.join(staticDir, file));
      return {
        file,
        raw: bytes.length,
        gzip: gzipSize(bytes),
        sdk: hasSdk(bytes)
      };
    });
}

/** A production build in a scratch copy of the repository. */
function prodBuild(): { dir: string; scratch: string; seconds: number } {
  const t0 = Date.now();
  const scratch = fs.mkdtempSync(path.join(os.tmpdir(), 's3c-bench-prod-'));
  for (const entry of [
    'package.json',
    'tsconfig.json',
    'install.json',
    'LICENSE',
    'README.md',
    '.yarnrc.yml',
    'src',
    'style',
    'schema'
  ]) {
    const from = path.join(ROOT, entry);
    if (fs.existsSync(from)) {
      fs.cpSync(from, path.join(scratch, entry), { recursive: true });
    }
  }
  fs.rmSync(path.join(scratch, 'src', '__tests__'), {
    recursive: true,
    force: true
  });
  fs.mkdirSync(path.join(scratch, 'jupyterlab_s3_connectors'));
  fs.symlinkSync(
    path.join(ROOT, 'node_modules'),
    path.join(scratch, 'node_modules')
  );
  const env = { ...process.env, PATH: `${VENV_BIN}:${process.env.PATH}` };
  const run = (cmd: string, args: string[]) =>
    execFileSync(cmd, args, {
      cwd: scratch,
      env,
      stdio: ['ignore', 'pipe', 'pipe']
    });
  try {
    // `jlpm build:prod` is `tsc` then `jupyter-builder build .`.
    run(path.join(ROOT, 'node_modules', '.bin', 'tsc'), []);
    run(path.join(VENV_BIN, 'jupyter-builder'), ['build', '.']);
  } catch (error: any) {
    throw new Error(
      `production build failed: ${error.message}\n${error.stdout ?? ''}\n${error.stderr ?? ''}`
    );
  }
  return {
    dir: path.join(scratch, 'jupyterlab_s3_connectors', 'labextension'),
    scratch,
    seconds: (Date.now() - t0) / 1000
  };
}

/** Load JupyterLab in Chromium and record our static files. */
async function recordLoads(
  jupyter: IJupyter,
  reloadAfter?: () => Promise<void>
): Promise<{ first: Map<string, Buffer>; second: Map<string, Buffer> }> {
  // eslint-disable-next-line @typescript-eslint/no-require-imports -- ui-tests' own copy
  const { chromium } = require(
    path.join(ROOT, 'ui-tests', 'node_modules', 'playwright-core')
  );
  const browser = await chromium.launch({
    executablePath: '/usr/bin/chromium',
    args: ['--no-sandbox']
  });
  const first = new Map<string, Buffer>();
  const second = new Map<string, Buffer>();
  let current = first;
  try {
    const page = await browser.newPage();
    const pending: Promise<void>[] = [];
    page.on('response', (response: any) => {
      const url = new URL(response.url());
      if (!url.pathname.startsWith(STATIC_PATH)) {
        return;
      }
      const file = url.pathname.slice(STATIC_PATH.length);
      if (!file.endsWith('.js')) {
        return;
      }
      const map = current;
      pending.push(
        response.body().then(
          (body: Buffer) => void map.set(file, body),
          () => undefined
        )
      );
    });
    const open = async () => {
      await page.goto(`${jupyter.url}lab?token=${jupyter.token}`, {
        waitUntil: 'networkidle',
        timeout: 120000
      });
      await page.waitForSelector('#jp-main-dock-panel', { timeout: 120000 });
      await sleep(3000);
      await page.waitForLoadState('networkidle');
      await Promise.all(pending.splice(0));
    };
    await open();
    if (reloadAfter) {
      await reloadAfter();
      current = second;
      await open();
    }
  } finally {
    await browser.close();
  }
  return { first, second };
}

function fileSizes(
  map: Map<string, Buffer>,
  names?: Iterable<string>
): IFileSize[] {
  return [...(names ?? map.keys())].sort().map(file => {
    const body = map.get(file)!;
    return { file, raw: body.length, gzip: gzipSize(body), sdk: hasSdk(body) };
  });
}

export async function measureBundle(options: {
  smoke: boolean;
}): Promise<IBundleResult> {
  if (options.smoke) {
    const dir = path.join(ROOT, 'jupyterlab_s3_connectors', 'labextension');
    const files = buildOutput(dir);
    if (files.length === 0) {
      throw new Error(`BROKEN: no build output in ${dir}: run jlpm build`);
    }
    const remote = files.filter(f => f.file.startsWith('remoteEntry.'));
    const sdk = files.filter(f => f.sdk);
    return {
      how: 'smoke: current build output, no browser',
      startup: sizes(remote),
      lazy: sizes(sdk),
      build: { dir, files, sdkChunks: sdk.map(f => f.file) },
      lazyNote: sdk.length
        ? undefined
        : 'no chunk of the current build holds the AWS SDK (the plugin does not import the drive yet)'
    };
  }

  const build = prodBuild();
  process.stderr.write(
    `  production build in ${build.seconds.toFixed(1)} s: ${build.dir}\n`
  );
  const built = buildOutput(build.dir);
  const sdkChunks = built.filter(f => f.sdk).map(f => f.file);
  const links = fs.mkdtempSync(path.join(os.tmpdir(), 's3c-bench-ext-'));
  fs.symlinkSync(build.dir, path.join(links, NAME), 'dir');
  const moto = await startMoto();
  let jupyter: IJupyter | undefined;
  try {
    jupyter = await startJupyter({
      app: 'lab',
      extraArgs: [`--LabServerApp.extra_labextensions_path=${links}`]
    });
    const j = jupyter;
    const { first, second } = await recordLoads(j, async () => {
      // An active connector: the plugin restores its drive on the next load.
      await fetch(`${moto.url}/bench-bundle`, { method: 'PUT' });
      await createConnector(j, {
        name: 'bundle',
        endpoint: moto.url,
        bucket: 'bench-bundle'
      });
    });
    const startup = fileSizes(first);
    if (startup.length === 0) {
      throw new Error(
        `BROKEN: the browser loaded nothing below ${STATIC_PATH}`
      );
    }
    const stranger = startup.filter(f => !built.some(b => b.file === f.file));
    if (stranger.length) {
      throw new Error(
        `BROKEN: the browser loaded files not from the production build (${stranger.map(f => f.file).join(', ')})`
      );
    }
    const extra = [...second.keys()].filter(f => !first.has(f));
    const lazy = sizes(fileSizes(second, extra));
    const loadedSdk = [...first.keys(), ...second.keys()].filter(f =>
      sdkChunks.includes(f)
    );
    const startupSdk = startup.filter(f => f.sdk).map(f => f.file);
    let note = `start-up: ${startup.map(f => `${f.file} ${(f.gzip / 1024).toFixed(1)} KiB gzip`).join(', ')}`;
    let lazyNote: string | undefined;
    if (startupSdk.length) {
      note += `; the AWS SDK is loaded at start-up (${startupSdk.join(', ')}): it should be lazy`;
    }
    if (lazy.files.length > 0) {
      lazyNote = `lazy: ${lazy.files.map(f => `${f.file} ${(f.gzip / 1024).toFixed(1)} KiB gzip${f.sdk ? ' (AWS SDK)' : ''}`).join(', ')}`;
    } else {
      if (sdkChunks.length === 0) {
        lazyNote =
          'no chunk of the production build holds the AWS SDK: the plugin does not import the drive yet, so nothing is loaded lazily';
      } else if (loadedSdk.length === 0) {
        lazyNote = `the browser loaded no SDK chunk with an active connector; from the build output, SDK chunks: ${sdkChunks.join(', ')}`;
      }
    }
    const lazySizes =
      lazy.files.length === 0 && sdkChunks.length > 0 && loadedSdk.length === 0
        ? sizes(built.filter(f => f.sdk))
        : lazy;
    return {
      how: lazy.files.length
        ? 'production build, Chromium'
        : sdkChunks.length && !loadedSdk.length
          ? 'production build, Chromium; lazy: build output'
          : 'production build, Chromium',
      note,
      lazyNote,
      startup: sizes(startup),
      lazy: lazySizes,
      build: { dir: build.dir, files: built, sdkChunks },
      build_seconds: build.seconds
    };
  } finally {
    await jupyter?.stop();
    await moto.stop();
    fs.rmSync(links, { recursive: true, force: true });
    fs.rmSync(build.scratch, { recursive: true, force: true });
  }
}

/** Bench #8's two rows: what loads at start-up, what loads lazily. */
export function reportBundle(bundle: IBundleResult): void {
  results['8'] = bundle;
  rows.push({
    id: '8',
    a: `extension JS at start-up (${bundle.how})`,
    b: '—',
    aText: `${fmtBytes(bundle.startup.gzip)} gzip (${fmtBytes(bundle.startup.raw)} raw, ${bundle.startup.files.length} files)`,
    bText: '—',
    ratioText: '—',
    target: 'report',
    ok: 'ℹ️',
    note: bundle.note
  });
  rows.push({
    id: '8',
    a: `lazily loaded SDK/drive chunks (${bundle.how})`,
    b: '—',
    aText: bundle.lazy.files.length
      ? `${fmtBytes(bundle.lazy.gzip)} gzip (${fmtBytes(bundle.lazy.raw)} raw, ${bundle.lazy.files.length} files)`
      : 'none found',
    bText: '—',
    ratioText: '—',
    target: 'report',
    ok: 'ℹ️',
    note: bundle.lazyNote
  });
}
