/**
 * Hourly sums of usage_records by provider, model and prompt (migration 5), kept by triggers in the
 * same transaction as every insert and delete (so never stale, and retention is subtracted too).
 * `GET /v1/usage/summary` reads whole hours from here and only the partial hours at either end of
 * its range from usage_records: over a million records it reads a few thousand rows.
 */

const PROMPT_KEY = (row: string) => `COALESCE(${row}.prompt_name || '@' || ${row}.prompt_version, '')`;

/** [column in usage_hourly, its value from a usage_records row (# = the row), the summary's name for its sum] */
const SUMMED = [
  ['input_tokens', 'input_tokens', 'inputTokens'],
  ['output_tokens', 'output_tokens', 'outputTokens'],
  ['cached_input_tokens', 'cached_input_tokens', 'cachedInputTokens'],
  ['cache_write_tokens', 'cache_write_tokens', 'cacheWriteTokens'],
  ['reasoning_tokens', 'reasoning_tokens', 'reasoningTokens'],
  ['cost_usd', 'COALESCE(#.cost_usd, 0)', 'costUsd'],
  ['saved_usd', 'COALESCE(#.saved_usd, 0)', 'savedUsd'],
  ['unpriced', '#.cost_usd IS NULL', 'unpricedRequests'],
  ['estimated', '#.estimated', 'estimatedRequests'],
  ['errors', '#.status >= 400', 'errorRequests'],
] as const;

const value = (expr: string, row: string) =>
  expr.includes('#') ? expr.replaceAll('#', row) : `${row}.${expr}`;

export const HOURLY_ROLLUP_SQL = `
  -- Whole hours of usage for the summary; hour = substr(ts, 1, 13), prompt '' = no prompt.
  CREATE TABLE usage_hourly (
    hour TEXT NOT NULL,
    provider TEXT NOT NULL,
    model TEXT NOT NULL,
    prompt TEXT NOT NULL,
    requests INTEGER NOT NULL,
    ${SUMMED.map(([column]) => `${column} ${column.endsWith('usd') ? 'REAL' : 'INTEGER'} NOT NULL`).join(',\n    ')},
    PRIMARY KEY (hour, provider, model, prompt)
  ) WITHOUT ROWID;
  CREATE TRIGGER usage_hourly_insert AFTER INSERT ON usage_records BEGIN
    INSERT INTO usage_hourly VALUES (substr(NEW.ts, 1, 13), NEW.provider, NEW.model, ${PROMPT_KEY('NEW')}, 1,
      ${SUMMED.map(([, expr]) => value(expr, 'NEW')).join(', ')})
    ON CONFLICT DO UPDATE SET requests = requests + 1,
      ${SUMMED.map(([column]) => `${column} = ${column} + excluded.${column}`).join(', ')};
  END;
  CREATE TRIGGER usage_hourly_delete AFTER DELETE ON usage_records BEGIN
    UPDATE usage_hourly SET requests = requests - 1,
      ${SUMMED.map(([column, expr]) => `${column} = ${column} - (${value(expr, 'OLD')})`).join(', ')}
    WHERE hour = substr(OLD.ts, 1, 13) AND provider = OLD.provider AND model = OLD.model
      AND prompt = ${PROMPT_KEY('OLD')};
  END;
  INSERT INTO usage_hourly
    SELECT substr(r.ts, 1, 13), r.provider, r.model, ${PROMPT_KEY('r')}, COUNT(*),
      ${SUMMED.map(([, expr]) => `TOTAL(${value(expr, 'r')})`).join(', ')}
    FROM usage_records r GROUP BY 1, 2, 3, 4;
`;

/** The summary's aggregates over usage_hourly rows (aliased as h), named as over usage_records. */
export const HOURLY_AGGREGATES = `
  ${['TOTAL(h.requests) AS requests', ...SUMMED.map(([column, , name]) => `TOTAL(h.${column}) AS ${name}`)].join(',\n  ')}`;

export interface RangeSplit {
  /** Whole hours read from usage_hourly: hour >= hourFrom AND hour < hourTo (hour keys). */
  hourFrom: string;
  hourTo: string;
  /** The rest read from usage_records: [since, head) and [tail, until). */
  since: string;
  head: string;
  tail: string;
  until: string;
}

const FULL_ISO = /^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}\.\d{3}Z$/;
const HOUR_MS = 3_600_000;
const hourStart = (ts: string) => `${ts.slice(0, 13)}:00:00.000Z`;

/**
 * Splits [since, until) into whole hours and the partial hours at its ends. Open ends are the
 * sentinels `0000` and `9999` (they sort before and after every timestamp and hour key).
 * Pure.
 */
export function splitRange(since: string, until: string, open: { min: string; max: string }): RangeSplit {
  const raw = { hourFrom: '', hourTo: '', since, head: until, tail: until, until };
  const first =
    since === open.min
      ? open.min
      : FULL_ISO.test(since)
        ? since === hourStart(since)
          ? since
          : new Date(Date.parse(hourStart(since)) + HOUR_MS).toISOString()
        : null;
  const last = until === open.max ? open.max : FULL_ISO.test(until) ? hourStart(until) : null;
  if (first === null || last === null || first >= last) return raw;
  return { hourFrom: first.slice(0, 13), hourTo: last.slice(0, 13), since, head: first, tail: last, until };
}
