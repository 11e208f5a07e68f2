/** UsageRecord <-> usage_records row. Pure. */
import type { Provider, RecordSource, RequestParams, UsageRecord } from '../../usage/record.js';

export interface RecordRow {
  seq?: number;
  id: string;
  ts: string;
  provider: string;
  model: string;
  endpoint: string;
  stream: number;
  source: string;
  input_tokens: number;
  output_tokens: number;
  cached_input_tokens: number;
  cache_write_tokens: number;
  cache_write_1h_tokens: number;
  reasoning_tokens: number;
  cost_usd: number | null;
  saved_usd: number | null;
  pricing_source: string | null;
  latency_ms: number | null;
  ttfb_ms: number | null;
  status: number;
  error: string | null;
  estimated: number;
  tags: string;
  prompt_name: string | null;
  prompt_version: string | null;
  params: string;
  system_fingerprint: string | null;
  upstream_request_id: string | null;
  response_model: string | null;
}

/** Column names in insert order. */
export const RECORD_COLUMNS = [
  'id',
  'ts',
  'provider',
  'model',
  'endpoint',
  'stream',
  'source',
  'input_tokens',
  'output_tokens',
  'cached_input_tokens',
  'cache_write_tokens',
  'cache_write_1h_tokens',
  'reasoning_tokens',
  'cost_usd',
  'saved_usd',
  'pricing_source',
  'latency_ms',
  'ttfb_ms',
  'status',
  'error',
  'estimated',
  'tags',
  'prompt_name',
  'prompt_version',
  'params',
  'system_fingerprint',
  'upstream_request_id',
  'response_model',
] as const satisfies readonly (keyof RecordRow)[];

export function toRow(record: UsageRecord): Omit<RecordRow, 'seq'> {
  const { usage } = record;
  return {
    id: record.id,
    ts: record.ts,
    provider: record.provider,
    model: record.model,
    endpoint: record.endpoint,
    stream: record.stream ? 1 : 0,
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
    error: record.error,
    estimated: record.estimated ? 1 : 0,
    tags: JSON.stringify(record.tags),
    prompt_name: record.promptName,
    prompt_version: record.promptVersion,
    params: JSON.stringify(record.params),
    system_fingerprint: record.systemFingerprint,
    upstream_request_id: record.upstreamRequestId,
    response_model: record.responseModel,
  };
}

/** The row's values in RECORD_COLUMNS order (the id first), as the commit thread binds them. */
export function toValues(record: UsageRecord): unknown[] {
  const row = toRow(record);
  return RECORD_COLUMNS.map((column) => row[column]);
}

export function fromRow(row: RecordRow): UsageRecord {
  return {
    id: row.id,
    ts: row.ts,
    provider: row.provider as Provider,
    model: row.model,
    endpoint: row.endpoint,
    stream: row.stream === 1,
    source: row.source as RecordSource,
    usage: {
      inputTokens: row.input_tokens,
      outputTokens: row.output_tokens,
      cachedInputTokens: row.cached_input_tokens,
      cacheWriteTokens: row.cache_write_tokens,
      cacheWrite1hTokens: row.cache_write_1h_tokens,
      reasoningTokens: row.reasoning_tokens,
    },
    costUsd: row.cost_usd,
    savedUsd: row.saved_usd,
    pricingSource: row.pricing_source,
    latencyMs: row.latency_ms,
    ttfbMs: row.ttfb_ms,
    status: row.status,
    error: row.error,
    estimated: row.estimated === 1,
    tags: JSON.parse(row.tags) as Record<string, string>,
    promptName: row.prompt_name,
    promptVersion: row.prompt_version,
    params: JSON.parse(row.params) as RequestParams,
    systemFingerprint: row.system_fingerprint,
    upstreamRequestId: row.upstream_request_id,
    responseModel: row.response_model,
  };
}
