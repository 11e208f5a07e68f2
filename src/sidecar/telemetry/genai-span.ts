/**
 * One usage record as an OpenTelemetry span, following the GenAI semantic conventions
 * (https://opentelemetry.io/docs/specs/semconv/gen-ai/gen-ai-spans/): name `{operation} {model}`,
 * kind CLIENT, the call's real start and end, `gen_ai.*` attributes for the request and usage, and
 * `llmdev.*` ones for what the conventions do not cover (cost, cache, prompt version, tags).
 * The conventions are still experimental, so their names are spelled out here rather than taken
 * from the incubating entry point of @opentelemetry/semantic-conventions. Pure.
 */
import type { UsageRecord } from '../../usage/record.js';

export type AttributeValue = string | number | boolean | string[];

export interface GenAiSpan {
  name: string;
  /** [seconds, nanoseconds] since the epoch (OpenTelemetry's HrTime). */
  start: [number, number];
  end: [number, number];
  attributes: Record<string, AttributeValue>;
  /** Set for failed calls (HTTP status 400 or more). */
  error: string | null;
}

/** Request parameters with a GenAI attribute of their own. */
const PARAM_ATTRIBUTES: readonly [string, string][] = [
  ['temperature', 'gen_ai.request.temperature'],
  ['top_p', 'gen_ai.request.top_p'],
  ['top_k', 'gen_ai.request.top_k'],
  ['seed', 'gen_ai.request.seed'],
  ['frequency_penalty', 'gen_ai.request.frequency_penalty'],
  ['presence_penalty', 'gen_ai.request.presence_penalty'],
  ['n', 'gen_ai.request.choice.count'],
  ['max_tokens', 'gen_ai.request.max_tokens'],
  ['max_completion_tokens', 'gen_ai.request.max_tokens'],
  ['max_output_tokens', 'gen_ai.request.max_tokens'],
];

export function operationName(endpoint: string): string {
  if (endpoint.endsWith('/embeddings')) return 'embeddings';
  if (endpoint === '/v1/completions') return 'text_completion';
  return 'chat';
}

export function genAiSpan(record: UsageRecord): GenAiSpan {
  const operation = operationName(record.endpoint);
  const { usage } = record;
  const attributes: Record<string, AttributeValue> = {
    'gen_ai.operation.name': operation,
    'gen_ai.provider.name': record.provider,
    // Deprecated in favour of gen_ai.provider.name, still what many backends group by.
    'gen_ai.system': record.provider,
    'gen_ai.request.model': record.model,
    'gen_ai.request.stream': record.stream,
    'gen_ai.usage.input_tokens': usage.inputTokens,
    'gen_ai.usage.output_tokens': usage.outputTokens,
    'gen_ai.usage.cache_read.input_tokens': usage.cachedInputTokens,
    'gen_ai.usage.cache_creation.input_tokens': usage.cacheWriteTokens,
    'gen_ai.usage.reasoning.output_tokens': usage.reasoningTokens,
    'http.response.status_code': record.status,
    'llmdev.record_id': record.id,
    'llmdev.source': record.source,
    'llmdev.endpoint': record.endpoint,
    'llmdev.cache.hit': record.source === 'cache',
    'llmdev.usage.estimated': record.estimated,
    'llmdev.cost.unpriced': record.costUsd === null,
  };
  if (record.responseModel) attributes['gen_ai.response.model'] = record.responseModel;
  for (const [param, name] of PARAM_ATTRIBUTES) {
    const value = record.params[param];
    if (typeof value === 'number' && !(name in attributes)) attributes[name] = value;
  }
  const stop = record.params.stop ?? record.params.stop_sequences;
  if (typeof stop === 'string') attributes['gen_ai.request.stop_sequences'] = [stop];
  else if (Array.isArray(stop) && stop.every((s) => typeof s === 'string')) {
    attributes['gen_ai.request.stop_sequences'] = stop;
  }
  if (record.stream && record.ttfbMs !== null) {
    attributes['gen_ai.response.time_to_first_chunk'] = record.ttfbMs / 1000;
  }
  if (record.systemFingerprint !== null) {
    attributes['openai.response.system_fingerprint'] = record.systemFingerprint;
  }
  if (record.upstreamRequestId !== null) attributes['llmdev.upstream_request_id'] = record.upstreamRequestId;
  if (record.costUsd !== null) attributes['llmdev.cost.usd'] = record.costUsd;
  if (record.pricingSource !== null) attributes['llmdev.cost.pricing_source'] = record.pricingSource;
  if (record.savedUsd !== null) attributes['llmdev.cache.saved_usd'] = record.savedUsd;
  if (record.latencyMs !== null) attributes['llmdev.latency_ms'] = record.latencyMs;
  if (record.promptName !== null) {
    attributes['gen_ai.prompt.name'] = record.promptName;
    attributes['llmdev.prompt.name'] = record.promptName;
  }
  if (record.promptVersion !== null) attributes['llmdev.prompt.version'] = record.promptVersion;
  for (const [key, value] of Object.entries(record.tags)) attributes[`llmdev.tag.${key}`] = value;

  const failed = record.status >= 400;
  if (failed) attributes['error.type'] = String(record.status);
  const startMs = Date.parse(record.ts);
  return {
    name: record.model === '' ? operation : `${operation} ${record.model}`,
    start: hrTime(startMs),
    end: hrTime(startMs + (record.latencyMs ?? 0)),
    attributes,
    error: failed ? (record.error ?? `HTTP ${record.status}`) : null,
  };
}

/** Epoch milliseconds (with a fraction) as [seconds, nanoseconds], keeping sub-millisecond latency. */
export function hrTime(epochMs: number): [number, number] {
  const seconds = Math.floor(epochMs / 1000);
  const nanos = Math.round((epochMs - seconds * 1000) * 1e6);
  return nanos >= 1e9 ? [seconds + 1, nanos - 1e9] : [seconds, nanos];
}
