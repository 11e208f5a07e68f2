/**
 * Pre-flight estimates with the sidecar's own counting (src/usage, js-tiktoken) and price table
 * (src/pricing, the bundled @pydantic/genai-prices data): what a call will cost before it is made.
 * OpenAI counts are exact for plain chat messages; Claude has no public tokenizer, so its counts
 * are approximations.
 */

import { UsageError } from '../errors/index.js';
import { createPricer, type Pricer } from '../pricing/index.js';
import { estimateInputTokens, estimateMessagesTokens } from '../usage/estimate.js';
import type { Provider } from '../usage/record.js';

export interface TokenEstimateOptions {
  /** Anthropic's top-level system prompt (OpenAI puts it in `messages`). */
  system?: unknown;
  /** Default: from the model name (`claude-*` is Anthropic). */
  provider?: Provider;
}

export interface CostEstimateInput {
  model: string;
  /** Default: from the model name. */
  provider?: Provider;
  /** The messages to send (counted), or… */
  messages?: unknown;
  system?: unknown;
  /** …a token count you already have. */
  inputTokens?: number;
  /** The call's max_tokens: the most output it can bill. */
  maxOutputTokens: number;
}

export interface CostEstimate {
  provider: Provider;
  model: string;
  inputTokens: number;
  maxOutputTokens: number;
  /** USD for the input alone; null when the model has no price. */
  inputCostUsd: number | null;
  /** USD when the answer uses all of maxOutputTokens (no cache discount): the most the call costs. */
  maxCostUsd: number | null;
  /** e.g. `genai-prices@0.1.8`; null when unpriced. */
  pricingSource: string | null;
  /** The price entry used, e.g. `gpt-4o` for `gpt-4o-2024-08-06`. */
  resolvedModel: string | null;
}

let defaultPricer: Pricer | undefined;

function sharedPricer(): Pricer {
  defaultPricer ??= createPricer();
  return defaultPricer;
}

export function providerOfModel(model: string): Provider {
  return /^(anthropic[./:])?claude/i.test(model) ? 'anthropic' : 'openai';
}

/** Input tokens of chat messages (OpenAI or Anthropic format), including per-message overhead. */
export function estimateTokens(messages: unknown, model: string, options: TokenEstimateOptions = {}): number {
  const provider = options.provider ?? providerOfModel(model);
  if (provider === 'anthropic') {
    return estimateInputTokens(
      'anthropic.messages',
      { model, messages, system: options.system },
      { exact: true },
    );
  }
  return estimateMessagesTokens(messages, model);
}

export function estimateCost(input: CostEstimateInput, pricer: Pricer = sharedPricer()): CostEstimate {
  const provider = input.provider ?? providerOfModel(input.model);
  if (input.inputTokens === undefined && input.messages === undefined) {
    throw new UsageError('estimateCost needs messages or inputTokens', {
      hint: 'Pass { model, messages, maxOutputTokens } or { model, inputTokens, maxOutputTokens }.',
    });
  }
  const inputTokens =
    input.inputTokens ?? estimateTokens(input.messages, input.model, { provider, system: input.system });
  const maxOutputTokens = Math.max(0, Math.floor(input.maxOutputTokens));
  const usage = (outputTokens: number) => ({
    inputTokens,
    outputTokens,
    cachedInputTokens: 0,
    cacheWriteTokens: 0,
    cacheWrite1hTokens: 0,
    reasoningTokens: 0,
  });
  const inputOnly = pricer.price(provider, input.model, usage(0));
  const full = pricer.price(provider, input.model, usage(maxOutputTokens));
  return {
    provider,
    model: input.model,
    inputTokens,
    maxOutputTokens,
    inputCostUsd: inputOnly.costUsd,
    maxCostUsd: full.costUsd,
    pricingSource: full.pricingSource,
    resolvedModel: full.resolvedModel,
  };
}
