/**
 * A chat completion through the usage-logger sidecar. `createOpenAI()` is the stock `openai` client,
 * pointed at the sidecar with the sidecar token (read from LLMDEV_TOKEN_FILE); the sidecar holds the
 * real key, or answers itself (mock provider) when there is none. Run: `tsx examples/chat.ts`.
 */
import { createOpenAI, loadConfig, modelFor } from 'llmdev/client';

const settings = loadConfig();
const openai = createOpenAI({ settings, tags: { example: 'chat' } });

const { data: completion, response } = await openai.chat.completions
  .create({
    model: modelFor(settings, 'openai'),
    messages: [
      { role: 'system', content: 'You answer in one short sentence.' },
      { role: 'user', content: 'What is a dev container?' },
    ],
    ...(settings.maxTokens === undefined ? {} : { max_tokens: settings.maxTokens }),
    ...(settings.temperature === undefined ? {} : { temperature: settings.temperature }),
  })
  .withResponse();

console.log(completion.choices[0]?.message.content);
console.log(
  `\n${completion.model} (${response.headers.get('x-llmdev-provider')}): ` +
    `${completion.usage?.prompt_tokens} input + ${completion.usage?.completion_tokens} output tokens, ` +
    `$${response.headers.get('x-llmdev-cost-usd') ?? '?'}, record ${response.headers.get('x-llmdev-request-id')}`,
);
