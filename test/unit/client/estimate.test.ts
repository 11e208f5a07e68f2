/**
 * Pre-flight estimates against known figures: OpenAI's cookbook message count (129 tokens with
 * cl100k, 124 with o200k), tiktoken's own examples, and the bundled price table.
 */
import { estimateCost, estimateTokens, providerOfModel } from '../../../src/client/estimate.js';
import { UsageError } from '../../../src/errors/index.js';
import { createPricer } from '../../../src/pricing/index.js';
import { countTextTokens } from '../../../src/usage/estimate.js';
import { COOKBOOK_MESSAGES } from '../../fixtures/cookbook-messages.js';

describe('estimateTokens', () => {
  it.each([
    ['gpt-3.5-turbo-0613', 129],
    ['gpt-4-0613', 129],
    ['gpt-4o', 124],
    ['gpt-4o-mini', 124],
  ])('counts the cookbook messages for %s as the API did (%d)', (model, expected) => {
    expect(estimateTokens(COOKBOOK_MESSAGES, model)).toBe(expected);
  });

  it('counts text as tiktoken does', () => {
    expect(countTextTokens('tiktoken is great!', 'gpt-4')).toBe(6);
    expect(countTextTokens('hello world', 'gpt-4o')).toBe(2);
  });

  it('counts Anthropic messages with the top-level system prompt', () => {
    const messages = [{ role: 'user', content: 'Hello there' }];
    const without = estimateTokens(messages, 'claude-haiku-4-5');
    const withSystem = estimateTokens(messages, 'claude-haiku-4-5', { system: 'Be brief.' });
    expect(without).toBeGreaterThan(0);
    expect(withSystem).toBeGreaterThan(without);
  });

  it('tells providers apart by model id', () => {
    expect(providerOfModel('claude-sonnet-4-5')).toBe('anthropic');
    expect(providerOfModel('anthropic.claude-3-haiku')).toBe('anthropic');
    expect(providerOfModel('gpt-4o-mini')).toBe('openai');
    expect(providerOfModel('o3-mini')).toBe('openai');
  });
});

describe('estimateCost', () => {
  it('prices input and the most output with the bundled table (gpt-4o-mini: $0.15 / $0.60 per M)', () => {
    expect(estimateCost({ model: 'gpt-4o-mini', inputTokens: 1000, maxOutputTokens: 500 })).toEqual({
      provider: 'openai',
      model: 'gpt-4o-mini',
      inputTokens: 1000,
      maxOutputTokens: 500,
      inputCostUsd: expect.closeTo(0.00015, 12),
      maxCostUsd: expect.closeTo(0.00045, 12),
      pricingSource: expect.stringMatching(/^genai-prices@/),
      resolvedModel: 'gpt-4o-mini',
    });
  });

  it('counts messages when no token count is given', () => {
    const estimate = estimateCost({ model: 'gpt-4o', messages: COOKBOOK_MESSAGES, maxOutputTokens: 0 });
    expect(estimate.inputTokens).toBe(124);
    expect(estimate.maxCostUsd).toBe(estimate.inputCostUsd);
  });

  it('resolves dated snapshots and uses overrides through the same pricer as the sidecar', () => {
    expect(
      estimateCost({ model: 'gpt-4o-2024-08-06', inputTokens: 10, maxOutputTokens: 10 }).resolvedModel,
    ).toBe('gpt-4o');
    const pricer = createPricer({ 'my-model': { inputPerMTok: 1, outputPerMTok: 2 } });
    const estimate = estimateCost(
      { model: 'my-model', inputTokens: 1_000_000, maxOutputTokens: 1_000_000 },
      pricer,
    );
    expect(estimate).toMatchObject({ inputCostUsd: 1, maxCostUsd: 3, pricingSource: 'override' });
  });

  it('an unknown model is unpriced (null), never $0', () => {
    const estimate = estimateCost({ model: 'no-such-model-x', inputTokens: 100, maxOutputTokens: 100 });
    expect(estimate).toMatchObject({ inputCostUsd: null, maxCostUsd: null, pricingSource: null });
  });

  it('needs messages or a token count', () => {
    expect(() => estimateCost({ model: 'gpt-4o', maxOutputTokens: 1 })).toThrow(UsageError);
  });
});
