/**
 * A stored usage record for tests that write usage.db directly: every field at a neutral value
 * (zero breakdowns, no tags, no price), so a test names only what it is about.
 */
import type { TokenUsage, UsageRecord } from '../../src/usage/record.js';

export function usageRecord(
  fields: Pick<UsageRecord, 'id' | 'ts'> &
    Partial<Omit<UsageRecord, 'usage'>> & { usage?: Partial<TokenUsage> },
): UsageRecord {
  const { usage, ...rest } = fields;
  return {
    provider: 'openai',
    model: 'gpt-4o-mini',
    endpoint: '/v1/chat/completions',
    stream: false,
    source: 'proxy',
    costUsd: null,
    savedUsd: null,
    pricingSource: null,
    latencyMs: 1,
    ttfbMs: null,
    status: 200,
    error: null,
    estimated: false,
    tags: {},
    promptName: null,
    promptVersion: null,
    params: {},
    systemFingerprint: null,
    upstreamRequestId: null,
    responseModel: null,
    ...rest,
    usage: {
      inputTokens: 1,
      outputTokens: 1,
      cachedInputTokens: 0,
      cacheWriteTokens: 0,
      cacheWrite1hTokens: 0,
      reasoningTokens: 0,
      ...usage,
    },
  };
}
