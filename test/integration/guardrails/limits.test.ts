/**
 * Runaway protection on the real sidecar: the per-token rate limit (429 + retry-after), the
 * per-request output cap (400), and loop detection (429), each in the SDKs' own error types,
 * recorded, and lifted as the (injected) clock moves on.
 */
import Anthropic from '@anthropic-ai/sdk';
import OpenAI from 'openai';
import { call, type GuardrailsHarness, startGuardrails } from './harness.js';

const chat = (content: string) => ({ model: 'gpt-4o-mini', messages: [{ role: 'user' as const, content }] });

describe('rate limit per access token', () => {
  let h: GuardrailsHarness;
  beforeAll(async () => {
    h = await startGuardrails({ config: { limits: { requestsPerMinute: 3 } } });
  });
  afterAll(() => h.close());

  it('429 with retry-after past requestsPerMinute; the OpenAI and Anthropic SDKs share the token’s bucket', async () => {
    await h.openai.chat.completions.create(chat('one'));
    await h.anthropic.messages.create({
      model: 'claude-sonnet-4-20250514',
      max_tokens: 10,
      messages: [{ role: 'user', content: 'two' }],
    });
    await h.openai.chat.completions.create(chat('three'));
    const res = await call(h, '/v1/chat/completions', { json: chat('four') });
    expect(res.status).toBe(429);
    expect(res.headers.get('retry-after')).toBe('20');
    expect(res.headers.get('retry-after-ms')).toBe('20000');
    const message =
      'Rate limit: more than 3 requests per minute with this llmdev access token (limits.requestsPerMinute in llmdev.config.yaml). Retry in 20 s, or raise limits.requestsPerMinute.';
    expect(await res.json()).toEqual({
      error: { message, type: 'rate_limit_exceeded', param: null, code: 'rate_limit_exceeded' },
    });
    expect(h.records()[0]).toMatchObject({ status: 429, costUsd: 0, error: message });
    const anthropic = h.anthropic.messages.create({
      model: 'claude-sonnet-4-20250514',
      max_tokens: 10,
      messages: [{ role: 'user', content: 'five' }],
    });
    await expect(anthropic).rejects.toBeInstanceOf(Anthropic.RateLimitError);
    await expect(anthropic).rejects.toMatchObject({
      error: { error: { type: 'rate_limit_error', message } },
    });
  });

  it('lets calls through again as the bucket refills', async () => {
    h.clock.advance(20_000);
    await expect(h.openai.chat.completions.create(chat('six'))).resolves.toMatchObject({
      object: 'chat.completion',
    });
    await expect(h.openai.chat.completions.create(chat('seven'))).rejects.toBeInstanceOf(
      OpenAI.RateLimitError,
    );
  });
});

describe('per-request output cap', () => {
  let h: GuardrailsHarness;
  beforeAll(async () => {
    h = await startGuardrails({ config: { limits: { maxOutputTokens: 1000 } } });
  });
  afterAll(() => h.close());

  it('400 naming the field, the cap and the setting; nothing goes upstream', async () => {
    const before = h.fake.received.length;
    const attempt = h.openai.chat.completions.create({ ...chat('long'), max_completion_tokens: 5000 });
    await expect(attempt).rejects.toBeInstanceOf(OpenAI.BadRequestError);
    await expect(attempt).rejects.toMatchObject({
      code: 'max_tokens_too_large',
      error: {
        message:
          'max_completion_tokens is 5000, above the llmdev cap of 1000 output tokens per request. Lower max_completion_tokens, or raise limits.maxOutputTokens in llmdev.config.yaml.',
      },
    });
    const anthropic = h.anthropic.messages.create({
      model: 'claude-sonnet-4-20250514',
      max_tokens: 1001,
      messages: [{ role: 'user', content: 'x' }],
    });
    await expect(anthropic).rejects.toBeInstanceOf(Anthropic.BadRequestError);
    expect(h.fake.received.length).toBe(before);
    expect(h.records()[0]).toMatchObject({ status: 400, provider: 'anthropic', costUsd: 0 });
    await expect(
      h.anthropic.messages.create({
        model: 'claude-sonnet-4-20250514',
        max_tokens: 1000,
        messages: [{ role: 'user', content: 'x' }],
      }),
    ).resolves.toMatchObject({ type: 'message' });
  });
});

describe('loop detection', () => {
  let h: GuardrailsHarness;
  beforeAll(async () => {
    h = await startGuardrails({ config: { limits: { loopMaxRepeats: 3, loopWindowSeconds: 30 } } });
  });
  afterAll(() => h.close());

  it('refuses the same request past loopMaxRepeats within the window, saying it looks like a loop', async () => {
    const same = chat('Are we there yet?');
    for (let i = 0; i < 3; i++) {
      await h.openai.chat.completions.create(same);
      h.clock.advance(1000);
    }
    const attempt = h.openai.chat.completions.create(same);
    await expect(attempt).rejects.toBeInstanceOf(OpenAI.RateLimitError);
    const message =
      'This looks like a loop: the same request was already sent 3 times in the last 30 s, so llmdev refused this repeat (it is allowed again in 27 s). If the repeats are intended, raise limits.loopMaxRepeats (now 3) or lower limits.loopWindowSeconds (now 30) in llmdev.config.yaml.';
    await expect(attempt).rejects.toMatchObject({
      code: 'loop_detected',
      error: { message, type: 'loop_detected' },
    });
    expect(h.records()[0]).toMatchObject({ status: 429, error: message, costUsd: 0 });
    // Other requests are not affected; the repeat is allowed once the first one leaves the window.
    await h.openai.chat.completions.create(chat('Something else'));
    h.clock.advance(27_000);
    await expect(h.openai.chat.completions.create(same)).resolves.toMatchObject({
      object: 'chat.completion',
    });
  });

  it('the refusal tells SDKs not to retry', async () => {
    const same = chat('again and again');
    for (let i = 0; i < 3; i++) await h.openai.chat.completions.create(same);
    const res = await call(h, '/v1/chat/completions', { json: same });
    expect(res.status).toBe(429);
    expect(res.headers.get('x-should-retry')).toBe('false');
    expect(res.headers.get('retry-after')).toBe('30');
  });
});
