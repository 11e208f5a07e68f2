/**
 * Hot-path costs of the usage and pricing layers: `npm run bench:usage`.
 * Prints µs per operation: pricing (memoized vs genai-prices' calcPrice), input-token estimation
 * of a typical ~1 KB chat request (new text vs text seen before), and SSE observation.
 */
import { calcPrice } from '@pydantic/genai-prices';
import { createPricer } from '../src/pricing/index.js';
import { estimateInputTokens, preloadEncodings } from '../src/usage/estimate.js';
import { createStreamObserver } from '../src/usage/sse.js';

function measure(label: string, iterations: number, run: (i: number) => void): void {
  for (let i = 0; i < Math.min(iterations, 2000); i++) run(i); // warm up the JIT
  const start = process.hrtime.bigint();
  for (let i = 0; i < iterations; i++) run(i);
  const micros = Number(process.hrtime.bigint() - start) / 1000 / iterations;
  console.log(`${label.padEnd(64)} ${micros.toFixed(3).padStart(9)} µs`);
}

const started = process.hrtime.bigint();
preloadEncodings();
console.log(
  `load o200k_base + cl100k_base ranks: ${(Number(process.hrtime.bigint() - started) / 1e6).toFixed(0)} ms`,
);

const usage = {
  inputTokens: 1200,
  outputTokens: 300,
  cachedInputTokens: 200,
  cacheWriteTokens: 0,
  cacheWrite1hTokens: 0,
  reasoningTokens: 0,
};
const pricer = createPricer();
measure('price(openai, gpt-4o-2024-08-06) memoized', 500_000, () =>
  pricer.price('openai', 'gpt-4o-2024-08-06', usage),
);
measure('price(anthropic, claude-sonnet-4-5-20250929) memoized', 500_000, () =>
  pricer.price('anthropic', 'claude-sonnet-4-5-20250929', usage),
);
measure('maxCostUsd(anthropic, claude-sonnet-4-5-20250929)', 200_000, () =>
  pricer.maxCostUsd('anthropic', 'claude-sonnet-4-5-20250929', 1200, 1000),
);
const genaiUsage = { input_tokens: 1200, cache_read_tokens: 200, output_tokens: 300 };
measure('calcPrice(gpt-4o-2024-08-06) without memo', 20_000, () =>
  calcPrice(genaiUsage, 'gpt-4o-2024-08-06', { providerId: 'openai' }),
);
measure('calcPrice(claude-sonnet-4-5-20250929) without memo', 20_000, () =>
  calcPrice(genaiUsage, 'claude-sonnet-4-5-20250929', { providerId: 'anthropic' }),
);

const WORDS =
  'the quick brown fox jumps over a lazy dog while distributed systems reach consensus under partial failure'.split(
    ' ',
  );
function chatRequest(seed: number) {
  const words = (count: number, offset: number) =>
    Array.from({ length: count }, (_, i) => WORDS[(seed * 7 + i * 3 + offset) % WORDS.length]).join(' ');
  return {
    model: 'gpt-4o',
    messages: [
      { role: 'system', content: `You are a careful assistant #${seed}. ${words(40, 1)}.` },
      { role: 'user', content: `Question ${seed}: ${words(60, 2)}?` },
      { role: 'assistant', content: `Answer ${seed}: ${words(40, 3)}.` },
      { role: 'user', content: `Follow-up ${seed}: ${words(20, 4)}?` },
    ],
    temperature: 0.2,
  };
}
const distinct = Array.from({ length: 20_000 }, (_, i) => chatRequest(i));
const sample = distinct[0];
console.log(
  `typical chat request: ${JSON.stringify(sample).length} bytes, ${estimateInputTokens('openai.chat', sample)} tokens`,
);
measure('estimateInputTokens(openai.chat, ~1 KB), every text new', distinct.length, (i) =>
  estimateInputTokens('openai.chat', distinct[i]),
);
measure('estimateInputTokens(openai.chat, ~1 KB), same request again', 20_000, () =>
  estimateInputTokens('openai.chat', sample),
);

const chunk = (text: string) =>
  `data: ${JSON.stringify({ id: 'chatcmpl-1', object: 'chat.completion.chunk', model: 'gpt-4o', choices: [{ index: 0, delta: { content: text }, finish_reason: null }] })}\n\n`;
const encoded = new TextEncoder().encode(chunk(' token'));
const observer = createStreamObserver('openai.chat', { hideUsageOnlyChunk: true });
measure(`stream observer: push one ${encoded.length}-byte chat chunk`, 200_000, () => {
  observer.push(encoded);
});
