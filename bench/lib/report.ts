/**
 * The rows of a run: alternating A/B pairs, their table rows and the raw
 * samples of `results.json`, and the printed report.
 */
import * as fs from 'fs';

import { fmt, fmtSummary, ISummary, MiB, summary, table } from './stats';

/** A row of the printed table. */
export interface IRow {
  id: string;
  a: string;
  b: string;
  aText: string;
  bText: string;
  ratioText: string;
  target: string;
  ok: '✅' | '❌' | 'ℹ️';
  note?: string;
}

/** The table's rows, in the order they were measured. */
export const rows: IRow[] = [];

/** What `results.json` holds: the configuration, the machine, each row's samples. */
export const results: Record<string, unknown> = {};

/** Throw when a result is wrong: the run is broken, not slow. */
export function check(condition: unknown, message: string): asserts condition {
  if (!condition) {
    throw new Error(`BROKEN: ${message}`);
  }
}

/** One sample: its own elapsed milliseconds (set-up excluded). */
export type Timed = (round: number) => Promise<number>;

/** The samples of a pair. */
export interface ISamples {
  a: number[];
  b: number[];
}

/**
 * Run A and B alternately: one warm-up round (A, B) then `rounds` counted
 * rounds, A first in even rounds and B first in odd ones.
 */
export async function alternate(
  label: string,
  a: Timed,
  b: Timed,
  rounds: number
): Promise<ISamples> {
  const samples: ISamples = { a: [], b: [] };
  await a(-1);
  await b(-1);
  for (let round = 0; round < rounds; round++) {
    const order: ['a' | 'b', Timed][] =
      round % 2 === 0
        ? [
            ['a', a],
            ['b', b]
          ]
        : [
            ['b', b],
            ['a', a]
          ];
    for (const [which, fn] of order) {
      samples[which].push(await fn(round));
    }
    if (rounds <= 20 || (round + 1) % 10 === 0) {
      process.stderr.write(
        `  ${label} round ${round + 1}/${rounds}: A ${fmt(samples.a[samples.a.length - 1])} ms, B ${fmt(samples.b[samples.b.length - 1])} ms\n`
      );
    }
  }
  return samples;
}

/** A row of time medians: A/B ≤ target. */
export function timeRow(
  id: string,
  a: string,
  b: string,
  samples: ISamples,
  target: number,
  extra: Record<string, unknown> = {}
): { a: ISummary; b: ISummary; ratio: number } {
  const sa = summary(samples.a);
  const sb = summary(samples.b);
  const ratio = sa.median / sb.median;
  rows.push({
    id,
    a,
    b,
    aText: fmtSummary(sa, 'ms'),
    bText: fmtSummary(sb, 'ms'),
    ratioText: `${ratio.toFixed(2)} (time)`,
    target: `≤ ${target}`,
    ok: ratio <= target ? '✅' : '❌'
  });
  results[id] = {
    a,
    b,
    unit: 'ms',
    samples,
    a_summary: sa,
    b_summary: sb,
    ratio_time: ratio,
    target_time_ratio_max: target,
    met: ratio <= target,
    ...extra
  };
  return { a: sa, b: sb, ratio };
}

/** A row of throughput medians: A/B ≥ target. */
export function throughputRow(
  id: string,
  a: string,
  b: string,
  samples: ISamples,
  bytes: number,
  target: number,
  extra: Record<string, unknown> = {}
): void {
  const mbps = (ms: number) => bytes / MiB / (ms / 1000);
  const ta = summary(samples.a.map(mbps));
  const tb = summary(samples.b.map(mbps));
  const ratio = ta.median / tb.median;
  rows.push({
    id,
    a,
    b,
    aText: fmtSummary(ta, 'MiB/s'),
    bText: fmtSummary(tb, 'MiB/s'),
    ratioText: `${ratio.toFixed(2)} (throughput)`,
    target: `≥ ${target}`,
    ok: ratio >= target ? '✅' : '❌'
  });
  results[id] = {
    a,
    b,
    unit: 'ms',
    bytes,
    samples,
    a_throughput_mibps: ta,
    b_throughput_mibps: tb,
    ratio_throughput: ratio,
    target_throughput_ratio_min: target,
    met: ratio >= target,
    ...extra
  };
}

/** A row that could not run on this machine, and why (not a failure). */
export function skippedRow(
  id: string,
  a: string,
  b: string,
  reason: string
): void {
  rows.push({
    id,
    a,
    b,
    aText: 'skipped',
    bText: '',
    ratioText: '',
    target: '',
    ok: 'ℹ️',
    note: `skipped: ${reason}`
  });
  results[id] = { a, b, skipped: reason };
}

/**
 * Mark the last row as information: its target (if any) is shown in
 * parentheses and a miss is not a ❌.
 */
export function asInformation(target: string): void {
  const row = rows[rows.length - 1];
  row.target = target;
  if (row.ok === '✅' || target === '(info)' || target === 'report') {
    row.ok = 'ℹ️';
  }
}

/**
 * Print the table (and the rows' notes), and write `results.json` to `out`.
 */
export function printReport(options: {
  smoke: boolean;
  rounds: number;
  seconds: number;
  out: string;
}): void {
  const { smoke, rounds, seconds, out } = options;
  results.duration_s = seconds;
  results.rows = rows;
  results.finished_at = new Date().toISOString();
  const m = results.machine as Record<string, unknown> | undefined;
  console.log('');
  console.log(
    `## S3 connectors benchmarks (${smoke ? 'smoke: tiny sizes, figures meaningless' : 'full'}), ${new Date().toISOString()}`
  );
  if (m) {
    console.log(
      `machine: ${m.cpu}, ${m.cores} cores, ${m.memory_gib} GiB; Node ${m.node}; ${m.python}; load average ${m.load_start} at the start, ${m.load_end} at the end; ${rounds} counted rounds after 1 warm-up, A/B alternating`
    );
  }
  console.log('');
  console.log(
    table(
      [
        '#',
        'A (ours)',
        'B (baseline)',
        'A median (min–max)',
        'B median (min–max)',
        'A/B',
        'target',
        ''
      ],
      rows.map(r => [
        r.id,
        r.a,
        r.b,
        r.aText,
        r.bText,
        r.ratioText,
        r.target,
        r.ok
      ])
    )
  );
  for (const r of rows.filter(r => r.note)) {
    console.log(`\n#${r.id}: ${r.note}`);
  }
  console.log(`\nTotal ${seconds.toFixed(1)} s.`);
  fs.writeFileSync(out, JSON.stringify(results, null, 2) + '\n');
  console.log(`Raw samples: ${out}`);
}
