/**
 * The response cache on the real sidecar: miss then hit, byte-identical to the client for JSON and
 * for SSE (OpenAI and Anthropic), bypass, per-request opt-in, errors never cached, TTL, survival
 * across a restart, and hits that neither count against budgets nor need room in them.
 */
import type OpenAI from 'openai';
import { call, type GuardrailsHarness, startGuardrails } from './harness.js';

const PRICES = { 'cache-test': { inputPerMTok: 1, cachedInputPerMTok: 0.5, outputPerMTok: 2 } };
const CHAT = {
  model: 'cache-test',
  max_tokens: 300,
  messages: [{ role: 'user', content: 'count '.repeat(800) }],
};
const MESSAGE = {
  model: 'claude-sonnet-4-20250514',
  max_tokens: 100,
  messages: [{ role: 'user' as const, content: 'Tell me about caching' }],
};

async function send(h: GuardrailsHarness, path: string, json: unknown, headers: Record<string, string> = {}) {
  const res = await call(h, path, { json, headers });
  return { res, bytes: Buffer.from(await res.arrayBuffer()) };
}

describe('cache enabled in the config', () => {
  let h: GuardrailsHarness;
  beforeAll(async () => {
    h = await startGuardrails({
      config: {
        cache: { enabled: true, ttlSeconds: 3600 },
        pricing: { overrides: PRICES },
      },
    });
  });
  afterAll(() => h.close());

  it('JSON: a miss is forwarded and stored, the repeat is replayed byte for byte and recorded as saved', async () => {
    const upstream = h.fake.received.length;
    const first = await send(h, '/v1/chat/completions', CHAT);
    expect(first.res.status).toBe(200);
    expect(first.res.headers.get('x-llmdev-cache')).toBe('miss');
    const original = h.records()[0];
    expect(original?.costUsd).toBeGreaterThan(0);

    const second = await send(h, '/v1/chat/completions', CHAT);
    expect(second.res.status).toBe(200);
    expect(second.res.headers.get('x-llmdev-cache')).toBe('hit');
    expect(second.res.headers.get('content-type')).toBe(first.res.headers.get('content-type'));
    expect(second.res.headers.get('x-llmdev-cost-usd')).toBe('0.00000000');
    expect(second.bytes.equals(first.bytes)).toBe(true);
    expect(h.fake.received.length).toBe(upstream + 1);
    expect(h.records()[0]).toMatchObject({
      id: second.res.headers.get('x-llmdev-request-id'),
      source: 'cache',
      costUsd: 0,
      savedUsd: original?.costUsd,
      usage: original?.usage,
      status: 200,
    });
  });

  it('SSE (OpenAI): the stream is replayed with the same event bytes; the SDK reads it as a stream', async () => {
    const body = { model: 'gpt-4o-mini', stream: true, messages: [{ role: 'user', content: 'stream it' }] };
    const first = await send(h, '/v1/chat/completions', body, { 'x-llmdev-tags': 'run=1' });
    expect(first.res.headers.get('x-llmdev-cache')).toBe('miss');
    expect(first.res.headers.get('content-type')).toMatch(/^text\/event-stream/);
    // The usage chunk the sidecar asked for is hidden from this client, and so from its replay.
    expect(first.bytes.toString()).not.toContain('prompt_tokens');
    const second = await send(h, '/v1/chat/completions', body, { 'x-llmdev-tags': 'run=2' });
    expect(second.res.headers.get('x-llmdev-cache')).toBe('hit');
    expect(second.res.headers.get('content-type')).toMatch(/^text\/event-stream/);
    expect(second.bytes.equals(first.bytes)).toBe(true);
    expect(h.records()[0]).toMatchObject({ source: 'cache', stream: true, tags: { run: '2' } });

    let text = '';
    const stream = await h.openai.chat.completions.create({
      model: 'gpt-4o-mini',
      stream: true,
      messages: body.messages as OpenAI.ChatCompletionMessageParam[],
    });
    for await (const chunk of stream) text += chunk.choices[0]?.delta.content ?? '';
    expect(text.length).toBeGreaterThan(0);
    expect(h.records()[0]).toMatchObject({ source: 'cache' });
  });

  it('SSE (Anthropic): byte-identical replay, read by the Anthropic SDK', async () => {
    const body = { ...MESSAGE, stream: true };
    const first = await send(h, '/v1/messages', body, { 'anthropic-version': '2023-06-01' });
    const second = await send(h, '/v1/messages', body, { 'anthropic-version': '2023-06-01' });
    expect([first.res.headers.get('x-llmdev-cache'), second.res.headers.get('x-llmdev-cache')]).toEqual([
      'miss',
      'hit',
    ]);
    expect(second.bytes.equals(first.bytes)).toBe(true);
    // The SDK sends another anthropic-version (part of the key): its own miss, then its hit.
    const fresh = await h.anthropic.messages.stream(MESSAGE).finalMessage();
    expect(h.records()[0]).toMatchObject({ source: 'proxy', provider: 'anthropic' });
    const replayed = await h.anthropic.messages.stream(MESSAGE).finalMessage();
    expect(h.records()[0]).toMatchObject({ source: 'cache', provider: 'anthropic' });
    expect(replayed).toEqual(fresh);
  });

  it('x-llmdev-cache: off bypasses it (no lookup, no store)', async () => {
    const body = { model: 'gpt-4o-mini', messages: [{ role: 'user', content: 'fresh every time' }] };
    const upstream = h.fake.received.length;
    for (let i = 0; i < 2; i++) {
      const { res } = await send(h, '/v1/chat/completions', body, { 'x-llmdev-cache': 'off' });
      expect(res.headers.get('x-llmdev-cache')).toBeNull();
    }
    expect(h.fake.received.length).toBe(upstream + 2);
    expect((await send(h, '/v1/chat/completions', body)).res.headers.get('x-llmdev-cache')).toBe('miss');
  });

  it('errors and broken responses are never cached', async () => {
    const body = { model: 'gpt-4o-mini', messages: [{ role: 'user', content: 'flaky' }] };
    const failed = await send(h, '/v1/chat/completions', body, { 'x-fake-scenario': 'error-500' });
    expect(failed.res.status).toBe(500);
    const cut = await send(h, '/v1/chat/completions', body, { 'x-fake-scenario': 'cut' });
    expect(cut.res.status).toBe(502);
    const ok = await send(h, '/v1/chat/completions', body);
    expect([ok.res.status, ok.res.headers.get('x-llmdev-cache')]).toEqual([200, 'miss']);
    expect((await send(h, '/v1/chat/completions', body)).res.headers.get('x-llmdev-cache')).toBe('hit');
  });

  it('entries expire after ttlSeconds, and survive a restart until then', async () => {
    const body = { model: 'gpt-4o-mini', messages: [{ role: 'user', content: 'remember me' }] };
    const first = await send(h, '/v1/chat/completions', body);
    await h.restart();
    const replayed = await send(h, '/v1/chat/completions', body);
    expect(replayed.res.headers.get('x-llmdev-cache')).toBe('hit');
    expect(replayed.bytes.equals(first.bytes)).toBe(true);
    h.clock.advance(3600_000);
    expect((await send(h, '/v1/chat/completions', body)).res.headers.get('x-llmdev-cache')).toBe('miss');
  });
});

