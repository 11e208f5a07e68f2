/**
 * The OpenAI API through the sidecar with the stock `openai` SDK: every endpoint, streaming and
 * not; exact usage and cost recorded; the real key (and nothing of ours) sent upstream.
 */
import type { UsageRecord } from '../../../src/usage/record.js';
import { EXPECTED_USAGE, FAKE_EMBEDDING, FAKE_TEXT, FAKE_USAGE } from '../../fixtures/fake-provider-wire.js';
import { call, type Harness, OPENAI_KEY, pricer, startHarness, TOKEN } from './harness.js';

let h: Harness;
beforeAll(async () => {
  h = await startHarness();
});
afterAll(() => h.close());

const lastUpstream = () => {
  const last = h.fake.received.at(-1);
  if (!last) throw new Error('nothing reached the fake provider');
  return last;
};

function recordById(id: string | null): UsageRecord {
  const record = h.records().find((r) => r.id === id);
  if (!record) throw new Error(`no record ${id}`);
  return record;
}

function expectPriced(record: UsageRecord, model: string): void {
  const quote = pricer.price('openai', model, record.usage, new Date(record.ts));
  expect(quote.costUsd).not.toBeNull();
  expect(record.costUsd).toBeCloseTo(quote.costUsd as number, 12);
  expect(record.pricingSource).toBe(quote.pricingSource);
}

describe('OpenAI chat completions', () => {
  it('forwards a call with the real key, answers unchanged, and records exact usage and cost', async () => {
    const { data, response } = await h.openai.chat.completions
      .create(
        { model: 'gpt-4o-mini', messages: [{ role: 'user', content: 'Hi' }], temperature: 0.2, seed: 7 },
        { headers: { 'x-llmdev-tags': 'team=search, feature=rerank', 'x-llmdev-prompt': 'greeter@v3' } },
      )
      .withResponse();
    expect(data.choices[0]?.message.content).toBe(FAKE_TEXT);
    expect(data.usage).toEqual(FAKE_USAGE.chat);

    const upstream = lastUpstream();
    expect(upstream.url).toBe('/v1/chat/completions');
    expect(upstream.headers.authorization).toBe(`Bearer ${OPENAI_KEY}`);
    expect(JSON.stringify(upstream.headers)).not.toContain(TOKEN);
    expect(Object.keys(upstream.headers).filter((name) => name.startsWith('x-llmdev-'))).toEqual([]);
    expect(upstream.headers['x-stainless-lang']).toBe('js'); // the client's own headers pass through
    expect(JSON.parse(upstream.body)).not.toHaveProperty('stream_options');

    const record = recordById(response.headers.get('x-llmdev-request-id'));
    expect(record).toMatchObject({
      provider: 'openai',
      model: 'gpt-4o-mini',
      endpoint: '/v1/chat/completions',
      stream: false,
      source: 'proxy',
      usage: EXPECTED_USAGE.chat,
      status: 200,
      error: null,
      estimated: false,
      tags: { team: 'search', feature: 'rerank' },
      promptName: 'greeter',
      promptVersion: 'v3',
      params: { temperature: 0.2, seed: 7 },
      systemFingerprint: 'fp_fake',
    });
    expect(record.upstreamRequestId).toMatch(/^req_fake_/);
    expect(record.latencyMs).toBeGreaterThan(0);
    expectPriced(record, 'gpt-4o-mini');
    expect(response.headers.get('x-llmdev-provider')).toBe('openai');
    expect(response.headers.get('x-llmdev-cost-usd')).toBe((record.costUsd as number).toFixed(8));
  });

  it('streams, asks upstream for usage, and hides the usage chunk from a client that did not ask', async () => {
    const stream = await h.openai.chat.completions.create({
      model: 'gpt-4o-mini',
      messages: [{ role: 'user', content: 'Hi' }],
      stream: true,
    });
    const chunks = [];
    for await (const chunk of stream) chunks.push(chunk);
    expect(chunks.map((c) => c.choices[0]?.delta.content ?? '').join('')).toBe(FAKE_TEXT);
    expect(chunks.some((c) => c.choices.length === 0 || c.usage)).toBe(false);
    expect(JSON.parse(lastUpstream().body).stream_options).toEqual({ include_usage: true });

    const [record] = h.records();
    expect(record).toMatchObject({ stream: true, usage: EXPECTED_USAGE.chat, estimated: false, status: 200 });
    expect(record?.ttfbMs).toBeGreaterThan(0);
    expectPriced(record as UsageRecord, 'gpt-4o-mini');
  });

  it('passes the usage chunk to a client that asked for it', async () => {
    const stream = await h.openai.chat.completions.create({
      model: 'gpt-4o-mini',
      messages: [{ role: 'user', content: 'Hi' }],
      stream: true,
      stream_options: { include_usage: true },
    });
    const chunks = [];
    for await (const chunk of stream) chunks.push(chunk);
    expect(chunks.at(-1)?.choices).toEqual([]);
    expect(chunks.at(-1)?.usage).toEqual(FAKE_USAGE.chat);
    expect(h.records()[0]?.usage).toEqual(EXPECTED_USAGE.chat);
  });

  it('passes SSE through unchanged when it arrives in odd pieces', async () => {
    const stream = await h.openai.chat.completions.create(
      { model: 'gpt-4o-mini', messages: [{ role: 'user', content: 'Hi' }], stream: true },
      { headers: { 'x-fake-scenario': 'split' } },
    );
    let text = '';
    for await (const chunk of stream) text += chunk.choices[0]?.delta.content ?? '';
    expect(text).toBe(FAKE_TEXT);
    expect(h.records()[0]?.usage).toEqual(EXPECTED_USAGE.chat);
  });

  it('rejects a malformed x-llmdev-tags header with a 400 in OpenAI format', async () => {
    const attempt = h.openai.chat.completions.create(
      { model: 'gpt-4o-mini', messages: [{ role: 'user', content: 'Hi' }] },
      { headers: { 'x-llmdev-tags': 'no-equals-sign' } },
    );
    await expect(attempt).rejects.toMatchObject({
      status: 400,
      message: expect.stringContaining('x-llmdev-tags'),
    });
  });
});

