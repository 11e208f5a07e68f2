/**
 * When things go wrong: provider errors passed back unchanged and recorded, connection failures
 * turned into well-formed errors, interrupted streams (upstream cut, client gone) recorded with
 * estimated tokens, cancelled clients cancelling the upstream request, and the upstream timeout.
 */
import Anthropic from '@anthropic-ai/sdk';
import OpenAI from 'openai';
import { countTextTokens, estimateInputTokens } from '../../../src/usage/estimate.js';
import { errorBody } from '../../fixtures/fake-provider-wire.js';
import { call, eventually, type Harness, startHarness } from './harness.js';

let h: Harness;
beforeAll(async () => {
  h = await startHarness();
});
afterAll(() => h.close());

const CHAT = { model: 'gpt-4o-mini', messages: [{ role: 'user' as const, content: 'Tell me a story' }] };
const MESSAGE = {
  model: 'claude-sonnet-4-20250514',
  max_tokens: 100,
  messages: [{ role: 'user' as const, content: 'Hi' }],
};
const scenario = (name: string) => ({ headers: { 'x-fake-scenario': name } });

describe('provider errors', () => {
  it.each([400, 401, 429, 500, 503])(
    'OpenAI %i: status and body passed back unchanged, recorded',
    async (status) => {
      const res = await call(h, '/v1/chat/completions', { json: CHAT, ...scenario(`error-${status}`) });
      expect(res.status).toBe(status);
      const body = await res.json();
      expect(body).toEqual(errorBody('openai', status));
      if (status === 429) expect(res.headers.get('retry-after')).toBe('1');
      const record = h.records().find((r) => r.id === res.headers.get('x-llmdev-request-id'));
      expect(record).toMatchObject({
        status,
        error: (body as { error: { message: string } }).error.message,
        usage: { inputTokens: 0, outputTokens: 0 },
        estimated: false,
        costUsd: 0,
      });
    },
  );

  it.each([400, 401, 429, 500, 503])(
    'Anthropic %i: the SDK raises its usual error; recorded',
    async (status) => {
      const attempt = h.anthropic.messages.create(MESSAGE, scenario(`error-${status}`));
      await expect(attempt).rejects.toBeInstanceOf(Anthropic.APIError);
      await expect(h.anthropic.messages.create(MESSAGE, scenario(`error-${status}`))).rejects.toMatchObject({
        status,
        error: errorBody('anthropic', status),
      });
      const expected = (errorBody('anthropic', status) as { error: { message: string } }).error.message;
      expect(h.records()[0]).toMatchObject({ provider: 'anthropic', status, error: expected });
    },
  );

  it('a streaming request that gets an error is answered with the JSON error, not a stream', async () => {
    const attempt = h.openai.chat.completions.create({ ...CHAT, stream: true }, scenario('error-429'));
    await expect(attempt).rejects.toBeInstanceOf(OpenAI.RateLimitError);
    expect(h.records()[0]).toMatchObject({ stream: true, status: 429 });
  });
});

describe('connection failures', () => {
  it('a reset before any response becomes a 502 in the API format, recorded', async () => {
    const res = await call(h, '/v1/messages', { json: MESSAGE, ...scenario('reset') });
    expect(res.status).toBe(502);
    const body = (await res.json()) as { type: string; error: { type: string; message: string } };
    expect(body).toMatchObject({ type: 'error', error: { type: 'api_error' } });
    expect(body.error.message).toContain('anthropic API connection failed');
    expect(h.records()[0]).toMatchObject({ status: 502, error: body.error.message });
  });

  it('a JSON body cut mid-way becomes a 502', async () => {
    const res = await call(h, '/v1/chat/completions', { json: CHAT, ...scenario('cut') });
    expect(res.status).toBe(502);
    expect(((await res.json()) as { error: { type: string } }).error.type).toBe('upstream_error');
    expect(h.records()[0]).toMatchObject({ status: 502 });
  });

  it('a slow first byte is waited for, and shows in ttfb', async () => {
    const res = await call(h, '/v1/chat/completions', {
      json: CHAT,
      headers: { 'x-fake-scenario': 'slow', 'x-fake-delay-ms': '150' },
    });
    expect(res.status).toBe(200);
    expect(h.records()[0]?.ttfbMs).toBeGreaterThanOrEqual(150);
  });
});

