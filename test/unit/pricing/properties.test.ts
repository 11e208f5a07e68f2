import { calcPrice, findProvider } from '@pydantic/genai-prices';
import fc from 'fast-check';
import { catalogCost, findCatalogModel } from '../../../src/pricing/catalog.js';
import { billedTokens } from '../../../src/pricing/cost.js';
import { createPricer } from '../../../src/pricing/index.js';
import type { Provider, TokenUsage } from '../../../src/usage/record.js';

/** Providers whose models the parity check covers: ours, plus some with other price rules. */
const PARITY_PROVIDERS = ['openai', 'anthropic', 'google', 'deepseek', 'mistral', 'x-ai', 'groq', 'aws'];

function modelsOf(provider: string): string[] {
  return findProvider({ providerId: provider })?.models.map((model) => model.id) ?? [];
}

const catalogModels = PARITY_PROVIDERS.flatMap((provider) =>
  modelsOf(provider).map((model) => ({ provider, model })),
);
const ourModels = (['openai', 'anthropic'] as const).flatMap((provider) =>
  modelsOf(provider).map((model) => ({ provider: provider as Provider, model })),
);

/** A usage as the extractors produce it: parts within their totals (1-hour writes within writes). */
const usageArb = fc
  .record({
    uncached: fc.integer({ min: 0, max: 400_000 }),
    cacheRead: fc.integer({ min: 0, max: 400_000 }),
    cacheWrite5m: fc.integer({ min: 0, max: 100_000 }),
    cacheWrite1h: fc.oneof(fc.constant(0), fc.integer({ min: 0, max: 100_000 })),
    output: fc.integer({ min: 0, max: 100_000 }),
  })
  .map(
    ({ uncached, cacheRead, cacheWrite5m, cacheWrite1h, output }): TokenUsage => ({
      inputTokens: uncached + cacheRead + cacheWrite5m + cacheWrite1h,
      outputTokens: output,
      cachedInputTokens: cacheRead,
      cacheWriteTokens: cacheWrite5m + cacheWrite1h,
      cacheWrite1hTokens: cacheWrite1h,
      reasoningTokens: 0,
    }),
  );

const timeArb = fc.date({
  min: new Date('2024-01-01T00:00:00Z'),
  max: new Date('2027-12-31T00:00:00Z'),
  noInvalidDate: true,
});

describe('pricing properties', () => {
  it(`matches genai-prices' calcPrice for every model of ${PARITY_PROVIDERS.length} providers`, () => {
    expect(catalogModels.length).toBeGreaterThan(300);
    let tried = 0;
    fc.assert(
      fc.property(fc.constantFrom(...catalogModels), usageArb, timeArb, ({ provider, model }, usage, at) => {
        const entry = findCatalogModel(provider, model);
        const tokens = billedTokens(usage);
        let expected: number | null;
        try {
          expected =
            calcPrice(
              {
                input_tokens: tokens.input,
                cache_read_tokens: tokens.cacheRead,
                cache_write_tokens: tokens.cacheWrite,
                cache_write_1h_tokens: tokens.cacheWrite1h,
                output_tokens: tokens.output,
              },
              model,
              { providerId: provider, timestamp: at },
            )?.total_price ?? null;
        } catch {
          return; // calcPrice rejects this model/usage combination; nothing to compare
        }
        tried++;
        const actual = entry ? catalogCost(provider, model, entry, tokens, at.getTime()) : null;
        if (expected === null) expect(actual).toBeNull();
        else
          expect(Math.abs((actual ?? Number.NaN) - expected)).toBeLessThanOrEqual(
            1e-12 * Math.max(1, expected),
          );
      }),
      { numRuns: 4000 },
    );
    console.log(`[property] fast pricing equals calcPrice (${catalogModels.length} models): ${tried} cases`);
  });

  const pricer = createPricer({
    'local-model': { inputPerMTok: 0.5, outputPerMTok: 1.5, cacheWritePerMTok: 0.7 },
    'local-claude': { inputPerMTok: 2, outputPerMTok: 8, cacheWritePerMTok: 2.5, cacheWrite1hPerMTok: 4 },
  });
  const overrides = [
    { provider: 'openai' as Provider, model: 'local-model' },
    { provider: 'anthropic' as Provider, model: 'local-claude' },
  ];
  // Catalog ids that are only patterns (`ft:gpt-4o` matches `ft:gpt-4o-2024-…`) do not resolve by themselves.
  const priced = [...ourModels, ...overrides].filter(({ provider, model }) =>
    pricer.isPriced(provider, model),
  );

  it('cost is non-negative and never falls when any kind of token count grows', () => {
    expect(priced.length).toBeGreaterThan(100);
    let tried = 0;
    const grow = fc.constantFrom('uncached', 'cacheRead', 'cacheWrite', 'cacheWrite1h', 'output');
    fc.assert(
      fc.property(
        fc.constantFrom(...priced),
        usageArb,
        grow,
        fc.integer({ min: 1, max: 300_000 }),
        timeArb,
        ({ provider, model }, usage, which, extra, at) => {
          tried++;
          const base = pricer.price(provider, model, usage, at).costUsd;
          const more = { ...usage };
          if (which === 'output') more.outputTokens += extra;
          else more.inputTokens += extra;
          if (which === 'cacheRead') more.cachedInputTokens += extra;
          if (which === 'cacheWrite' || which === 'cacheWrite1h') more.cacheWriteTokens += extra;
          if (which === 'cacheWrite1h') more.cacheWrite1hTokens += extra;
          const grown = pricer.price(provider, model, more, at).costUsd;
          expect(base).not.toBeNull();
          expect(base).toBeGreaterThanOrEqual(0);
          expect(grown).toBeGreaterThanOrEqual((base ?? 0) - 1e-15);
        },
      ),
      { numRuns: 4000 },
    );
    console.log(`[property] cost non-negative and monotonic in each token count: ${tried} cases`);
  });

  it('cost is non-negative for arbitrary (even inconsistent or negative) counts', () => {
    let tried = 0;
    const count = fc.oneof(fc.integer({ min: -1_000_000, max: 10_000_000 }), fc.double());
    fc.assert(
      fc.property(
        fc.constantFrom(...priced),
        count,
        count,
        count,
        count,
        count,
        (target, input, output, cached, writes, writes1h) => {
          tried++;
          const quote = pricer.price(target.provider, target.model, {
            inputTokens: input,
            outputTokens: output,
            cachedInputTokens: cached,
            cacheWriteTokens: writes,
            cacheWrite1hTokens: writes1h,
            reasoningTokens: 0,
          });
          expect(quote.costUsd).not.toBeNull();
          expect(quote.costUsd).toBeGreaterThanOrEqual(0);
          expect(Number.isFinite(quote.costUsd)).toBe(true);
        },
      ),
      { numRuns: 2000 },
    );
    console.log(`[property] cost non-negative for arbitrary counts: ${tried} cases`);
  });

  it('maxCostUsd bounds the cost of every call within its input and output limits', () => {
    let tried = 0;
    fc.assert(
      fc.property(fc.constantFrom(...priced), usageArb, timeArb, ({ provider, model }, usage, at) => {
        tried++;
        const bound = pricer.maxCostUsd(provider, model, usage.inputTokens, usage.outputTokens, at);
        const cost = pricer.price(provider, model, usage, at).costUsd;
        expect(bound).not.toBeNull();
        expect(cost).toBeLessThanOrEqual((bound ?? 0) * (1 + 1e-12));
      }),
      { numRuns: 3000 },
    );
    console.log(`[property] maxCostUsd is an upper bound: ${tried} cases`);
  });
});
