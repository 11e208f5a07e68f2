/**
 * The bundled price data of @pydantic/genai-prices: model resolution (aliases, dated snapshots) and
 * the model's rates compiled once, so pricing a call is a map lookup plus arithmetic instead of a
 * `calcPrice` (~15-50 µs: it matches every model's patterns and re-validates its prices each call).
 */
import { existsSync, readFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import { dirname, join } from 'node:path';
import { calcPrice, type ModelInfo, type ModelPrice } from '@pydantic/genai-prices';
import { type BilledTokens, costOf, flatRate, type Rate, type Rates } from './cost.js';

/** `genai-prices@<installed version>`, read from the installed package. */
export const GENAI_PRICES_SOURCE = `genai-prices@${installedVersion()}`;

function installedVersion(): string {
  const require = createRequire(import.meta.url);
  let dir = dirname(require.resolve('@pydantic/genai-prices'));
  for (;;) {
    const file = join(dir, 'package.json');
    if (existsSync(file)) {
      const pkg = JSON.parse(readFileSync(file, 'utf8')) as { name?: string; version?: string };
      if (pkg.name === '@pydantic/genai-prices' && pkg.version) return pkg.version;
    }
    const parent = dirname(dir);
    if (parent === dir) return 'unknown';
    dir = parent;
  }
}

interface PricePeriod {
  /** Epoch ms from which these rates apply (-Infinity: always). */
  startMs: number;
  rates: Rates;
}

export interface CatalogModel {
  /** The catalog's model id, e.g. `gpt-4o` for `gpt-4o-2024-08-06`. */
  id: string;
  /** Null when the model's prices use rules the fast path does not model: `calcPrice` prices it. */
  periods: PricePeriod[] | null;
}

/** Resolves a model id as genai-prices does (`provider` is its provider id); null when unknown. */
export function findCatalogModel(provider: string, model: string): CatalogModel | null {
  try {
    const found = calcPrice({ input_tokens: 0, output_tokens: 0 }, model, { providerId: provider });
    return found ? { id: found.model.id, periods: compilePeriods(found.model) } : null;
  } catch {
    return null;
  }
}

export function catalogCost(
  provider: string,
  model: string,
  entry: CatalogModel,
  tokens: BilledTokens,
  atMs: number,
): number | null {
  if (entry.periods) return costOf(ratesAt(entry.periods, atMs), tokens);
  try {
    const usage = {
      input_tokens: tokens.input,
      cache_read_tokens: tokens.cacheRead,
      cache_write_tokens: tokens.cacheWrite,
      cache_write_1h_tokens: tokens.cacheWrite1h,
      output_tokens: tokens.output,
    };
    return calcPrice(usage, model, { providerId: provider, timestamp: new Date(atMs) })?.total_price ?? null;
  } catch {
    return null;
  }
}

/** Same choice as genai-prices: the last period that has started, else the first. */
function ratesAt(periods: PricePeriod[], atMs: number): Rates {
  for (let i = periods.length - 1; i >= 0; i--) {
    const period = periods[i] as PricePeriod;
    if (atMs >= period.startMs) return period.rates;
  }
  return (periods[0] as PricePeriod).rates;
}

function compilePeriods(model: ModelInfo): PricePeriod[] | null {
  const sets = Array.isArray(model.prices) ? model.prices : [{ prices: model.prices, constraint: undefined }];
  const periods: PricePeriod[] = [];
  for (const set of sets) {
    const constraint = set.constraint;
    let startMs = Number.NEGATIVE_INFINITY;
    if (constraint !== undefined) {
      if (constraint.type !== 'start_date') return null; // e.g. time-of-day (off-peak) prices
      startMs = Date.parse(constraint.start_date);
      if (Number.isNaN(startMs)) return null;
    }
    const rates = compileRates(set.prices);
    if (!rates) return null;
    periods.push({ startMs, rates });
  }
  return periods.length > 0 ? periods : null;
}

function compileRates(prices: ModelPrice): Rates | null {
  // A per-request fee would apply to every call: leave such models to calcPrice.
  if (prices.requests_kcount !== undefined) return null;
  const rates: Rates = {};
  for (const [key, field] of [
    ['input_mtok', 'input'],
    ['cache_read_mtok', 'cacheRead'],
    ['cache_write_mtok', 'cacheWrite'],
    ['cache_write_1h_mtok', 'cacheWrite1h'],
    ['output_mtok', 'output'],
  ] as const) {
    const value = prices[key];
    if (value === undefined) continue;
    const rate = toRate(value);
    if (!rate) return null;
    rates[field] = rate;
  }
  // genai-prices rejects a 1-hour write price without the cache-write price it refines: so do we.
  if (rates.cacheWrite1h && !rates.cacheWrite) return null;
  return rates;
}

function toRate(value: unknown): Rate | null {
  if (typeof value === 'number') return Number.isFinite(value) && value >= 0 ? flatRate(value) : null;
  const tiered = value as { base?: unknown; tiers?: unknown } | null;
  if (typeof tiered?.base !== 'number' || !Array.isArray(tiered.tiers)) return null;
  const tiers: { start: number; price: number }[] = [];
  for (const tier of tiered.tiers as { start?: unknown; price?: unknown }[]) {
    if (typeof tier.start !== 'number' || typeof tier.price !== 'number') return null;
    tiers.push({ start: tier.start, price: tier.price });
  }
  return { base: tiered.base, tiers: tiers.sort((a, b) => a.start - b.start) };
}
