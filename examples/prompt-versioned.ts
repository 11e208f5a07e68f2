/**
 * A call made with a versioned prompt file (prompts/summarize.md). The call carries
 * `x-llmdev-prompt: summarize@<version>`, so `llmdev usage --by prompt` shows what each version of
 * the prompt cost. Edit the file and run again: the version changes with it.
 * Run: `tsx examples/prompt-versioned.ts`.
 */
import { callOptions, createOpenAI, loadPrompt } from 'llmdev/client';

const prompt = await loadPrompt('summarize');
const openai = createOpenAI({ tags: { example: 'prompt-versioned' } });

const completion = await openai.chat.completions.create(
  prompt.openai({
    kind: 'release note',
    text: 'The usage-logger sidecar now stores each request body for replay, capped at 256 KiB, and deletes records after 90 days.',
  }),
  callOptions(openai, { prompt }),
);

console.log(`prompt ${prompt.id}: ${prompt.description}`);
console.log(completion.choices[0]?.message.content);
