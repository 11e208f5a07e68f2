/**
 * Cost of one call from per-million-token rates: the pure arithmetic, shared by the bundled
 * catalog and config overrides. Follows @pydantic/genai-prices' rules (the tests check this
 * against its `calcPrice` for every bundled model):
 * - input is the TOTAL; cache reads and writes are parts of it, each at its own rate when the model
 *   has one, else at the input rate. Reasoning tokens are part of output and are not added again.
 * - 1-hour cache writes are part of the cache writes: at the 1-hour rate when the model has one,
 *   else at the cache-write rate like the other writes.
 * - a tiered rate applies one price to all tokens of that kind, chosen by the TOTAL input tokens
 *   (long-context pricing): the last tier whose `start` is below the input count.
 */
import type { TokenUsage } from '../usage/record.js';

export interface Rate {
  base: number;
  /** Sorted by `start`, ascending. */
  tiers: readonly { start: number; price: number }[];
}

/** USD per million tokens; an absent cache rate means those tokens cost the input rate. */
export interface Rates {
  input?: Rate | undefined;
  cacheRead?: Rate | undefined;
  cacheWrite?: Rate | undefined;
  cacheWrite1h?: Rate | undefined;
  output?: Rate | undefined;
}

export function flatRate(price: number): Rate {
  return { base: price, tiers: [] };
}

/** Token counts made safe for cost math: non-negative safe integers, parts never above their total. */
export interface BilledTokens {
  input: number;
  cacheRead: number;
  cacheWrite: number;
  /** The 1-hour part of `cacheWrite`. */
  cacheWrite1h: number;
  output: number;
}

function safeCount(value: number): number {
  return value > 0 ? Math.floor(Math.min(value, Number.MAX_SAFE_INTEGER)) : 0; // NaN > 0 is false
}

/** Clamps a usage so a provider reporting `cached > input` can never yield a negative cost. */
export function billedTokens(usage: TokenUsage): BilledTokens {
  const input = safeCount(usage.inputTokens);
  const cacheRead = Math.min(safeCount(usage.cachedInputTokens), input);
  const cacheWrite = Math.min(safeCount(usage.cacheWriteTokens), input - cacheRead);
  const cacheWrite1h = Math.min(safeCount(usage.cacheWrite1hTokens), cacheWrite);
  return { input, cacheRead, cacheWrite, cacheWrite1h, output: safeCount(usage.outputTokens) };
}

function rateFor(rate: Rate, inputTokens: number): number {
  let price = rate.base;
  for (const tier of rate.tiers) {
    if (inputTokens > tier.start) price = tier.price;
  }
  return price;
}

function partCost(rate: Rate | undefined, tokens: number, inputTokens: number): number {
  if (rate === undefined || tokens === 0) return 0;
  return (rateFor(rate, inputTokens) * tokens) / 1_000_000;
}

export function costOf(rates: Rates, tokens: BilledTokens): number {
  const cacheRead = rates.cacheRead ? tokens.cacheRead : 0;
  const cacheWrite1h = rates.cacheWrite1h ? tokens.cacheWrite1h : 0;
  const cacheWrite5m = rates.cacheWrite ? tokens.cacheWrite - cacheWrite1h : 0;
  const uncached = tokens.input - cacheRead - cacheWrite5m - cacheWrite1h;
  return (
    partCost(rates.input, uncached, tokens.input) +
    partCost(rates.cacheRead, cacheRead, tokens.input) +
    partCost(rates.cacheWrite, cacheWrite5m, tokens.input) +
    partCost(rates.cacheWrite1h, cacheWrite1h, tokens.input) +
    partCost(rates.output, tokens.output, tokens.input)
  );
}
