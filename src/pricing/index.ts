/**
 * Prices LLM calls: `pricing.overrides` from the config first, then the bundled
 * @pydantic/genai-prices data. An unknown model is UNPRICED (cost null), never a silent $0, and a
 * cost is never negative. Model resolution is memoized, so a call costs a map lookup and a few
 * multiplications.
 */
import type { PriceOverride } from '../config/schema.js';
import type { Provider, TokenUsage } from '../usage/record.js';
import { type CatalogModel, catalogCost, findCatalogModel, GENAI_PRICES_SOURCE } from './catalog.js';
import { billedTokens, costOf, flatRate, type Rates } from './cost.js';

/** Which price data this build uses, e.g. `genai-prices@0.1.8`. */
export const PRICING_DATA_VERSION = GENAI_PRICES_SOURCE;
export const OVERRIDE_SOURCE = 'override';

export interface PriceQuote {
  /** USD; null when the model is unpriced. */
  costUsd: number | null;
  /** `genai-prices@<version>` or `override`; null when unpriced. */
  pricingSource: string | null;
  /** The price entry used: the catalog's model id (`gpt-4o` for `gpt-4o-2024-08-06`) or the override key. */
  resolvedModel: string | null;
}

export interface Pricer {
  price(provider: Provider, model: string, usage: TokenUsage, at?: Date): PriceQuote;
  /**
   * Upper bound of a call's cost for budget reservations: every input token at the dearest input
   * rate the model has (plain, cache read, 5-minute or 1-hour cache write, which cost MORE than
   * plain input) at the tier `inputTokens` reaches, plus `maxOutputTokens` of output. Null when
   * unpriced. `hourCacheWrites: false` (the request asks for no 1-hour cache) leaves out the dearest.
   */
  maxCostUsd(
    provider: Provider,
    model: string,
    inputTokens: number,
    maxOutputTokens: number,
    at?: Date,
    options?: { hourCacheWrites?: boolean },
  ): number | null;
  isPriced(provider: Provider, model: string): boolean;
}

const UNPRICED: PriceQuote = Object.freeze({ costUsd: null, pricingSource: null, resolvedModel: null });
/** Bounds the memo: model ids come from clients and could be anything. */
const MEMO_MAX = 4096;

type Resolution =
  | { source: 'override'; id: string; rates: Rates }
  | { source: 'catalog'; model: CatalogModel }
  | null;

export function createPricer(overrides: Readonly<Record<string, PriceOverride>> = {}): Pricer {
  const overridePrices = new Map<string, PriceOverride>();
  for (const [model, price] of Object.entries(overrides)) overridePrices.set(normalizeId(model), price);
  const memo = new Map<string, Resolution>();

  function resolve(provider: Provider, model: string): Resolution {
    const key = `${provider}\n${model}`;
    let resolution = memo.get(key);
    if (resolution !== undefined) return resolution;
    const catalog = findCatalogModel(provider, model);
    const id = normalizeId(model);
    resolution = catalog ? { source: 'catalog', model: catalog } : null;
    for (const candidate of [id, withoutDateSuffix(id), catalog?.id]) {
      const override = candidate === undefined ? undefined : overridePrices.get(candidate);
      if (candidate !== undefined && override) {
        resolution = { source: 'override', id: candidate, rates: ratesOf(provider, override) };
        break;
      }
    }
    if (memo.size >= MEMO_MAX) memo.clear();
    memo.set(key, resolution);
    return resolution;
  }

  function price(provider: Provider, model: string, usage: TokenUsage, at?: Date): PriceQuote {
    const resolution = resolve(provider, model);
    if (!resolution) return UNPRICED;
    const tokens = billedTokens(usage);
    if (resolution.source === 'override') {
      return quote(costOf(resolution.rates, tokens), OVERRIDE_SOURCE, resolution.id);
    }
    const cost = catalogCost(provider, model, resolution.model, tokens, at?.getTime() ?? Date.now());
    return quote(cost, GENAI_PRICES_SOURCE, resolution.model.id);
  }

  function maxCostUsd(
    provider: Provider,
    model: string,
    inputTokens: number,
    maxOutputTokens: number,
    at?: Date,
    { hourCacheWrites = true }: { hourCacheWrites?: boolean } = {},
  ): number | null {
    if (!resolve(provider, model)) return null;
    const input = Math.max(0, inputTokens);
    const outputTokens = Math.max(0, maxOutputTokens);
    let worst: number | null = null;
    // Cost is linear in each kind of input token, so the worst case is all of them of one kind.
    for (const [cachedInputTokens, cacheWriteTokens, cacheWrite1hTokens] of [
      [0, 0, 0],
      [input, 0, 0],
      [0, input, 0],
      ...(hourCacheWrites ? [[0, input, input] as const] : []),
    ] as const) {
      const usage = {
        inputTokens: input,
        outputTokens,
        cachedInputTokens,
        cacheWriteTokens,
        cacheWrite1hTokens,
        reasoningTokens: 0,
      };
      const cost = price(provider, model, usage, at).costUsd;
      if (cost !== null && (worst === null || cost > worst)) worst = cost;
    }
    return worst;
  }

  return { price, maxCostUsd, isPriced: (provider, model) => resolve(provider, model) !== null };
}

function normalizeId(model: string): string {
  return model.trim().toLowerCase();
}

/** `my-model-2025-01-31` / `my-model-20250131` → `my-model`, so an override covers its snapshots. */
function withoutDateSuffix(id: string): string {
  return id.replace(/-(?:\d{4}-\d{2}-\d{2}|\d{8})$/, '');
}

/**
 * Anthropic bills a 1-hour cache write at 2x the base input price (a 5-minute one at 1.25x):
 * https://docs.anthropic.com/en/docs/build-with-claude/prompt-caching#pricing. The bundled data
 * carries that rate per model; an override used for Anthropic without `cacheWrite1hPerMTok` gets
 * it by this rule. Only Anthropic reports 1-hour writes: for other providers an override has no
 * 1-hour rate, so their budget reservations do not assume such writes.
 */
const ANTHROPIC_CACHE_WRITE_1H_INPUT_MULTIPLIER = 2;

function ratesOf(provider: Provider, price: PriceOverride): Rates {
  const cacheWrite1h =
    price.cacheWrite1hPerMTok ??
    (provider === 'anthropic' ? price.inputPerMTok * ANTHROPIC_CACHE_WRITE_1H_INPUT_MULTIPLIER : undefined);
  return {
    input: flatRate(price.inputPerMTok),
    output: flatRate(price.outputPerMTok),
    cacheRead: price.cachedInputPerMTok === undefined ? undefined : flatRate(price.cachedInputPerMTok),
    cacheWrite: price.cacheWritePerMTok === undefined ? undefined : flatRate(price.cacheWritePerMTok),
    cacheWrite1h: cacheWrite1h === undefined ? undefined : flatRate(cacheWrite1h),
  };
}

/** A cost that is not a finite number means the data is broken: unpriced, never a silent $0. */
function quote(cost: number | null, pricingSource: string, resolvedModel: string): PriceQuote {
  if (cost === null || !Number.isFinite(cost)) return UNPRICED;
  return { costUsd: Math.max(0, cost), pricingSource, resolvedModel };
}
