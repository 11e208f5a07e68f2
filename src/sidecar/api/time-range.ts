/**
 * `since`/`until` query values: an ISO date (`2025-06-01`, UTC midnight), an ISO date-time, or a
 * duration back from now (`30m`, `24h`, `7d`). Pure; returns an ISO-8601 UTC string or an error.
 */
const DURATION = /^(\d+)([mhd])$/;
const DATE_ONLY = /^\d{4}-\d{2}-\d{2}$/;
const UNIT_MS = { m: 60_000, h: 3_600_000, d: 86_400_000 } as const;

export type Parsed<T> = { ok: true; value: T } | { ok: false; message: string };

export function parseTimeBound(name: string, value: string, now: Date): Parsed<string> {
  const duration = DURATION.exec(value);
  if (duration) {
    const amount = Number(duration[1]);
    const unit = duration[2] as keyof typeof UNIT_MS;
    return { ok: true, value: new Date(now.getTime() - amount * UNIT_MS[unit]).toISOString() };
  }
  const time = Date.parse(DATE_ONLY.test(value) ? `${value}T00:00:00Z` : value);
  if (Number.isNaN(time) || !/^\d{4}-\d{2}-\d{2}/.test(value)) {
    return {
      ok: false,
      message: `${name}: expected an ISO date (2025-06-01), date-time, or a duration like 24h or 7d, got ${JSON.stringify(value)}`,
    };
  }
  return { ok: true, value: new Date(time).toISOString() };
}
