/**
 * The same through the stock `@anthropic-ai/sdk` client: `createAnthropic()` points it at the
 * sidecar (ANTHROPIC_BASE_URL) with the sidecar token. Run: `tsx examples/anthropic.ts`.
 */
import { createAnthropic, loadConfig, modelFor } from 'llmdev/client';

const settings = loadConfig();
const anthropic = createAnthropic({ settings, tags: { example: 'anthropic' } });

const message = await anthropic.messages.create({
  model: modelFor(settings, 'anthropic'),
  max_tokens: settings.maxTokens ?? 200,
  system: 'You answer in one short sentence.',
  messages: [{ role: 'user', content: 'Why keep API keys out of the dev container?' }],
});

for (const block of message.content) if (block.type === 'text') console.log(block.text);
console.log(
  `\n${message.model}: ${message.usage.input_tokens} input + ${message.usage.output_tokens} output tokens`,
);
