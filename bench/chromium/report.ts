/**
 * Bench #9's pairs as rows of the run's table.
 */
import { rows, throughputRow, timeRow } from '../lib/report';
import { IChromiumPair } from './page';

export function reportChromium(pairs: IChromiumPair[]): void {
  for (const pair of pairs) {
    if (pair.bytes) {
      throughputRow(
        pair.id,
        pair.a,
        pair.b,
        pair.samples,
        pair.bytes,
        pair.target ?? 0,
        pair.extra
      );
    } else {
      timeRow(
        pair.id,
        pair.a,
        pair.b,
        pair.samples,
        pair.target ?? Infinity,
        pair.extra
      );
    }
    const row = rows[rows.length - 1];
    row.note = pair.note;
    if (pair.target === null) {
      row.target = 'report';
      row.ok = 'ℹ️';
    }
  }
}
