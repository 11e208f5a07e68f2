/**
 * With no keys (an empty key file, or none) the sidecar answers itself in each API's exact wire
 * format. The stock SDKs must parse every answer, streaming included, and the calls are recorded
 * with source mock, priced as the real model would be.
 */
import { countTextTokens, estimateInputTokens } from '../../../src/usage/estimate.js';
import { call, type Harness, pricer, startHarness } from './harness.js';

let h: Harness;
beforeAll(async () => {
  h = await startHarness({ keys: { openai: '' } }); // openai: empty file; anthropic: no file
});
afterAll(() => h.close());

const messages = [{ role: 'user' as const, content: 'What is 2 + 2?' }];

describe('mock provider (no API keys)', () => {
  it('reports both providers as mocked on /healthz', async () => {
    const health = await (await fetch(`${h.url}/healthz`)).json();
    expect(health).toMatchObject({ providers: { openai: 'mock (no key)', anthropic: 'mock (no key)' } });
  });

  it('chat completions: deterministic text and counts, x-llmdev-provider: mock, priced as the real model', async () => {
    const first = await h.openai.chat.completions.create({ model: 'gpt-4o-mini', messages }).withResponse();
    const again = await h.openai.chat.completions.create({ model: 'gpt-4o-mini', messages });
    const text = first.data.choices[0]?.message.content ?? '';
    expect(text).toContain('llmdev mock OpenAI provider');
    expect(text).toContain('What is 2 + 2?');
    expect(again.choices[0]?.message.content).toBe(text);
    expect(first.response.headers.get('x-llmdev-provider')).toBe('mock');
    const inputTokens = estimateInputTokens('openai.chat', { model: 'gpt-4o-mini', messages });
    const outputTokens = countTextTokens(text, 'gpt-4o-mini');
    expect(first.data.usage).toMatchObject({ prompt_tokens: inputTokens, completion_tokens: outputTokens });

    const record = h.records().find((r) => r.id === first.response.headers.get('x-llmdev-request-id'));
    expect(record).toMatchObject({
      source: 'mock',
      provider: 'openai',
      estimated: true,
      usage: { inputTokens, outputTokens },
    });
    expect(record?.costUsd).toBeCloseTo(
      pricer.price('openai', 'gpt-4o-mini', record?.usage ?? ({} as never)).costUsd as number,
      12,
    );
    expect(record?.costUsd).toBeGreaterThan(0);
    expect(h.fake.received).toHaveLength(0); // nothing went upstream
  });

  it('chat streaming: the SDK assembles the text; the usage chunk only when asked for', async () => {
    const plain = await h.openai.chat.completions.create({ model: 'gpt-4o-mini', messages, stream: true });
    let text = '';
    let usageChunks = 0;
    for await (const chunk of plain) {
      text += chunk.choices[0]?.delta.content ?? '';
      if (chunk.usage) usageChunks++;
    }
    expect(text).toContain('llmdev mock OpenAI provider');
    expect(usageChunks).toBe(0);
    const tokens = h.records()[0]?.usage.outputTokens;
    expect(tokens).toBe(countTextTokens(text, 'gpt-4o-mini'));

    const withUsage = await h.openai.chat.completions.create({
      model: 'gpt-4o-mini',
      messages,
      stream: true,
      stream_options: { include_usage: true },
    });
    let last: unknown;
    for await (const chunk of withUsage) last = chunk;
    expect((last as { usage: { completion_tokens: number } }).usage.completion_tokens).toBe(tokens);
  });

  it('JSON mode answers with a JSON object', async () => {
    const done = await h.openai.chat.completions.create({
      model: 'gpt-4o-mini',
      messages,
      response_format: { type: 'json_object' },
    });
    expect(JSON.parse(done.choices[0]?.message.content ?? '')).toMatchObject({ mock: true });
  });

  it('Responses API, streaming and not', async () => {
    const done = await h.openai.responses.create({ model: 'gpt-4.1-mini', input: 'Hello?' });
    expect(done.output_text).toContain('You said: "Hello?"');
    expect(done.usage?.output_tokens).toBe(countTextTokens(done.output_text, 'gpt-4.1-mini'));
    const stream = h.openai.responses.stream({ model: 'gpt-4.1-mini', input: 'Hello?' });
    let text = '';
    for await (const event of stream) if (event.type === 'response.output_text.delta') text += event.delta;
    expect(text).toBe(done.output_text);
    expect((await stream.finalResponse()).usage).toEqual(done.usage);
    expect(h.records()[0]).toMatchObject({ source: 'mock', stream: true, endpoint: '/v1/responses' });
  });

  it('embeddings (base64 decoded by the SDK, and plain floats), completions, models', async () => {
    const decoded = await h.openai.embeddings.create({
      model: 'text-embedding-3-small',
      input: ['a', 'b'],
      dimensions: 8,
    });
    expect(decoded.data).toHaveLength(2);
    const vector = decoded.data[0]?.embedding ?? [];
    expect(vector).toHaveLength(8);
    expect(Math.hypot(...vector)).toBeCloseTo(1, 5);
    const floats = await h.openai.embeddings.create({
      model: 'text-embedding-3-small',
      input: 'a',
      dimensions: 8,
      encoding_format: 'float',
    });
    expect(floats.data[0]?.embedding).toEqual(vector);
    expect(h.records()[0]).toMatchObject({
      endpoint: '/v1/embeddings',
      usage: { inputTokens: 1, outputTokens: 0 },
    });

    const completion = await h.openai.completions.create({
      model: 'gpt-3.5-turbo-instruct',
      prompt: 'Say hi',
    });
    expect(completion.choices[0]?.text).toContain('Say hi');
    const stream = await h.openai.completions.create({
      model: 'gpt-3.5-turbo-instruct',
      prompt: 'Say hi',
      stream: true,
    });
    let text = '';
    for await (const chunk of stream) text += chunk.choices[0]?.text ?? '';
    expect(text).toBe(completion.choices[0]?.text);

    const models = [];
    for await (const model of h.openai.models.list()) models.push(model.id);
    expect(models).toContain('gpt-4o-mini');
    expect(await h.openai.models.retrieve('gpt-4o')).toMatchObject({ id: 'gpt-4o', object: 'model' });
  });

  it('Anthropic models, the list and one', async () => {
    const ids = [];
    for await (const model of h.anthropic.models.list()) ids.push(model.id);
    expect(ids).toContain('claude-sonnet-4-5');
    expect(await h.anthropic.models.retrieve('claude-opus-4-1')).toMatchObject({
      type: 'model',
      id: 'claude-opus-4-1',
    });
  });

  it('Anthropic messages, streaming and not, and count_tokens', async () => {
    const request = { model: 'claude-sonnet-4-20250514', max_tokens: 200, messages };
    const done = await h.anthropic.messages.create(request);
    const text = done.content[0]?.type === 'text' ? done.content[0].text : '';
    expect(text).toContain('llmdev mock Anthropic provider');
    expect(done.usage).toMatchObject({
      input_tokens: estimateInputTokens('anthropic.messages', request),
      cache_read_input_tokens: 0,
    });

    const stream = h.anthropic.messages.stream(request);
    let streamed = '';
    stream.on('text', (delta) => {
      streamed += delta;
    });
    const final = await stream.finalMessage();
    expect(streamed).toBe(text);
    expect(final.usage.output_tokens).toBe(done.usage.output_tokens);
    expect(h.records()[0]).toMatchObject({
      provider: 'anthropic',
      source: 'mock',
      stream: true,
      usage: { outputTokens: done.usage.output_tokens },
    });

    const counted = await h.anthropic.messages.countTokens({ model: request.model, messages });
    expect(counted.input_tokens).toBe(done.usage.input_tokens);
  });

  it('rejects what the real API rejects (Anthropic without max_tokens) in the real format', async () => {
    const res = await call(h, '/v1/messages', { json: { model: 'claude-sonnet-4-20250514', messages } });
    expect(res.status).toBe(400);
    expect(await res.json()).toMatchObject({
      type: 'error',
      error: { type: 'invalid_request_error', message: expect.stringContaining('max_tokens') },
    });
  });
});
