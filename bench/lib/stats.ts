/**
 * Statistics and the printed table.
 */

export function sorted(values: number[]): number[] {
  return [...values].sort((a, b) => a - b);
}

/** The q-quantile (0..1), linear interpolation between closest ranks. */
export function quantile(values: number[], q: number): number {
  const s = sorted(values);
  if (s.length === 0) {
    return NaN;
  }
  const pos = (s.length - 1) * q;
  const lo = Math.floor(pos);
  const hi = Math.ceil(pos);
  return s[lo] + (s[hi] - s[lo]) * (pos - lo);
}

/**
 * `n` samples of each of two timed actions (ms), one at a time and
 * interleaved: A first in even rounds, B first in odd ones. Pure, so that the
 * page's scripts can bundle it too.
 */
export async function interleaved(
  n: number,
  a: () => Promise<number>,
  b: () => Promise<number>
): Promise<{ a: number[]; b: number[] }> {
  const samples = { a: [] as number[], b: [] as number[] };
  for (let i = 0; i < n; i++) {
    if (i % 2 === 0) {
      samples.a.push(await a());
      samples.b.push(await b());
    } else {
      samples.b.push(await b());
      samples.a.push(await a());
    }
  }
  return samples;
}

export function median(values: number[]): number {
  return quantile(values, 0.5);
}

export interface ISummary {
  median: number;
  min: number;
  max: number;
  n: number;
}

export function summary(values: number[]): ISummary {
  return {
    median: median(values),
    min: Math.min(...values),
    max: Math.max(...values),
    n: values.length
  };
}

/** A number with 3 significant digits (no exponent for usual magnitudes). */
export function fmt(value: number): string {
  if (!Number.isFinite(value)) {
    return String(value);
  }
  const abs = Math.abs(value);
  if (abs >= 100) {
    return value.toFixed(0);
  }
  if (abs >= 10) {
    return value.toFixed(1);
  }
  if (abs >= 1) {
    return value.toFixed(2);
  }
  return value.toPrecision(3);
}

export function fmtSummary(s: ISummary, unit: string): string {
  return `${fmt(s.median)} ${unit} (${fmt(s.min)}–${fmt(s.max)})`;
}

export const MiB = 1024 * 1024;

export function fmtBytes(bytes: number): string {
  if (Math.abs(bytes) >= MiB) {
    return `${(bytes / MiB).toFixed(1)} MiB`;
  }
  return `${(bytes / 1024).toFixed(1)} KiB`;
}

/** Render rows as a Markdown table with aligned columns. */
export function table(header: string[], rows: string[][]): string {
  const widths = header.map((h, i) =>
    Math.max(h.length, ...rows.map(r => (r[i] ?? '').length))
  );
  const line = (cells: string[]) =>
    '| ' + cells.map((c, i) => (c ?? '').padEnd(widths[i])).join(' | ') + ' |';
  return [
    line(header),
    '| ' + widths.map(w => '-'.repeat(w)).join(' | ') + ' |',
    ...rows.map(line)
  ].join('\n');
}
