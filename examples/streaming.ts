/**
 * A streamed chat completion: tokens are printed as they arrive. The sidecar passes the stream
 * through event by event and still records its exact usage (it asks OpenAI for the usage chunk
 * and hides it from clients that did not ask). Run: `tsx examples/streaming.ts`.
 */
import { createOpenAI, loadConfig, modelFor } from 'llmdev/client';

const settings = loadConfig();
const openai = createOpenAI({ settings, tags: { example: 'streaming' } });

const stream = await openai.chat.completions.create({
  model: modelFor(settings, 'openai'),
  messages: [{ role: 'user', content: 'Count from one to ten in words.' }],
  stream: true,
});
for await (const chunk of stream) process.stdout.write(chunk.choices[0]?.delta.content ?? '');
process.stdout.write('\n');
