// Runs inside the workspace container: the stock OpenAI and Anthropic SDKs, configured by nothing
// but the environment every dev-container shell gets (OPENAI_API_KEY / ANTHROPIC_API_KEY = the
// sidecar token, *_BASE_URL = the sidecar). Prints what the SDKs returned, as one JSON line.
import Anthropic from '@anthropic-ai/sdk';
import OpenAI from 'openai';

const openai = new OpenAI();
const anthropic = new Anthropic();
const prompt = [{ role: 'user', content: 'Say hello in five words.' }];
const ANTHROPIC_MODEL = 'claude-3-5-haiku-latest';

const chat = await openai.chat.completions.create({ model: 'gpt-4o-mini', messages: prompt });

const stream = await openai.chat.completions.create({
  model: 'gpt-4o-mini',
  messages: prompt,
  stream: true,
  stream_options: { include_usage: true },
});
let streamed = '';
let streamUsage = null;
for await (const chunk of stream) {
  streamed += chunk.choices[0]?.delta?.content ?? '';
  if (chunk.usage) streamUsage = chunk.usage;
}

const message = await anthropic.messages.create({ model: ANTHROPIC_MODEL, max_tokens: 64, messages: prompt });

const messageStream = anthropic.messages.stream({ model: ANTHROPIC_MODEL, max_tokens: 64, messages: prompt });
const final = await messageStream.finalMessage();

console.log(
  JSON.stringify({
    env: { baseUrl: process.env.OPENAI_BASE_URL, hasOpenAIKey: Boolean(process.env.OPENAI_API_KEY) },
    openai: { text: chat.choices[0]?.message.content, usage: chat.usage },
    openaiStream: { text: streamed, usage: streamUsage },
    anthropic: { text: message.content[0]?.text, usage: message.usage },
    anthropicStream: { text: final.content[0]?.text, usage: final.usage },
  }),
);
