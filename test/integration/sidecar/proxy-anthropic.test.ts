/**
 * The Anthropic Messages API through the sidecar with the stock `@anthropic-ai/sdk`: usage split
 * across message_start and message_delta, cache reads and writes added to input, the real key sent
 * as x-api-key with the client's anthropic-* headers kept.
 */
import { EXPECTED_USAGE, FAKE_TEXT, FAKE_USAGE } from '../../fixtures/fake-provider-wire.js';
import { ANTHROPIC_KEY, call, type Harness, pricer, startHarness, TOKEN } from './harness.js';

let h: Harness;
beforeAll(async () => {
  h = await startHarness();
});
afterAll(() => h.close());

const MODEL = 'claude-sonnet-4-20250514';
const lastUpstream = () => h.fake.received.at(-1);

describe('Anthropic messages', () => {
  it('forwards with the real key as x-api-key and records cache reads and writes', async () => {
    const { data, response } = await h.anthropic.messages
      .create(
        {
          model: MODEL,
          max_tokens: 256,
          messages: [{ role: 'user', content: 'Hi' }],
          stop_sequences: ['END'],
        },
        {
          headers: {
            'anthropic-version': '2023-06-01',
            'anthropic-beta': 'prompt-caching-2024-07-31',
            'x-llmdev-tags': 'team=docs',
          },
        },
      )
      .withResponse();
    expect(data.content).toEqual([{ type: 'text', text: FAKE_TEXT }]);
    expect(data.usage).toMatchObject(FAKE_USAGE.anthropic);

    const upstream = lastUpstream();
    expect(upstream?.url).toBe('/v1/messages');
    expect(upstream?.headers['x-api-key']).toBe(ANTHROPIC_KEY);
    expect(upstream?.headers.authorization).toBeUndefined();
    expect(upstream?.headers['anthropic-version']).toBe('2023-06-01');
    expect(upstream?.headers['anthropic-beta']).toBe('prompt-caching-2024-07-31');
    expect(upstream?.headers['x-llmdev-tags']).toBeUndefined();
    expect(JSON.stringify(upstream?.headers)).not.toContain(TOKEN);

    const record = h.records().find((r) => r.id === response.headers.get('x-llmdev-request-id'));
    expect(record).toMatchObject({
      provider: 'anthropic',
      model: MODEL,
      endpoint: '/v1/messages',
      source: 'proxy',
      usage: EXPECTED_USAGE.anthropic,
      estimated: false,
      tags: { team: 'docs' },
      params: { max_tokens: 256, stop_sequences: ['END'] },
    });
    const quote = pricer.price('anthropic', MODEL, EXPECTED_USAGE.anthropic, new Date(record?.ts ?? 0));
    expect(record?.costUsd).toBeCloseTo(quote.costUsd as number, 12);
    expect(response.headers.get('x-llmdev-cost-usd')).toBe((quote.costUsd as number).toFixed(8));
  });

  it('streams event by event and takes usage from message_start + message_delta', async () => {
    const stream = h.anthropic.messages.stream({
      model: MODEL,
      max_tokens: 256,
      messages: [{ role: 'user', content: 'Hi' }],
    });
    let text = '';
    stream.on('text', (delta) => {
      text += delta;
    });
    const final = await stream.finalMessage();
    expect(text).toBe(FAKE_TEXT);
    expect(final.usage.output_tokens).toBe(250);
    expect(h.records()[0]).toMatchObject({
      stream: true,
      usage: EXPECTED_USAGE.anthropic,
      estimated: false,
      status: 200,
    });
  });

  it('routes a path with a query string (older SDKs send ?beta=true) and forwards the query', async () => {
    const res = await call(h, '/v1/messages?beta=true', {
      json: { model: MODEL, max_tokens: 64, messages: [{ role: 'user', content: 'Hi' }] },
      headers: { 'anthropic-version': '2023-06-01' },
    });
    expect(res.status).toBe(200);
    expect(lastUpstream()?.url).toBe('/v1/messages?beta=true');
    expect(h.records()[0]).toMatchObject({ endpoint: '/v1/messages', usage: EXPECTED_USAGE.anthropic });
  });

  it('count_tokens is passed through and not recorded', async () => {
    const before = h.records().length;
    const counted = await h.anthropic.messages.countTokens({
      model: MODEL,
      messages: [{ role: 'user', content: 'Hi' }],
    });
    expect(counted.input_tokens).toBe(77);
    expect(lastUpstream()?.url).toBe('/v1/messages/count_tokens');
    expect(lastUpstream()?.headers['x-api-key']).toBe(ANTHROPIC_KEY);
    expect(h.records()).toHaveLength(before);
  });
});

describe('Anthropic models', () => {
  it('the list and one model go to Anthropic with its key, told apart by anthropic-version', async () => {
    const ids = [];
    for await (const model of h.anthropic.models.list()) ids.push(model.id);
    expect(ids).toContain('claude-sonnet-4-5-20250929');
    expect(lastUpstream()?.headers['x-api-key']).toBe(ANTHROPIC_KEY);
    const model = await h.anthropic.models.retrieve('claude-haiku-4-5-20251001');
    expect(model).toMatchObject({ type: 'model', id: 'claude-haiku-4-5-20251001' });
    expect(lastUpstream()).toMatchObject({ method: 'GET', url: '/v1/models/claude-haiku-4-5-20251001' });
  });

  it('errors reach an Anthropic client in its own format', async () => {
    const res = await fetch(`${h.url}/v1/models`, { headers: { 'anthropic-version': '2023-06-01' } });
    expect(res.status).toBe(401);
    expect(await res.json()).toMatchObject({ type: 'error', error: { type: 'authentication_error' } });
  });
});
