/**
 * Read side of usage.db: the summary behind `GET /v1/usage/summary` (and `llmdev usage`), and
 * newest-first record pages with a stable cursor (ts, seq) for `GET /v1/usage/records`.
 */
import type { Database, Statement } from 'better-sqlite3';
import type { UsageRecord } from '../../usage/record.js';
import { HOURLY_AGGREGATES, splitRange } from './hourly-rollup.js';
import { fromRow, type RecordRow } from './rows.js';

export const GROUP_BYS = ['model', 'provider', 'day', 'tag', 'prompt'] as const;
export type GroupBy = (typeof GROUP_BYS)[number];

export interface TimeRange {
  /** Inclusive ISO-8601 UTC. */
  since?: string | undefined;
  /** Exclusive ISO-8601 UTC. */
  until?: string | undefined;
}

export interface UsageTotals {
  requests: number;
  inputTokens: number;
  outputTokens: number;
  cachedInputTokens: number;
  cacheWriteTokens: number;
  reasoningTokens: number;
  /** Sum over priced records; see `unpricedRequests` for what it leaves out. */
  costUsd: number;
  savedUsd: number;
  unpricedRequests: number;
  estimatedRequests: number;
  errorRequests: number;
}

export interface UsageGroup extends UsageTotals {
  /** The model, provider, UTC day, `key=value` tag (or the tag's value with tagKey), or `name@version`; null: records without a prompt. */
  key: string | null;
}

export interface SummaryQuery extends TimeRange {
  groupBy?: GroupBy | undefined;
  /** With groupBy tag: group by this tag's value (records without it are left out). */
  tagKey?: string | undefined;
}

export interface Summary {
  totals: UsageTotals;
  groups: UsageGroup[];
}

export interface RecordsQuery {
  limit: number;
  since?: string | undefined;
  cursor?: RecordCursor | undefined;
}

export interface RecordCursor {
  ts: string;
  seq: number;
}

export interface RecordsPage {
  records: UsageRecord[];
  /** Pass back as `cursor` for the next (older) page; null on the last page. */
  next: RecordCursor | null;
}

const MIN_TS = '0000';
const MAX_TS = '9999';

const AGGREGATES = `
  COUNT(*) AS requests,
  TOTAL(r.input_tokens) AS inputTokens,
  TOTAL(r.output_tokens) AS outputTokens,
  TOTAL(r.cached_input_tokens) AS cachedInputTokens,
  TOTAL(r.cache_write_tokens) AS cacheWriteTokens,
  TOTAL(r.reasoning_tokens) AS reasoningTokens,
  TOTAL(r.cost_usd) AS costUsd,
  TOTAL(r.saved_usd) AS savedUsd,
  TOTAL(r.cost_usd IS NULL) AS unpricedRequests,
  TOTAL(r.estimated) AS estimatedRequests,
  TOTAL(r.status >= 400) AS errorRequests`;

const RANGE = 'r.ts >= @since AND r.ts < @until';
const SUMS = AGGREGATES.replaceAll(
  /TOTAL\(.*?\) AS (\w+)|COUNT\(\*\) AS (\w+)/g,
  (_, a, b) => `TOTAL(${a ?? b}) AS ${a ?? b}`,
);

/**
 * Whole hours from usage_hourly, the partial hours at each end from usage_records, summed. Each end
 * is its own plain range (an OR of the two let the planner scan the table when grouping).
 */
function fromRollup(hourKey: string | null, recordKey: string | null): string {
  const key = (expr: string | null) => (expr === null ? '' : `${expr} AS key,`);
  const group = hourKey === null ? '' : 'GROUP BY 1';
  return `SELECT ${hourKey === null ? '' : 'key,'} ${SUMS} FROM (
    SELECT ${key(hourKey)} ${HOURLY_AGGREGATES} FROM usage_hourly h
    WHERE h.hour >= @hourFrom AND h.hour < @hourTo ${group}
    UNION ALL
    SELECT ${key(recordKey)} ${AGGREGATES} FROM usage_records r WHERE r.ts >= @since AND r.ts < @head ${group}
    UNION ALL
    SELECT ${key(recordKey)} ${AGGREGATES} FROM usage_records r WHERE r.ts >= @tail AND r.ts < @until ${group}
  ) ${hourKey === null ? '' : 'GROUP BY 1 HAVING TOTAL(requests) > 0'}`;
}

