/** UsageRecord <-> team_usage_records row (PostgreSQL). Pure. */
import { RECORD_COLUMNS, type RecordRow } from '../sidecar/store/rows.js';
import type { Provider, RecordSource, RequestParams, UsageRecord } from '../usage/record.js';

/** The local row's columns, with Postgres's own types where SQLite has none (booleans, jsonb), and the member. */
export type TeamRow = Omit<RecordRow, 'seq' | 'stream' | 'estimated' | 'tags' | 'params'> & {
  member: string;
  stream: boolean;
  estimated: boolean;
  tags: Record<string, string>;
  params: RequestParams;
};

/** Column names in insert order: the local record's columns, and who made the call. */
export const TEAM_COLUMNS = ['member', ...RECORD_COLUMNS] as const satisfies readonly (keyof TeamRow)[];

/** PostgreSQL text cannot hold NUL; a record must never be refused for one. */
export const withoutNul = (text: string) => (text.includes('\0') ? text.replaceAll('\0', '') : text);
const nullable = (text: string | null) => (text === null ? null : withoutNul(text));

export function toTeamRow(record: UsageRecord, member: string): TeamRow {
  const { usage } = record;
  return {
    id: record.id,
    member,
    ts: record.ts,
    provider: record.provider,
    model: withoutNul(record.model),
    response_model: nullable(record.responseModel),
    endpoint: withoutNul(record.endpoint),
    stream: record.stream,
    source: record.source,
    input_tokens: usage.inputTokens,
    output_tokens: usage.outputTokens,
    cached_input_tokens: usage.cachedInputTokens,
    cache_write_tokens: usage.cacheWriteTokens,
    cache_write_1h_tokens: usage.cacheWrite1hTokens,
    reasoning_tokens: usage.reasoningTokens,
    cost_usd: record.costUsd,
    saved_usd: record.savedUsd,
    pricing_source: record.pricingSource,
    latency_ms: record.latencyMs,
    ttfb_ms: record.ttfbMs,
    status: record.status,
    error: nullable(record.error),
    estimated: record.estimated,
    tags: record.tags,
    prompt_name: nullable(record.promptName),
    prompt_version: nullable(record.promptVersion),
    params: record.params,
    system_fingerprint: nullable(record.systemFingerprint),
    upstream_request_id: nullable(record.upstreamRequestId),
  };
}

/** A row as pg returns it: bigint columns as strings, timestamptz as Date. */
export type TeamRowRead = Omit<TeamRow, 'ts'> & { ts: Date | string };

export function fromTeamRow(row: TeamRowRead): UsageRecord & { member: string } {
  return {
    id: row.id,
    member: row.member,
    ts: row.ts instanceof Date ? row.ts.toISOString() : row.ts,
    provider: row.provider as Provider,
    model: row.model,
    endpoint: row.endpoint,
    stream: row.stream,
    source: row.source as RecordSource,
    usage: {
      inputTokens: Number(row.input_tokens),
      outputTokens: Number(row.output_tokens),
      cachedInputTokens: Number(row.cached_input_tokens),
      cacheWriteTokens: Number(row.cache_write_tokens),
      cacheWrite1hTokens: Number(row.cache_write_1h_tokens),
      reasoningTokens: Number(row.reasoning_tokens),
    },
    costUsd: row.cost_usd,
    savedUsd: row.saved_usd,
    pricingSource: row.pricing_source,
    latencyMs: row.latency_ms,
    ttfbMs: row.ttfb_ms,
    status: row.status,
    error: row.error,
    estimated: row.estimated,
    tags: row.tags,
    promptName: row.prompt_name,
    promptVersion: row.prompt_version,
    params: row.params,
    systemFingerprint: row.system_fingerprint,
    upstreamRequestId: row.upstream_request_id,
    responseModel: row.response_model,
  };
}
