import fc from 'fast-check';
import { describePeriod, periodWindow, windowStart } from '../../../src/sidecar/budgets/period.js';

const at = (iso: string) => Date.parse(iso);
const iso = (ms: number | null) => (ms === null ? null : new Date(ms).toISOString());
const window = (period: 'day' | 'month' | 'total', now: string) => {
  const { start, end } = periodWindow(period, at(now));
  return { start: iso(start), end: iso(end) };
};

describe('periodWindow', () => {
  it('day: UTC midnight to the next midnight', () => {
    expect(window('day', '2025-06-15T13:45:10.123Z')).toEqual({
      start: '2025-06-15T00:00:00.000Z',
      end: '2025-06-16T00:00:00.000Z',
    });
  });

  it('day: rolls over exactly at 00:00:00.000 UTC', () => {
    expect(window('day', '2025-06-15T23:59:59.999Z').start).toBe('2025-06-15T00:00:00.000Z');
    expect(window('day', '2025-06-16T00:00:00.000Z').start).toBe('2025-06-16T00:00:00.000Z');
  });

  it('day: the last day of a month and of a year end in the next month and year', () => {
    expect(window('day', '2025-01-31T08:00:00Z').end).toBe('2025-02-01T00:00:00.000Z');
    expect(window('day', '2025-12-31T23:00:00Z').end).toBe('2026-01-01T00:00:00.000Z');
  });

  it('day: Feb 28 → Mar 1 in a common year, → Feb 29 in a leap year', () => {
    expect(window('day', '2025-02-28T12:00:00Z').end).toBe('2025-03-01T00:00:00.000Z');
    expect(window('day', '2024-02-28T12:00:00Z').end).toBe('2024-02-29T00:00:00.000Z');
    expect(window('day', '2024-02-29T12:00:00Z')).toEqual({
      start: '2024-02-29T00:00:00.000Z',
      end: '2024-03-01T00:00:00.000Z',
    });
  });

  it('month: the 1st to the 1st of the next month, whatever the local time zone', () => {
    expect(window('month', '2025-06-15T13:45:10Z')).toEqual({
      start: '2025-06-01T00:00:00.000Z',
      end: '2025-07-01T00:00:00.000Z',
    });
    expect(window('month', '2025-06-30T23:59:59.999Z').end).toBe('2025-07-01T00:00:00.000Z');
    expect(window('month', '2025-07-01T00:00:00.000Z').start).toBe('2025-07-01T00:00:00.000Z');
  });

  it('month: February of common and leap years (and the 400-year rule)', () => {
    expect(window('month', '2025-02-10T00:00:00Z')).toEqual({
      start: '2025-02-01T00:00:00.000Z',
      end: '2025-03-01T00:00:00.000Z',
    });
    const feb2024 = periodWindow('month', at('2024-02-29T23:59:59Z'));
    expect(((feb2024.end as number) - feb2024.start) / 86_400_000).toBe(29);
    const feb2100 = periodWindow('month', at('2100-02-15T00:00:00Z'));
    expect(((feb2100.end as number) - feb2100.start) / 86_400_000).toBe(28);
    const feb2000 = periodWindow('month', at('2000-02-15T00:00:00Z'));
    expect(((feb2000.end as number) - feb2000.start) / 86_400_000).toBe(29);
  });

  it('month: December rolls over into January of the next year', () => {
    expect(window('month', '2025-12-31T23:59:59.999Z')).toEqual({
      start: '2025-12-01T00:00:00.000Z',
      end: '2026-01-01T00:00:00.000Z',
    });
    expect(window('month', '2026-01-01T00:00:00.000Z').start).toBe('2026-01-01T00:00:00.000Z');
  });

  it('total: all time, never resets', () => {
    expect(periodWindow('total', at('2025-06-15T00:00:00Z'))).toEqual({ start: 0, end: null });
  });

  it('any instant lies in its window, and the window is the one its start belongs to', () => {
    const instant = fc.integer({ min: 0, max: Date.UTC(2200, 0, 1) });
    fc.assert(
      fc.property(instant, fc.constantFrom('day' as const, 'month' as const), (now, period) => {
        const { start, end } = periodWindow(period, now);
        expect(start).toBeLessThanOrEqual(now);
        expect(end).not.toBeNull();
        expect(now).toBeLessThan(end as number);
        expect(windowStart(period, start)).toBe(start);
        expect(windowStart(period, (end as number) - 1)).toBe(start);
        expect(windowStart(period, end as number)).toBe(end);
      }),
    );
  });
});

describe('describePeriod', () => {
  it('reads as part of a sentence', () => {
    expect(describePeriod('day')).toBe('per day (UTC)');
    expect(describePeriod('month')).toBe('per month (UTC)');
    expect(describePeriod('total')).toBe('in total');
  });
});
