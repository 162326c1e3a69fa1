/**
 * The sizes and options of a run, from the command line and the environment
 * (bench/README.md lists them).
 */
import { MIN_PART_SIZE, PARTS_IN_FLIGHT } from '../src/drive';
import { MiB } from './lib/stats';

const argv = process.argv.slice(2);

/** `--smoke`: tiny sizes, to check that the benchmarks still run. */
export const SMOKE = argv.includes('--smoke');

const ONLY = (() => {
  const arg = argv.find(a => a.startsWith('--only='));
  return arg ? new Set(arg.slice(7).split(',').map(Number)) : null;
})();

/** Whether bench group `n` runs (`--only=1,5`; all by default). */
export const wants = (n: number): boolean => !ONLY || ONLY.has(n);

const envInt = (name: string, fallback: number) =>
  process.env[name] ? Number(process.env[name]) : fallback;

/** The sizes of a run. */
export const CFG = SMOKE
  ? {
      objects: 60,
      smallObjects: 5,
      pageSize: 25 as number | undefined,
      uploadMiB: 12,
      openMiB: 2,
      rounds: envInt('BENCH_ROUNDS', 2),
      heads: 30
    }
  : {
      objects: envInt('BENCH_OBJECTS', 10000),
      smallObjects: 20,
      pageSize: undefined as number | undefined, // the server's: 1000
      uploadMiB: envInt('BENCH_UPLOAD_MIB', 256),
      openMiB: envInt('BENCH_OPEN_MIB', 50),
      rounds: envInt('BENCH_ROUNDS', 5),
      heads: envInt('BENCH_HEADS', 300)
    };

/** Parts the raw multipart baseline keeps in flight (lib-storage's default queueSize). */
export const RAW_CONCURRENCY = envInt('BENCH_RAW_CONCURRENCY', 4);
/** The drive's part size and how many parts it keeps in flight (multipart.ts). */
export const DRIVE_PART_SIZE = MIN_PART_SIZE;
export const DRIVE_CONCURRENCY = PARTS_IN_FLIGHT;

/** The bucket of the Node rows. */
export const BUCKET = 'bench';
/** What JupyterLab's file browser sends per save of a chunked upload. */
export const CHUNK = 1 * MiB;

/** Which Chromium rows run (`BENCH_CHROMIUM=upload,list,…`; all by default). */
export const CHROMIUM_ONLY = process.env.BENCH_CHROMIUM
  ? new Set(process.env.BENCH_CHROMIUM.split(','))
  : undefined;