describe('OpenAI Responses API', () => {
  it('records usage with cached and reasoning tokens, non-streaming', async () => {
    const { data, response } = await h.openai.responses
      .create({ model: 'gpt-4.1-mini', input: 'Hi', max_output_tokens: 500 })
      .withResponse();
    expect(data.output_text).toBe(FAKE_TEXT);
    const record = recordById(response.headers.get('x-llmdev-request-id'));
    expect(record).toMatchObject({
      endpoint: '/v1/responses',
      usage: EXPECTED_USAGE.responses,
      params: { max_output_tokens: 500 },
    });
    expectPriced(record, 'gpt-4.1-mini');
  });

  it('takes usage from response.completed when streaming', async () => {
    const stream = h.openai.responses.stream({ model: 'gpt-4.1-mini', input: 'Hi' });
    let text = '';
    for await (const event of stream) if (event.type === 'response.output_text.delta') text += event.delta;
    const final = await stream.finalResponse();
    expect(text).toBe(FAKE_TEXT);
    expect(final.usage?.input_tokens).toBe(900);
    expect(JSON.parse(lastUpstream().body)).not.toHaveProperty('stream_options');
    expect(h.records()[0]).toMatchObject({ stream: true, usage: EXPECTED_USAGE.responses, estimated: false });
  });
});

describe('OpenAI embeddings, completions and models', () => {
  it('embeddings: the SDK decodes the base64 vectors it asked for; usage recorded', async () => {
    const result = await h.openai.embeddings.create({ model: 'text-embedding-3-small', input: ['a', 'b'] });
    expect(result.data).toHaveLength(2);
    expect(result.data[0]?.embedding).toEqual(FAKE_EMBEDDING);
    const [record] = h.records();
    expect(record).toMatchObject({ endpoint: '/v1/embeddings', usage: EXPECTED_USAGE.embeddings });
    expectPriced(record as UsageRecord, 'text-embedding-3-small');
  });

  it('legacy completions, non-streaming and streaming (usage chunk hidden)', async () => {
    const done = await h.openai.completions.create({
      model: 'gpt-3.5-turbo-instruct',
      prompt: 'Say hi',
      max_tokens: 20,
    });
    expect(done.choices[0]?.text).toBe(FAKE_TEXT);
    expect(h.records()[0]).toMatchObject({
      endpoint: '/v1/completions',
      usage: EXPECTED_USAGE.completions,
      params: { max_tokens: 20 },
    });

    const stream = await h.openai.completions.create({
      model: 'gpt-3.5-turbo-instruct',
      prompt: 'Say hi',
      stream: true,
    });
    const chunks = [];
    for await (const chunk of stream) chunks.push(chunk);
    expect(chunks.map((c) => c.choices[0]?.text ?? '').join('')).toBe(FAKE_TEXT);
    expect(chunks.some((c) => c.choices.length === 0)).toBe(false);
    expect(h.records()[0]).toMatchObject({
      stream: true,
      usage: EXPECTED_USAGE.completions,
      estimated: false,
    });
    expectPriced(h.records()[0] as UsageRecord, 'gpt-3.5-turbo-instruct');
  });

  it('models list is passed through and not recorded', async () => {
    const before = h.records().length;
    const models = [];
    for await (const model of h.openai.models.list()) models.push(model.id);
    expect(models).toContain('gpt-4o-mini');
    expect(lastUpstream()).toMatchObject({ method: 'GET', url: '/v1/models' });
    expect(lastUpstream().headers.authorization).toBe(`Bearer ${OPENAI_KEY}`);
    expect(h.records()).toHaveLength(before);
  });

  it('one model is passed through too', async () => {
    const model = await h.openai.models.retrieve('gpt-4o-mini');
    expect(model).toMatchObject({ id: 'gpt-4o-mini', object: 'model' });
    expect(lastUpstream()).toMatchObject({ method: 'GET', url: '/v1/models/gpt-4o-mini' });
  });
});

describe('stored request bodies', () => {
  it('keeps the client body for replay, with secrets masked', async () => {
    const res = await call(h, '/v1/chat/completions', {
      json: { model: 'gpt-4o-mini', messages: [{ role: 'user', content: `my key is ${OPENAI_KEY}` }] },
    });
    expect(res.status).toBe(200);
    const id = res.headers.get('x-llmdev-request-id');
    const db = await import('better-sqlite3');
    const reader = new db.default(`${h.dataDir}/usage.db`, { readonly: true });
    const row = reader.prepare('SELECT body FROM request_bodies WHERE record_id = ?').get(id) as {
      body: string;
    };
    reader.close();
    expect(row.body).toContain('my key is [redacted]');
    expect(row.body).not.toContain(OPENAI_KEY);
  });
});