describe('interrupted streams', () => {
  it('upstream cut mid-stream: the client sees an error, the record is estimated from what was seen', async () => {
    const stream = await h.openai.chat.completions.create({ ...CHAT, stream: true }, scenario('cut'));
    let text = '';
    await expect(
      (async () => {
        for await (const chunk of stream) text += chunk.choices[0]?.delta.content ?? '';
      })(),
    ).rejects.toThrow();
    expect(text).toBe('Hello from');
    const record = await eventually(
      () => h.records().find((r) => r.status === 502 && r.stream),
      'the cut stream record',
    );
    expect(record).toMatchObject({
      estimated: true,
      usage: {
        inputTokens: estimateInputTokens('openai.chat', {
          ...CHAT,
          stream: true,
          stream_options: { include_usage: true },
        }),
        outputTokens: countTextTokens('Hello from', 'gpt-4o-mini'),
      },
    });
    expect(record.costUsd).toBeGreaterThan(0);
  });

  it('Anthropic cut after message_start keeps the exact input counts it had', async () => {
    const stream = h.anthropic.messages.stream(MESSAGE, scenario('cut'));
    await expect(stream.finalMessage()).rejects.toThrow();
    const record = await eventually(
      () => h.records().find((r) => r.provider === 'anthropic' && r.status === 502),
      'record',
    );
    expect(record).toMatchObject({
      estimated: true,
      usage: { inputTokens: 2600, cachedInputTokens: 2000, cacheWriteTokens: 500 },
    });
  });

  it('a client that leaves mid-stream cancels the upstream request and is recorded (499, estimated)', async () => {
    const abandonedBefore = h.fake.abandoned();
    const controller = new AbortController();
    const stream = await h.openai.chat.completions.create(
      { ...CHAT, stream: true },
      { ...scenario('stall-mid'), signal: controller.signal },
    );
    let text = '';
    // The openai SDK ends the iteration quietly when its signal aborts.
    for await (const chunk of stream) {
      text += chunk.choices[0]?.delta.content ?? '';
      if (text === 'Hello from') controller.abort();
    }
    await eventually(() => h.fake.abandoned() > abandonedBefore, 'the upstream request to be cancelled');
    const record = await eventually(
      () => h.records().find((r) => r.status === 499),
      'the aborted call record',
    );
    expect(record).toMatchObject({
      stream: true,
      estimated: true,
      error: 'the client closed the connection before the response ended',
      usage: { outputTokens: countTextTokens('Hello from', 'gpt-4o-mini') },
    });
    expect(record.usage.inputTokens).toBeGreaterThan(0);
  });

  it('a client that gives up waiting cancels the upstream request too', async () => {
    const abandonedBefore = h.fake.abandoned();
    await expect(
      h.anthropic.messages.create(MESSAGE, { ...scenario('stall'), timeout: 200 }),
    ).rejects.toThrow();
    await eventually(() => h.fake.abandoned() > abandonedBefore, 'the upstream request to be cancelled');
    const record = await eventually(
      () => h.records().find((r) => r.provider === 'anthropic' && r.status === 499),
      'the record',
    );
    expect(record).toMatchObject({ status: 499, estimated: true, usage: { outputTokens: 0 } });
    expect(record.usage.inputTokens).toBe(estimateInputTokens('anthropic.messages', MESSAGE));
  });
});

describe('timeouts and unreachable providers', () => {
  let slow: Harness;
  beforeAll(async () => {
    slow = await startHarness({
      config: {
        sidecar: { upstreamTimeoutSeconds: 1 },
        providers: { anthropic: { baseUrl: 'http://127.0.0.1:9' } },
      },
    });
  });
  afterAll(() => slow.close());

  it('no answer within upstreamTimeoutSeconds: 504 in the API format, recorded', async () => {
    const res = await call(slow, '/v1/chat/completions', { json: CHAT, ...scenario('stall') });
    expect(res.status).toBe(504);
    expect(((await res.json()) as { error: { message: string } }).error.message).toContain(
      'upstreamTimeoutSeconds',
    );
    expect(slow.records()[0]).toMatchObject({ status: 504 });
  });

  it('a provider that refuses connections: 502 naming the cause', async () => {
    const res = await call(slow, '/v1/messages', { json: MESSAGE });
    expect(res.status).toBe(502);
    expect(((await res.json()) as { error: { message: string } }).error.message).toContain('ECONNREFUSED');
  });
});
