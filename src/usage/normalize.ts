/**
 * Provider usage objects → TokenUsage (see record.ts for the convention). Shared by the JSON body
 * extractor and the SSE observer so both paths count identically. Never throws: anything that is
 * not a finite non-negative number counts as absent, and breakdowns are clamped to their totals so a
 * provider reporting `cached > input` cannot make a later cost negative.
 */
import type { TokenUsage } from './record.js';

export type Json = Record<string, unknown>;

export function asObject(value: unknown): Json | null {
  return typeof value === 'object' && value !== null && !Array.isArray(value) ? (value as Json) : null;
}

export function asString(value: unknown): string | null {
  return typeof value === 'string' ? value : null;
}

/** A token count, or null when `value` is not a usable count. */
export function tokenCount(value: unknown): number | null {
  if (typeof value !== 'number' || !(value >= 0 && value <= Number.MAX_SAFE_INTEGER)) return null;
  return Math.round(value);
}

interface Breakdowns {
  cached: number | null;
  cacheWrite: number | null;
  /** The 1-hour part of `cacheWrite` (Anthropic). */
  cacheWrite1h?: number | null;
  reasoning: number | null;
}

function breakdowns(input: number, output: number, parts: Breakdowns): TokenUsage {
  const cachedInputTokens = Math.min(parts.cached ?? 0, input);
  const cacheWriteTokens = Math.min(parts.cacheWrite ?? 0, input - cachedInputTokens);
  return {
    inputTokens: input,
    outputTokens: output,
    cachedInputTokens,
    cacheWriteTokens,
    cacheWrite1hTokens: Math.min(parts.cacheWrite1h ?? 0, cacheWriteTokens),
    reasoningTokens: Math.min(parts.reasoning ?? 0, output),
  };
}

/** Chat completions, legacy completions and embeddings (`prompt_tokens`/`completion_tokens`). */
export function openaiChatUsage(raw: unknown): TokenUsage | null {
  return openaiUsage(raw, 'prompt_tokens', 'completion_tokens');
}

/** The Responses API: the same shape with `input_tokens`/`output_tokens`. */
export function openaiResponsesUsage(raw: unknown): TokenUsage | null {
  return openaiUsage(raw, 'input_tokens', 'output_tokens');
}

/** OpenAI reports totals with `<total>_details` breakdowns (cached and cache-write input, reasoning). */
function openaiUsage(raw: unknown, inputField: string, outputField: string): TokenUsage | null {
  const usage = asObject(raw);
  if (!usage) return null;
  const input = tokenCount(usage[inputField]);
  const output = tokenCount(usage[outputField]);
  if (input === null && output === null) return null;
  const inputDetails = asObject(usage[`${inputField}_details`]);
  const outputDetails = asObject(usage[`${outputField}_details`]);
  return breakdowns(input ?? 0, output ?? 0, {
    cached: tokenCount(inputDetails?.cached_tokens),
    cacheWrite: tokenCount(inputDetails?.cache_write_tokens),
    reasoning: tokenCount(outputDetails?.reasoning_tokens),
  });
}

/**
 * Anthropic's raw fields. Its `input_tokens` EXCLUDES cache reads and writes, so they are kept apart
 * here and only summed in `anthropicUsage`. `cache_creation_input_tokens` is the total of the cache
 * writes; `cache_creation.ephemeral_1h_input_tokens` is the part written with the 1-hour TTL.
 */
export interface AnthropicRawUsage {
  input: number | null;
  cacheRead: number | null;
  cacheCreation: number | null;
  cacheCreation1h: number | null;
  output: number | null;
  thinking: number | null;
}

export const EMPTY_ANTHROPIC_USAGE: AnthropicRawUsage = {
  input: null,
  cacheRead: null,
  cacheCreation: null,
  cacheCreation1h: null,
  output: null,
  thinking: null,
};

/**
 * Overlays the non-null fields of a usage object on `previous`. Streaming sends usage in
 * `message_start` and again, cumulatively, in `message_delta`: the latest value wins, never a sum.
 */
export function mergeAnthropicUsage(previous: AnthropicRawUsage, raw: unknown): AnthropicRawUsage {
  const usage = asObject(raw);
  if (!usage) return previous;
  const details = asObject(usage.output_tokens_details);
  const byTtl = asObject(usage.cache_creation);
  const write5m = tokenCount(byTtl?.ephemeral_5m_input_tokens);
  const write1h = tokenCount(byTtl?.ephemeral_1h_input_tokens);
  // The total, or the sum of its parts when only the breakdown came.
  const cacheCreation =
    tokenCount(usage.cache_creation_input_tokens) ??
    (write5m === null && write1h === null ? null : (write5m ?? 0) + (write1h ?? 0));
  return {
    input: tokenCount(usage.input_tokens) ?? previous.input,
    cacheRead: tokenCount(usage.cache_read_input_tokens) ?? previous.cacheRead,
    cacheCreation: cacheCreation ?? previous.cacheCreation,
    cacheCreation1h: write1h ?? previous.cacheCreation1h,
    output: tokenCount(usage.output_tokens) ?? previous.output,
    thinking: tokenCount(details?.thinking_tokens) ?? previous.thinking,
  };
}

export function anthropicUsage(raw: AnthropicRawUsage): TokenUsage | null {
  if (raw.input === null && raw.output === null) return null;
  const cacheRead = raw.cacheRead ?? 0;
  const cacheCreation = raw.cacheCreation ?? 0;
  return breakdowns(
    Math.min((raw.input ?? 0) + cacheRead + cacheCreation, Number.MAX_SAFE_INTEGER),
    raw.output ?? 0,
    {
      cached: cacheRead,
      cacheWrite: cacheCreation,
      cacheWrite1h: raw.cacheCreation1h,
      reasoning: raw.thinking,
    },
  );
}
