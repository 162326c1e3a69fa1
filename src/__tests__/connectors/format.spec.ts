import { formatUTCDate } from '../../connectors/format';

describe('formatUTCDate', () => {
  it('formats like "July 18, 2022, 14:23" in UTC', () => {
    expect(formatUTCDate('2022-07-18T14:23:05Z')).toBe('July 18, 2022, 14:23');
  });

  it('converts other offsets to UTC, not to the local time zone', () => {
    expect(formatUTCDate('2022-07-18T23:50:00-02:00')).toBe(
      'July 19, 2022, 01:50'
    );
  });

  it('pads hours and minutes', () => {
    expect(formatUTCDate('2026-01-02T03:04:00Z')).toBe(
      'January 2, 2026, 03:04'
    );
  });

  it('crosses the year boundary at midnight UTC', () => {
    expect(formatUTCDate('2025-12-31T23:59:59.999Z')).toBe(
      'December 31, 2025, 23:59'
    );
    expect(formatUTCDate('2026-01-01T00:00:00Z')).toBe(
      'January 1, 2026, 00:00'
    );
  });

  it('returns what is not a date unchanged', () => {
    expect(formatUTCDate('not a date')).toBe('not a date');
    expect(formatUTCDate('')).toBe('');
  });
});
