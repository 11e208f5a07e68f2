/**
 * What a call will cost before it is made, with the sidecar's own token counting and price table,
 * then the call and what it actually cost. Run: `tsx examples/cost-estimate.ts`.
 */
import { createOpenAI, estimateCost, estimateTokens, loadConfig, modelFor } from 'llmdev/client';

const settings = loadConfig();
const model = modelFor(settings, 'openai');
const maxOutputTokens = settings.maxTokens ?? 300;
const messages = [
  { role: 'system' as const, content: 'You are a careful technical writer.' },
  {
    role: 'user' as const,
    content: 'Explain in a paragraph why a budget must be checked before a call is sent.',
  },
];

const estimate = estimateCost({ model, messages, maxOutputTokens });
const price = (usd: number | null) => (usd === null ? 'unpriced' : `$${usd.toFixed(6)}`);
console.log(`${model}: ${estimateTokens(messages, model)} input tokens (counted locally)`);
console.log(
  `  input alone ${price(estimate.inputCostUsd)}, at most ${price(estimate.maxCostUsd)} with ${maxOutputTokens} output tokens`,
);
console.log(`  prices: ${estimate.pricingSource ?? 'none for this model'}`);

const openai = createOpenAI({ settings, tags: { example: 'cost-estimate' } });
const { data, response } = await openai.chat.completions
  .create({ model, messages, max_tokens: maxOutputTokens })
  .withResponse();
console.log(
  `actual: ${data.usage?.prompt_tokens} input + ${data.usage?.completion_tokens} output tokens, $${response.headers.get('x-llmdev-cost-usd') ?? '?'}`,
);
