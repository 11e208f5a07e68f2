import { readFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import { dirname, join } from 'node:path';
import { createPricer, OVERRIDE_SOURCE, PRICING_DATA_VERSION } from '../../../src/pricing/index.js';
import type { ApiKind } from '../../../src/usage/endpoints.js';
import { extractResponse } from '../../../src/usage/extract.js';
import type { Provider, TokenUsage } from '../../../src/usage/record.js';
import { createStreamObserver } from '../../../src/usage/sse.js';
import { type WireFixture, wireJson, wireText } from '../../fixtures/wire/index.js';

const pricer = createPricer();
const M = 1_000_000;

function usage(inputTokens: number, outputTokens: number, more: Partial<TokenUsage> = {}): TokenUsage {
  return {
    inputTokens,
    outputTokens,
    cachedInputTokens: 0,
    cacheWriteTokens: 0,
    cacheWrite1hTokens: 0,
    reasoningTokens: 0,
    ...more,
  };
}

function bodyUsage(kind: ApiKind, fixture: WireFixture): TokenUsage {
  const extracted = extractResponse(kind, wireJson(fixture)).usage;
  if (!extracted) throw new Error(`no usage in ${fixture}`);
  return extracted;
}

function streamedUsage(kind: ApiKind, fixture: WireFixture): TokenUsage {
  const observer = createStreamObserver(kind, { hideUsageOnlyChunk: true });
  observer.push(new TextEncoder().encode(wireText(fixture)));
  const streamed = observer.end().summary.usage;
  if (!streamed) throw new Error(`no usage in ${fixture}`);
  return streamed;
}

const GENAI_VERSION = (() => {
  const entry = createRequire(import.meta.url).resolve('@pydantic/genai-prices');
  return (JSON.parse(readFileSync(join(dirname(entry), '..', 'package.json'), 'utf8')) as { version: string })
    .version;
})();

describe('pricing pitfalls', () => {
  it('prices cached OpenAI input at the cached rate, the rest at the input rate', () => {
    const quote = pricer.price('openai', 'gpt-4o-2024-08-06', bodyUsage('openai.chat', 'openai-chat.json'));
    // gpt-4o: $2.50 input, $1.25 cached input, $10 output per million.
    expect(quote.costUsd).toBeCloseTo(((1234 - 1024) * 2.5 + 1024 * 1.25 + 56 * 10) / M, 12);
  });

  it('does not add reasoning tokens again: they are already in completion_tokens', () => {
    const reported = bodyUsage('openai.chat', 'openai-chat-reasoning.json');
    const quote = pricer.price('openai', 'o4-mini-2025-04-16', reported);
    // o4-mini: $1.10 input, $4.40 output per million; 1250 completion tokens include 1216 reasoning.
    expect(quote.costUsd).toBeCloseTo((210 * 1.1 + 1250 * 4.4) / M, 12);
    expect(pricer.price('openai', 'o4-mini', { ...reported, reasoningTokens: 0 }).costUsd).toBe(
      quote.costUsd,
    );
  });

  it('prices Anthropic cache writes once, at the write rate', () => {
    const quote = pricer.price(
      'anthropic',
      'claude-sonnet-4-5-20250929',
      bodyUsage('anthropic.messages', 'anthropic-messages.json'),
    );
    // claude-sonnet-4-5: $3 input, $3.75 cache write, $15 output per million.
    expect(quote.costUsd).toBeCloseTo((21 * 3 + 1888 * 3.75 + 393 * 15) / M, 12);
  });

  it('prices 1-hour cache writes at their own rate, the rest of the writes at the 5-minute rate', () => {
    const written = usage(21 + 1888, 393, { cacheWriteTokens: 1888, cacheWrite1hTokens: 1000 });
    const quote = pricer.price('anthropic', 'claude-sonnet-4-5-20250929', written);
    // claude-sonnet-4-5: $3 input, $3.75 5-minute and $6 1-hour cache write, $15 output per million.
    expect(quote.costUsd).toBeCloseTo((21 * 3 + 888 * 3.75 + 1000 * 6 + 393 * 15) / M, 12);
    // Past 200k input tokens the long-context tier applies to the 1-hour rate too ($12).
    const long = pricer.price(
      'anthropic',
      'claude-sonnet-4-5',
      usage(300_000, 0, { cacheWriteTokens: 100_000, cacheWrite1hTokens: 100_000 }),
    );
    expect(long.costUsd).toBeCloseTo((200_000 * 6 + 100_000 * 12) / M, 12);
    // A 1-hour count above the writes is clamped to them, never billed twice.
    const clamped = pricer.price(
      'anthropic',
      'claude-haiku-4-5',
      usage(100, 0, { cacheWriteTokens: 10, cacheWrite1hTokens: 50 }),
    );
    expect(clamped.costUsd).toBeCloseTo((90 * 1 + 10 * 2) / M, 12);
  });

  it('prices Anthropic cache reads at the read rate', () => {
    const quote = pricer.price(
      'anthropic',
      'claude-sonnet-4-5-20250929',
      bodyUsage('anthropic.messages', 'anthropic-messages-cached.json'),
    );
    expect(quote.costUsd).toBeCloseTo((472 * 3 + 1888 * 0.3 + 120 * 15) / M, 12);
  });

  it.each([
    ['openai.chat', 'openai-chat.json', 'openai-chat-stream.sse', 'openai', 'gpt-4o-2024-08-06'],
    [
      'openai.completions',
      'openai-completions.json',
      'openai-completions-stream.sse',
      'openai',
      'gpt-3.5-turbo-instruct',
    ],
    [
      'openai.responses',
      'openai-responses.json',
      'openai-responses-stream.sse',
      'openai',
      'o4-mini-2025-04-16',
    ],
    [
      'anthropic.messages',
      'anthropic-messages-cached.json',
      'anthropic-messages-stream.sse',
      'anthropic',
      'claude-sonnet-4-5-20250929',
    ],
  ] as const)('%s: streaming and non-streaming cost the same', (kind, json, sse, provider, model) => {
    const whole = pricer.price(provider, model, bodyUsage(kind, json));
    const streamed = pricer.price(provider, model, streamedUsage(kind, sse));
    expect(whole.costUsd).not.toBeNull();
    expect(streamed).toEqual(whole);
  });

  it('leaves an unknown model unpriced (null), never $0', () => {
    expect(pricer.price('openai', 'my-private-finetune', usage(1000, 1000))).toEqual({
      costUsd: null,
      pricingSource: null,
      resolvedModel: null,
    });
    expect(pricer.isPriced('openai', 'my-private-finetune')).toBe(false);
    expect(pricer.maxCostUsd('openai', 'my-private-finetune', 1000, 1000)).toBeNull();
    // A model of the other provider is not silently priced either.
    expect(pricer.price('anthropic', 'gpt-4o', usage(1000, 1000)).costUsd).toBeNull();
  });

  it('never goes negative when a provider reports more cached than total input', () => {
    const quote = pricer.price(
      'openai',
      'gpt-4o',
      usage(100, 10, { cachedInputTokens: 500, cacheWriteTokens: 300 }),
    );
    expect(quote.costUsd).toBeCloseTo((100 * 1.25 + 10 * 10) / M, 12); // all 100 input tokens cached, no more
    const anthropic = pricer.price(
      'anthropic',
      'claude-haiku-4-5',
      usage(10, 0, { cachedInputTokens: 4, cacheWriteTokens: 50 }),
    );
    expect(anthropic.costUsd).toBeCloseTo((4 * 0.1 + 6 * 1.25) / M, 12);
  });

  it('treats nonsense counts as zero rather than producing a negative or NaN cost', () => {
    const quote = pricer.price('openai', 'gpt-4o', usage(-50, Number.NaN, { cachedInputTokens: -3 }));
    expect(quote.costUsd).toBe(0);
  });
});

describe('model resolution', () => {
  it.each([
    ['openai', 'gpt-4o-2024-08-06', 'gpt-4o'],
    ['openai', 'gpt-4o', 'gpt-4o'],
    ['openai', 'GPT-4o', 'gpt-4o'],
    ['openai', 'gpt-4o-2024-05-13', 'gpt-4o-2024-05-13'],
    ['openai', 'gpt-4.1-mini-2025-04-14', 'gpt-4.1-mini'],
    ['openai', 'text-embedding-3-small', 'text-embedding-3-small'],
    ['anthropic', 'claude-sonnet-4-5-20250929', 'claude-sonnet-4-5'],
    ['anthropic', 'claude-3-5-haiku-latest', 'claude-3-5-haiku-latest'],
  ] as const)('%s %s prices as %s', (provider, model, resolved) => {
    const quote = pricer.price(provider, model, usage(1000, 100));
    expect(quote.resolvedModel).toBe(resolved);
    expect(quote.pricingSource).toBe(`genai-prices@${GENAI_VERSION}`);
    expect(pricer.isPriced(provider, model)).toBe(true);
  });

  it('names the installed genai-prices version as the data version', () => {
    expect(PRICING_DATA_VERSION).toBe(`genai-prices@${GENAI_VERSION}`);
  });

  it('keeps snapshot prices apart from the alias: gpt-4o-2024-05-13 is dearer', () => {
    expect(pricer.price('openai', 'gpt-4o-2024-05-13', usage(M, 0)).costUsd).toBeCloseTo(5, 9);
    expect(pricer.price('openai', 'gpt-4o-2024-08-06', usage(M, 0)).costUsd).toBeCloseTo(2.5, 9);
  });

  it('applies long-context tiers from the data, chosen by total input', () => {
    const atBase = pricer.price('anthropic', 'claude-sonnet-4-5', usage(200_000, 1000));
    expect(atBase.costUsd).toBeCloseTo((200_000 * 3 + 1000 * 15) / M, 12);
    const long = pricer.price(
      'anthropic',
      'claude-sonnet-4-5',
      usage(200_001, 1000, { cachedInputTokens: 100_000 }),
    );
    expect(long.costUsd).toBeCloseTo((100_001 * 6 + 100_000 * 0.6 + 1000 * 22.5) / M, 12);
  });

  it('uses the prices in force at the call time', () => {
    const before = pricer.price('openai', 'o3', usage(M, M), new Date('2025-06-01T00:00:00Z'));
    const after = pricer.price('openai', 'o3', usage(M, M), new Date('2025-06-10T00:00:00Z'));
    expect(before.costUsd).toBeCloseTo(10 + 40, 9);
    expect(after.costUsd).toBeCloseTo(2 + 8, 9);
  });
});

describe('overrides from pricing.overrides', () => {
  const overridden = createPricer({
    'gpt-4o': { inputPerMTok: 1, outputPerMTok: 2, cachedInputPerMTok: 0.5 },
    'My-Local-Model': { inputPerMTok: 0.2, outputPerMTok: 0.4 },
    'claude-sonnet-4-5-20250929': {
      inputPerMTok: 3,
      outputPerMTok: 15,
      cacheWritePerMTok: 4,
      cachedInputPerMTok: 0.25,
    },
  });

  it('win over the bundled data, for the alias and its dated snapshots', () => {
    for (const model of ['gpt-4o', 'gpt-4o-2024-08-06']) {
      const quote = overridden.price('openai', model, usage(1000, 100, { cachedInputTokens: 400 }));
      expect(quote).toEqual({
        costUsd: (600 * 1 + 400 * 0.5 + 100 * 2) / M,
        pricingSource: OVERRIDE_SOURCE,
        resolvedModel: 'gpt-4o',
      });
    }
  });

  it('price models the catalog does not know, matching case-insensitively and across date suffixes', () => {
    for (const model of [
      'my-local-model',
      'MY-LOCAL-MODEL',
      'my-local-model-2025-01-31',
      'my-local-model-20250131',
    ]) {
      expect(overridden.price('openai', model, usage(M, M)).costUsd).toBeCloseTo(0.6, 12);
    }
    expect(overridden.isPriced('anthropic', 'my-local-model')).toBe(true);
  });

  it('default cache rates to the input rate', () => {
    const quote = overridden.price(
      'openai',
      'my-local-model',
      usage(1000, 0, { cachedInputTokens: 500, cacheWriteTokens: 500 }),
    );
    expect(quote.costUsd).toBeCloseTo((1000 * 0.2) / M, 15);
  });

  it('keyed by a dated id apply to that id only; other snapshots keep the catalog price', () => {
    const exact = overridden.price(
      'anthropic',
      'claude-sonnet-4-5-20250929',
      usage(1000, 0, { cacheWriteTokens: 1000 }),
    );
    expect(exact).toMatchObject({ costUsd: (1000 * 4) / M, pricingSource: OVERRIDE_SOURCE });
    const other = overridden.price(
      'anthropic',
      'claude-sonnet-4-5',
      usage(1000, 0, { cacheWriteTokens: 1000 }),
    );
    expect(other).toMatchObject({ costUsd: (1000 * 3.75) / M, pricingSource: PRICING_DATA_VERSION });
  });
});

describe('maxCostUsd (budget reservations)', () => {
  it('assumes no cache discount for OpenAI (input rate is the dearest)', () => {
    expect(pricer.maxCostUsd('openai', 'gpt-4o', 10_000, 1000)).toBeCloseTo(
      (10_000 * 2.5 + 1000 * 10) / M,
      12,
    );
  });

  it('assumes 1-hour cache writes for Anthropic, the dearest kind of input', () => {
    expect(pricer.maxCostUsd('anthropic', 'claude-sonnet-4-5', 10_000, 1000)).toBeCloseTo(
      (10_000 * 6 + 1000 * 15) / M,
      12,
    );
  });

  it('leaves 1-hour cache writes out when the request cannot make them', () => {
    expect(
      pricer.maxCostUsd('anthropic', 'claude-sonnet-4-5', 10_000, 1000, undefined, {
        hourCacheWrites: false,
      }),
    ).toBeCloseTo((10_000 * 3.75 + 1000 * 15) / M, 12);
  });

  it('uses the tier the input reaches', () => {
    expect(pricer.maxCostUsd('anthropic', 'claude-sonnet-4-5', 300_000, 1000)).toBeCloseTo(
      (300_000 * 12 + 1000 * 22.5) / M,
      12,
    );
  });

  it('uses overrides too', () => {
    const overridden = createPricer({ x: { inputPerMTok: 1, outputPerMTok: 2, cacheWritePerMTok: 3 } });
    expect(overridden.maxCostUsd('openai', 'x', M, M)).toBeCloseTo(3 + 2, 12);
  });

  it('an override without a 1-hour rate gets 2x input for Anthropic only (OpenAI reports no such writes)', () => {
    const overridden = createPricer({ y: { inputPerMTok: 1, outputPerMTok: 2, cacheWritePerMTok: 1.25 } });
    expect(overridden.maxCostUsd('anthropic', 'y', M, M)).toBeCloseTo(2 + 2, 12);
    expect(overridden.maxCostUsd('openai', 'y', M, M)).toBeCloseTo(1.25 + 2, 12);
    const written = usage(1000, 0, { cacheWriteTokens: 600, cacheWrite1hTokens: 400 });
    expect(overridden.price('anthropic', 'y', written).costUsd).toBeCloseTo(
      (400 * 1 + 200 * 1.25 + 400 * 2) / M,
      12,
    );
    const explicit = createPricer({ y: { inputPerMTok: 1, outputPerMTok: 2, cacheWrite1hPerMTok: 1.5 } });
    expect(explicit.price('anthropic', 'y', written).costUsd).toBeCloseTo((600 * 1 + 400 * 1.5) / M, 12);
  });

  it('is never below the price of a call within its bounds', () => {
    const providers: [Provider, string][] = [
      ['openai', 'gpt-5.4'],
      ['anthropic', 'claude-opus-4-6'],
    ];
    for (const [provider, model] of providers) {
      const bound = pricer.maxCostUsd(provider, model, 300_000, 2000) ?? 0;
      const actual = pricer.price(
        provider,
        model,
        usage(300_000, 2000, { cachedInputTokens: 1000, cacheWriteTokens: 5000 }),
      );
      expect(actual.costUsd).toBeLessThanOrEqual(bound);
    }
  });
});
