/** The usage record of a proxied call, from what was asked and what happened. Pure. */
import type { PriceQuote } from '../../pricing/index.js';
import type { TokenUsage, UsageRecord } from '../../usage/record.js';
import type { GuardedCall } from './guards.js';

/** What the exchange with the provider (or the mock) produced. */
export interface ExchangeOutcome {
  /** HTTP status of the call: the provider's, or 499 (client went away), 502/504 (upstream failed). */
  status: number;
  usage: TokenUsage;
  estimated: boolean;
  /** The model the provider said it used (may be a dated snapshot of the requested one). */
  responseModel: string | null;
  systemFingerprint: string | null;
  upstreamRequestId: string | null;
  error: string | null;
  /** The answer's visible text (first choice), kept for replay when bodies are stored. */
  outputText: string;
  latencyMs: number;
  ttfbMs: number | null;
}

export function callRecord(
  call: GuardedCall,
  endpoint: string,
  outcome: ExchangeOutcome,
  quote: PriceQuote,
): UsageRecord {
  return {
    id: call.id,
    ts: call.ts.toISOString(),
    provider: call.provider,
    model: call.request.model,
    endpoint,
    stream: call.request.stream,
    source: call.mode === 'mock' ? 'mock' : 'proxy',
    usage: outcome.usage,
    costUsd: quote.costUsd,
    savedUsd: null,
    pricingSource: quote.pricingSource,
    latencyMs: round(outcome.latencyMs),
    ttfbMs: outcome.ttfbMs === null ? null : round(outcome.ttfbMs),
    status: outcome.status,
    error: outcome.error,
    estimated: outcome.estimated,
    tags: call.request.tags,
    promptName: call.request.promptName,
    promptVersion: call.request.promptVersion,
    params: call.request.params,
    systemFingerprint: outcome.systemFingerprint,
    upstreamRequestId: outcome.upstreamRequestId,
    responseModel: outcome.responseModel,
  };
}

const round = (ms: number) => Math.round(ms * 1000) / 1000;

/** `text` cut to at most `maxBytes` of UTF-8, on a character boundary. */
export function capText(text: string, maxBytes: number): string {
  if (Buffer.byteLength(text) <= maxBytes) return text;
  return Buffer.from(text)
    .subarray(0, maxBytes)
    .toString('utf8')
    .replace(/\uFFFD+$/, '');
}
