/**
 * Budget periods as windows of UTC time, from a clock the caller passes in. Pure.
 * - day: from 00:00 UTC to the next 00:00 UTC;
 * - month: from the 1st at 00:00 UTC to the 1st of the next month (Dec → Jan of the next year);
 * - total: all time, never resets.
 */
import type { Budget } from '../../config/schema.js';

export type Period = Budget['period'];

export interface PeriodWindow {
  /** Epoch milliseconds, inclusive; 0 for period total. */
  start: number;
  /** Epoch milliseconds, exclusive: when the budget resets; null for period total. */
  end: number | null;
}

const DAY_MS = 86_400_000;

export function periodWindow(period: Period, nowMs: number): PeriodWindow {
  switch (period) {
    case 'day': {
      const start = Math.floor(nowMs / DAY_MS) * DAY_MS;
      return { start, end: start + DAY_MS };
    }
    case 'month': {
      const now = new Date(nowMs);
      const year = now.getUTCFullYear();
      const month = now.getUTCMonth();
      // Date.UTC rolls month 12 over into January of the next year.
      return { start: Date.UTC(year, month, 1), end: Date.UTC(year, month + 1, 1) };
    }
    case 'total':
      return { start: 0, end: null };
  }
}

/** The window an instant belongs to, identified by its start (records are filed by their time). */
export function windowStart(period: Period, atMs: number): number {
  return periodWindow(period, atMs).start;
}

/** How the period reads in messages: "per day (UTC)", "per month (UTC)", "in total". */
export function describePeriod(period: Period): string {
  return period === 'total' ? 'in total' : `per ${period} (UTC)`;
}
