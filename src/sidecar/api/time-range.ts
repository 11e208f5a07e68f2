/**
 * `since`/`until` query values: an ISO date (`2025-06-01`, UTC midnight), an ISO date-time, or a
 * duration back from now (`30m`, `24h`, `7d`). Pure; returns an ISO-8601 UTC string or an error.
 * Bounded: a duration of at most MAX_DURATION_DAYS, a time from EARLIEST to LATEST (usage records
 * are stored with ISO times, which sort as text only with a 4-digit year and no sign).
 */
const DURATION = /^(\d{1,12})([mhd])$/;
const DATE_ONLY = /^\d{4}-\d{2}-\d{2}$/;
const UNIT_MS = { m: 60_000, h: 3_600_000, d: 86_400_000 } as const;

export const MAX_DURATION_DAYS = 36_500;
export const EARLIEST = '1970-01-01';
export const LATEST = '9999-12-31';
const EARLIEST_MS = Date.parse(`${EARLIEST}T00:00:00Z`);
const LATEST_MS = Date.parse(`${LATEST}T23:59:59.999Z`);

export type Parsed<T> = { ok: true; value: T } | { ok: false; message: string };

export function parseTimeBound(name: string, value: string, now: Date): Parsed<string> {
  const duration = DURATION.exec(value);
  const problem = (what: string): Parsed<string> => ({
    ok: false,
    message: `${name}: ${what}, got ${JSON.stringify(value.slice(0, 64))}`,
  });
  if (duration) {
    const ms = Number(duration[1]) * UNIT_MS[duration[2] as keyof typeof UNIT_MS];
    if (ms > MAX_DURATION_DAYS * UNIT_MS.d) {
      return problem(`expected a duration of at most ${MAX_DURATION_DAYS}d (100 years)`);
    }
    return inRange(now.getTime() - ms) ?? problem(`expected a time from ${EARLIEST} to ${LATEST}`);
  }
  const time = Date.parse(DATE_ONLY.test(value) ? `${value}T00:00:00Z` : value);
  if (Number.isNaN(time) || !/^\d{4}-\d{2}-\d{2}/.test(value)) {
    return problem('expected an ISO date (2025-06-01), date-time, or a duration like 24h or 7d');
  }
  return inRange(time) ?? problem(`expected a time from ${EARLIEST} to ${LATEST}`);
}

function inRange(ms: number): Parsed<string> | null {
  return ms >= EARLIEST_MS && ms <= LATEST_MS ? { ok: true, value: new Date(ms).toISOString() } : null;
}