const TOTALS_SQL = fromRollup(null, null);

const GROUP_SQL: Record<GroupBy | 'tagKey', string> = {
  model: fromRollup('h.model', 'r.model'),
  provider: fromRollup('h.provider', 'r.provider'),
  day: fromRollup('substr(h.hour, 1, 10)', 'substr(r.ts, 1, 10)'),
  prompt: fromRollup("NULLIF(h.prompt, '')", "r.prompt_name || '@' || r.prompt_version"),
  // Tags are not rolled up (any key, any value): these scan the range.
  tag: `SELECT t.key || '=' || t.value AS key, ${AGGREGATES}
        FROM usage_records r, json_each(r.tags) t WHERE ${RANGE} GROUP BY 1`,
  tagKey: `SELECT t.value AS key, ${AGGREGATES}
           FROM usage_records r, json_each(r.tags) t WHERE ${RANGE} AND t.key = @tagKey GROUP BY 1`,
};

/** One record with what was kept for replay. */
export interface StoredCall {
  record: UsageRecord;
  /** The request body as the client sent it (JSON), or null when it was not stored. */
  requestBody: unknown;
  /** The answer's text, or null when it was not stored. */
  responseText: string | null;
}

export interface UsageQueries {
  summary(query: SummaryQuery): Summary;
  records(query: RecordsQuery): RecordsPage;
  /** A record by id with its stored request and answer; null when there is no such record. */
  storedCall(id: string): StoredCall | null;
}

export function createUsageQueries(db: Database): UsageQueries {
  const totals = db.prepare(TOTALS_SQL);
  const groups = new Map<string, Statement>(
    Object.entries(GROUP_SQL).map(([name, sql]) => [name, db.prepare(`${sql} ORDER BY costUsd DESC, 1`)]),
  );
  const page = db.prepare(
    `SELECT * FROM usage_records
     WHERE ts >= @since AND (ts < @ts OR (ts = @ts AND seq < @seq))
     ORDER BY ts DESC, seq DESC LIMIT @limit`,
  );
  const byId = db.prepare(
    `SELECT r.*, b.body AS request_body, t.text AS response_text FROM usage_records r
     LEFT JOIN request_bodies b ON b.record_id = r.id
     LEFT JOIN response_texts t ON t.record_id = r.id
     WHERE r.id = ?`,
  );

  return {
    summary({ since, until, groupBy, tagKey }) {
      const range = splitRange(since ?? MIN_TS, until ?? MAX_TS, { min: MIN_TS, max: MAX_TS });
      const result: Summary = { totals: totals.get(range) as UsageTotals, groups: [] };
      if (groupBy) {
        const name = groupBy === 'tag' && tagKey !== undefined ? 'tagKey' : groupBy;
        const params = name === 'tagKey' ? { ...range, tagKey } : range;
        result.groups = (groups.get(name) as Statement).all(params) as UsageGroup[];
      }
      return result;
    },
    records({ limit, since, cursor }) {
      const rows = page.all({
        since: since ?? MIN_TS,
        ts: cursor?.ts ?? MAX_TS,
        seq: cursor?.seq ?? 0,
        limit: limit + 1,
      }) as Required<RecordRow>[];
      const more = rows.length > limit;
      const shown = more ? rows.slice(0, limit) : rows;
      const last = shown.at(-1);
      return {
        records: shown.map(fromRow),
        next: more && last ? { ts: last.ts, seq: last.seq } : null,
      };
    },
    storedCall(id) {
      const row = byId.get(id) as
        | (Required<RecordRow> & { request_body: string | null; response_text: string | null })
        | undefined;
      if (!row) return null;
      const { request_body, response_text, ...record } = row;
      return { record: fromRow(record), requestBody: parseBody(request_body), responseText: response_text };
    },
  };
}

/** Stored bodies are the JSON the client sent; anything else is returned as its text. */
function parseBody(body: string | null): unknown {
  if (body === null) return null;
  try {
    return JSON.parse(body);
  } catch {
    return body;
  }
}