describe('cache off in the config', () => {
  let h: GuardrailsHarness;
  beforeAll(async () => {
    h = await startGuardrails();
  });
  afterAll(() => h.close());

  it('is used only by requests that say x-llmdev-cache: on', async () => {
    const body = { model: 'gpt-4o-mini', messages: [{ role: 'user', content: 'opt in' }] };
    const plain = await send(h, '/v1/chat/completions', body);
    expect(plain.res.headers.get('x-llmdev-cache')).toBeNull();
    const on = { 'x-llmdev-cache': 'on' };
    expect((await send(h, '/v1/chat/completions', body, on)).res.headers.get('x-llmdev-cache')).toBe('miss');
    const hit = await send(h, '/v1/chat/completions', body, on);
    expect(hit.res.headers.get('x-llmdev-cache')).toBe('hit');
    expect((await send(h, '/v1/chat/completions', body)).res.headers.get('x-llmdev-cache')).toBeNull();
    const sdk = await h.openai.chat.completions.create(
      { model: 'gpt-4o-mini', messages: [{ role: 'user', content: 'opt in' }] },
      { headers: on },
    );
    expect(JSON.stringify(sdk)).toBe(JSON.stringify(JSON.parse(hit.bytes.toString())));
  });
});

describe('cache hits and budgets', () => {
  let h: GuardrailsHarness;
  beforeAll(async () => {
    h = await startGuardrails({
      config: {
        cache: { enabled: true },
        budgets: [{ name: 'tiny', scope: 'total', period: 'day', limitUsd: 0.002 }],
        pricing: { overrides: PRICES },
      },
    });
  });
  afterAll(() => h.close());

  it('a hit needs no room in a budget and costs it nothing; a new request is refused', async () => {
    // tiny ($0.002) holds one call's cost ($0.001288) but not another's worst case ($0.0014+).
    expect((await send(h, '/v1/chat/completions', CHAT)).res.headers.get('x-llmdev-cache')).toBe('miss');
    const [before] = await h.budgets();
    const hit = await send(h, '/v1/chat/completions', CHAT);
    expect(hit.res.headers.get('x-llmdev-cache')).toBe('hit');
    expect(hit.res.headers.get('x-llmdev-budget-remaining-usd')).toBe(
      (0.002 - (before?.spentUsd ?? 0)).toFixed(8),
    );
    const [after] = await h.budgets();
    expect(after?.spentUsd).toBe(before?.spentUsd);
    const fresh = await send(h, '/v1/chat/completions', { ...CHAT, max_tokens: 299 });
    expect(fresh.res.status).toBe(429);
  });
});
