/**
 * The benchmarks of issues #4 and #10: the drive (in Node, as in its jest
 * tests) against raw SDK calls, direct against proxy, on a moto S3 server and
 * a Jupyter server started here; what the browser loads (#8); what a user
 * does in the bucket browser, in Chromium (#9). Every figure is a ratio of
 * medians of A and B measured alternately in the same run.
 *
 *   tsx bench/run.ts            # full sizes (make bench)
 *   tsx bench/run.ts --smoke    # tiny sizes, seconds (make bench-smoke)
 *   tsx bench/run.ts --only=1,3 # some benches only (8 = bundle sizes, 9 = Chromium, 10 = mounts and s3c://)
 *
 * Each group of rows is a module (`node/`, `bundle.ts`, `chromium/`); this
 * file starts the servers, runs the groups and prints the table. Exits
 * non-zero only when something is broken (a server does not start, a result
 * is wrong), never because a ratio misses its target.
 */
process.env.AWS_SDK_JS_NODE_VERSION_SUPPORT_WARNING_DISABLED = 'true';

import { CreateBucketCommand } from '@aws-sdk/client-s3';
import { execFileSync } from 'child_process';
import * as os from 'os';
import * as path from 'path';
import { performance } from 'perf_hooks';

import { measureBundle, reportBundle } from './bundle';
import { measureChromium } from './chromium/page';
import { reportChromium } from './chromium/report';
import {
  BUCKET,
  CFG,
  CHROMIUM_ONLY,
  CHUNK,
  DRIVE_CONCURRENCY,
  DRIVE_PART_SIZE,
  RAW_CONCURRENCY,
  SMOKE,
  wants
} from './config';
import { alternate, printReport, results } from './lib/report';
import {
  createConnector,
  IServer,
  ROOT,
  startJupyter,
  startMoto,
  VENV_BIN
} from './lib/servers';
import {
  countRequests,
  directClient,
  INodeBench,
  makeDrive,
  proxyClient
} from './node/clients';
import { benchHead } from './node/head';
import { benchListing } from './node/listing';
import { benchMounts } from './node/mounts';
import { benchOpen } from './node/open';
import { benchUploads } from './node/uploads';

function loadAverage(): string {
  return os
    .loadavg()
    .map(l => l.toFixed(2))
    .join(' ');
}

function machine(): Record<string, unknown> {
  let python = '';
  try {
    python = execFileSync(path.join(VENV_BIN, 'python'), ['--version'])
      .toString()
      .trim();
  } catch {
    python = 'unknown';
  }
  return {
    cpu: os.cpus()[0]?.model,
    cores: os.cpus().length,
    memory_gib: +(os.totalmem() / 1024 ** 3).toFixed(1),
    os: `${os.type()} ${os.release()} ${os.arch()}`,
    node: process.version,
    python,
    load_start: loadAverage()
  };
}

/**
 * The Node rows (1–7, 10): a moto server, and a Jupyter server when a row goes
 * through the proxy or a mount.
 */
async function benchNode(servers: IServer[]): Promise<void> {
  if (![1, 2, 3, 4, 5, 6, 7, 10].some(wants)) {
    return;
  }
  const needProxy = [2, 4, 6, 7, 10].some(wants);
  process.stderr.write(
    'Starting moto' + (needProxy ? ' and Jupyter server' : '') + '…\n'
  );
  const [moto, jupyter] = await Promise.all([
    startMoto(),
    needProxy ? startJupyter() : Promise.resolve(undefined)
  ]);
  servers.push(moto);
  if (jupyter) {
    servers.push(jupyter);
  }
  const s3 = countRequests(directClient(moto.url));
  await s3.send(new CreateBucketCommand({ Bucket: BUCKET }));
  const bench: INodeBench = { s3, direct: makeDrive(s3), jupyter };
  if (jupyter) {
    const connector = await createConnector(jupyter, {
      name: 'bench',
      endpoint: moto.url,
      bucket: BUCKET
    });
    bench.proxyS3 = countRequests(proxyClient(jupyter, connector.id, moto.url));
    bench.proxied = makeDrive(bench.proxyS3);
  }
  try {
    await benchListing(bench);
    await benchUploads(bench);
    await benchOpen(bench);
    await benchHead(bench);
    await benchMounts(bench, moto.url, 'bench');
  } finally {
    bench.direct.dispose();
    bench.proxied?.dispose();
  }
}

async function main(): Promise<void> {
  const started = performance.now();
  const servers: IServer[] = [];
  let failed = false;
  const stopAll = async () => {
    await Promise.all(servers.map(s => s.stop().catch(() => undefined)));
  };
  process.on('SIGINT', () => {
    void stopAll().then(() => process.exit(130));
  });
  try {
    results.mode = SMOKE ? 'smoke' : 'full';
    results.config = {
      ...CFG,
      chunk: CHUNK,
      drive_part_size: DRIVE_PART_SIZE,
      drive_concurrency: DRIVE_CONCURRENCY,
      raw_concurrency: RAW_CONCURRENCY
    };
    results.machine = machine();
    await benchNode(servers);

    // -- 9: what a user does, in Chromium (bench/chromium) -------------------
    if (wants(9)) {
      // The smoke run: one round, small files (still several chunks and parts).
      const rounds = SMOKE ? 1 : CFG.rounds;
      const chromium = await measureChromium({
        smoke: SMOKE,
        rounds,
        uploadMiB: SMOKE ? 6 : CFG.uploadMiB,
        openMiB: SMOKE ? 1 : CFG.openMiB,
        objects: CFG.objects,
        heads: CFG.heads,
        alternate: (label, a, b) => alternate(label, a, b, rounds),
        only: CHROMIUM_ONLY
      });
      results['9'] = chromium.config;
      reportChromium(chromium.pairs);
    }

    // -- 8: what the browser loads -------------------------------------------
    if (wants(8)) {
      process.stderr.write(
        `#8 extension JS at start-up and the lazy SDK chunk\n`
      );
      reportBundle(await measureBundle({ smoke: SMOKE }));
    }
  } catch (error) {
    failed = true;
    console.error(error);
    for (const server of servers) {
      const tail = server.stderr().trim();
      if (tail) {
        console.error(
          `--- stderr of ${server.url} (tail) ---\n${tail.slice(-3000)}`
        );
      }
    }
  } finally {
    await stopAll();
  }

  (results.machine as Record<string, unknown>).load_end = loadAverage();
  printReport({
    smoke: SMOKE,
    rounds: CFG.rounds,
    seconds: (performance.now() - started) / 1000,
    // The smoke run's figures mean nothing: keep them out of bench/results.json.
    out: SMOKE
      ? path.join(os.tmpdir(), 's3c-bench-smoke-results.json')
      : path.join(ROOT, 'bench', 'results.json')
  });
  if (failed) {
    console.log('\nBROKEN: see the error above.');
    process.exit(1);
  }
  process.exit(0);
}

void main();
