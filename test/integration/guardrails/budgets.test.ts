/**
 * Budgets on the real sidecar in front of the fake provider: concurrent calls never overspend a
 * blocking budget, the refusal is exact, warn budgets forward, periods roll over with the clock,
 * a restart keeps spend, and no failure mode leaves a reservation behind.
 */
import Anthropic from '@anthropic-ai/sdk';
import OpenAI from 'openai';
import { estimateInputTokens } from '../../../src/usage/estimate.js';
import { call, eventually, type GuardrailsHarness, startGuardrails } from './harness.js';

/** Test prices (USD per million tokens), so every figure below can be worked out by hand. */
const PRICES = {
  'budget-test': { inputPerMTok: 1, cachedInputPerMTok: 0.5, outputPerMTok: 2 },
  // Explicit 1-hour write rate: the default for Anthropic (2x input) would double the reservations below.
  'claude-budget-test': { inputPerMTok: 1, outputPerMTok: 2, cacheWrite1hPerMTok: 1 },
};
/**
 * The fake provider reports fixed usage (chat: 1200 input of which 1024 cached, 300 output), so the
 * prompt is sized for the reservation (its tokens at $1/M, 300 output at $2/M) to cover that.
 */
const CHAT = {
  model: 'budget-test',
  max_tokens: 300,
  messages: [{ role: 'user' as const, content: 'count '.repeat(800) }],
};
const CHAT_COST = (176 * 1 + 1024 * 0.5 + 300 * 2) / 1e6;
const CHAT_WORST = (estimateInputTokens('openai.chat', CHAT) + 300 * 2) / 1e6;
const usd = (value: number) => `$${Number(value.toFixed(8))}`;
const sum = (values: number[]) => values.reduce((total, value) => total + value, 0);

describe('a small blocking budget under 100 concurrent calls', () => {
  let h: GuardrailsHarness;
  const LIMIT = 0.02;
  beforeAll(async () => {
    h = await startGuardrails({
      config: {
        budgets: [{ name: 'small', scope: 'total', period: 'day', limitUsd: LIMIT }],
        pricing: { overrides: PRICES },
        // One request sent 100 times at once is what loop detection stops first: let it through.
        limits: { loopMaxRepeats: 1000 },
      },
    });
  });
  afterAll(() => h.close());

  it('never spends past the limit; the refusals are 429 budget_exceeded; nothing stays reserved', async () => {
    expect(CHAT_WORST).toBeGreaterThanOrEqual(CHAT_COST); // the precondition of a hard guarantee
    const attempts = Array.from({ length: 100 }, async (_, i) => {
      try {
        if (i % 2 === 0) {
          await h.openai.chat.completions.create(CHAT);
        } else {
          const stream = await h.openai.chat.completions.create({ ...CHAT, stream: true });
          for await (const _chunk of stream) {
            // drain
          }
        }
        return 'ok';
      } catch (error) {
        if (
          error instanceof OpenAI.RateLimitError &&
          (error.error as { type?: string }).type === 'budget_exceeded'
        )
          return 'blocked';
        throw error;
      }
    });
    const outcomes = await Promise.all(attempts);
    const served = outcomes.filter((o) => o === 'ok').length;
    const blocked = outcomes.filter((o) => o === 'blocked').length;
    const records = h.records();
    const spent = sum(records.map((r) => r.costUsd ?? 0));
    const overshoot = Math.max(0, spent - LIMIT);
    console.log(
      `100 concurrent calls, limit ${usd(LIMIT)}: served ${served}, blocked ${blocked}, spent ${usd(spent)}, worst overshoot ${usd(overshoot)}`,
    );
    expect(served + blocked).toBe(100);
    expect(served).toBeGreaterThan(0);
    expect(blocked).toBeGreaterThan(0);
    expect(overshoot).toBe(0);
    expect(served).toBeLessThanOrEqual(Math.floor(LIMIT / CHAT_COST));
    // Every attempt is recorded; the blocked ones with status 429, cost 0 and the error.
    expect(records).toHaveLength(100);
    expect(records.filter((r) => r.status === 429)).toHaveLength(blocked);
    for (const r of records.filter((x) => x.status === 429)) {
      expect(r).toMatchObject({ costUsd: 0, usage: { inputTokens: 0, outputTokens: 0 } });
      expect(r.error).toMatch(/^Budget "small" \(budgets\[0\]\) exceeded/);
    }
    const [budget] = await h.budgets();
    expect(budget).toMatchObject({ name: 'small', reservedUsd: 0, inFlight: 0, limitUsd: LIMIT });
    expect(budget?.spentUsd).toBeCloseTo(spent, 10);
  });

  it('the refusal says exactly what was spent, reserved, the limit, the reset time and the key to change', async () => {
    // The concurrent test may stop short of the limit by less than one call's worst case (the
    // reservation is a bound, not the real cost): spend sequentially until the refusal comes.
    let spent = 0;
    let res: Response | undefined;
    for (let i = 0; i < Math.ceil(CHAT_WORST / CHAT_COST) + 1; i++) {
      spent = sum(h.records().map((r) => r.costUsd ?? 0));
      res = await call(h, '/v1/chat/completions', { json: CHAT });
      if (res.status === 429) break;
      await res.text();
    }
    if (!res) throw new Error('no call was made');
    expect(res.status).toBe(429);
    expect(res.headers.get('x-should-retry')).toBe('false');
    expect(Number(res.headers.get('x-llmdev-budget-remaining-usd'))).toBeCloseTo(LIMIT - spent, 8);
    const message = `Budget "small" (budgets[0]) exceeded: this call could cost up to ${usd(CHAT_WORST)}, and ${usd(spent)} is spent plus $0 reserved by calls in flight, of a $0.02 limit per day (UTC). It resets at 2025-06-16T00:00:00.000Z. To change the limit, edit budgets[0].limitUsd in llmdev.config.yaml.`;
    expect(await res.json()).toEqual({
      error: { message, type: 'budget_exceeded', param: null, code: 'budget_exceeded' },
    });
    expect(h.records()[0]).toMatchObject({ status: 429, costUsd: 0, error: message });
  });
});

describe('budgets by provider, in the Anthropic format, with warnings', () => {
  let h: GuardrailsHarness;
  beforeAll(async () => {
    h = await startGuardrails({
      config: {
        budgets: [
          { name: 'claude', scope: 'provider', match: 'anthropic', period: 'month', limitUsd: 0.004 },
          { name: 'watch', scope: 'total', period: 'day', limitUsd: 0.002, action: 'warn', warnAt: 0.5 },
        ],
        pricing: { overrides: PRICES },
      },
    });
  });
  afterAll(() => h.close());

  // Fake Anthropic usage: 100 + 500 cache writes + 2000 cache reads = 2600 input, 250 output.
  const MESSAGE = {
    model: 'claude-budget-test',
    max_tokens: 250,
    messages: [{ role: 'user' as const, content: 'tally '.repeat(2200) }],
  };
  const MESSAGE_COST = (2600 * 1 + 250 * 2) / 1e6;

  it('a warn budget forwards past its warnAt and its limit, with the warning header; logs each crossing once', async () => {
    const send = async () => {
      const res = await call(h, '/v1/chat/completions', { json: CHAT });
      expect(res.status).toBe(200);
      await res.text();
      return res.headers;
    };
    const first = await send();
    expect(first.get('x-llmdev-budget-warning')).toBeNull();
    // The remaining counts this call's reservation (its worst case) as spent.
    expect(Number(first.get('x-llmdev-budget-remaining-usd'))).toBeCloseTo(0.002 - CHAT_WORST, 8);
    expect((await send()).get('x-llmdev-budget-warning')).toBe(
      `budget "watch" (budgets[1]) at 64% of its limit: ${usd(CHAT_COST)} of $0.002 per day (UTC), resets 2025-06-16T00:00:00.000Z`,
    );
    const third = await send();
    expect(third.get('x-llmdev-budget-warning')).toBe(
      `budget "watch" (budgets[1]) over its limit: ${usd(2 * CHAT_COST)} of $0.002 per day (UTC), resets 2025-06-16T00:00:00.000Z`,
    );
    expect(third.get('x-llmdev-budget-remaining-usd')).toBe('0.00000000');
    await send();
    const logged = (msg: string) => h.logs.filter((line) => line.includes(`"msg":"${msg}"`));
    expect(logged('budget warning')).toHaveLength(1);
    expect(logged('budget limit reached')).toHaveLength(1);
    expect(logged('budget limit reached')[0]).toContain('"budget":"watch"');
  });

  it('the Anthropic SDK gets the refusal in its own format, and the call is recorded', async () => {
    await h.anthropic.messages.create(MESSAGE); // $0.0031 of $0.004
    const worst = (Math.ceil(estimateInputTokens('anthropic.messages', MESSAGE) * 1.2) + 250 * 2) / 1e6;
    const attempt = h.anthropic.messages.create(MESSAGE);
    await expect(attempt).rejects.toBeInstanceOf(Anthropic.RateLimitError);
    const error = (await attempt.catch((e: unknown) => e)) as InstanceType<typeof Anthropic.APIError>;
    expect(error.error).toEqual({
      type: 'error',
      error: {
        type: 'budget_exceeded',
        message: `Budget "claude" (budgets[0]) exceeded: this call could cost up to ${usd(worst)}, and ${usd(MESSAGE_COST)} is spent plus $0 reserved by calls in flight, of a $0.004 limit per month (UTC). It resets at 2025-07-01T00:00:00.000Z. To change the limit, edit budgets[0].limitUsd in llmdev.config.yaml.`,
      },
    });
    expect(h.records()[0]).toMatchObject({ provider: 'anthropic', status: 429, costUsd: 0 });
    // The OpenAI side is not in this budget.
    const res = await call(h, '/v1/chat/completions', { json: CHAT });
    expect(res.status).toBe(200);
    await res.text();
  });
});

describe('a call without an output cap', () => {
  let h: GuardrailsHarness;
  beforeAll(async () => {
    h = await startGuardrails({
      config: {
        budgets: [{ name: 'daily', scope: 'total', period: 'day', limitUsd: 1 }],
        pricing: { overrides: PRICES },
        limits: { defaultMaxOutputTokens: 512 },
      },
    });
  });
  afterAll(() => h.close());
  const sentUpstream = () => JSON.parse(h.fake.received.at(-1)?.body ?? '{}') as Record<string, unknown>;

  it('is sent with the cap it was reserved at under a blocking budget, and told so', async () => {
    const { max_tokens: _cap, ...uncapped } = CHAT;
    const completion = await h.openai.chat.completions.create(uncapped).withResponse();
    expect(completion.response.headers.get('x-llmdev-output-capped')).toBe('512');
    expect(sentUpstream()).toMatchObject({ max_completion_tokens: 512 });
    expect(uncapped).not.toHaveProperty('max_tokens');
  });

  it('keeps its own cap untouched', async () => {
    const completion = await h.openai.chat.completions.create(CHAT).withResponse();
    expect(completion.response.headers.get('x-llmdev-output-capped')).toBeNull();
    expect(sentUpstream()).toMatchObject({ max_tokens: 300 });
    expect(sentUpstream()).not.toHaveProperty('max_completion_tokens');
  });
});

describe('periods, restarts and the mock provider', () => {
  let h: GuardrailsHarness;
  beforeAll(async () => {
    h = await startGuardrails({
      now: '2025-06-15T23:59:00.000Z',
      keys: { anthropic: '' }, // Anthropic is the built-in mock
      config: {
        budgets: [
          { name: 'daily', scope: 'total', period: 'day', limitUsd: 0.003 },
          { name: 'monthly', scope: 'total', period: 'month', limitUsd: 1 },
        ],
        pricing: { overrides: PRICES },
      },
    });
  });
  afterAll(() => h.close());

  const spentOf = async (name: string) => (await h.budgets()).find((b) => b.name === name)?.spentUsd;

  it('spend from yesterday does not count today; a restart mid-period keeps the spend', async () => {
    for (let i = 0; i < 2; i++) await h.openai.chat.completions.create(CHAT);
    await expect(h.openai.chat.completions.create(CHAT)).rejects.toBeInstanceOf(OpenAI.RateLimitError);
    expect(await spentOf('daily')).toBeCloseTo(2 * CHAT_COST, 10);

    h.clock.set('2025-06-16T00:00:00.000Z'); // UTC midnight
    const [daily, monthly] = await h.budgets();
    expect(daily).toMatchObject({
      spentUsd: 0,
      windowStart: '2025-06-16T00:00:00.000Z',
      resetsAt: '2025-06-17T00:00:00.000Z',
    });
    expect(monthly?.spentUsd).toBeCloseTo(2 * CHAT_COST, 10);
    await h.openai.chat.completions.create(CHAT);

    h.clock.set('2025-06-16T13:00:00.000Z');
    await h.restart();
    expect(await spentOf('daily')).toBeCloseTo(CHAT_COST, 10);
    expect(await spentOf('monthly')).toBeCloseTo(3 * CHAT_COST, 10);
    expect((await h.budgets()).every((b) => b.reservedUsd === 0 && b.inFlight === 0)).toBe(true);
    await h.openai.chat.completions.create(CHAT);
    await expect(h.openai.chat.completions.create(CHAT)).rejects.toBeInstanceOf(OpenAI.RateLimitError);

    h.clock.set('2025-07-01T00:00:00.000Z'); // a new month too
    expect((await h.budgets()).map((b) => b.spentUsd)).toEqual([0, 0]);
  });

  it('mock calls are priced and count', async () => {
    const before = (await spentOf('daily')) ?? 0;
    const message = await h.anthropic.messages.create({
      model: 'claude-budget-test',
      max_tokens: 100,
      messages: [{ role: 'user', content: 'Hello mock' }],
    });
    const record = h.records()[0];
    expect(record).toMatchObject({ source: 'mock', estimated: true });
    const cost = (message.usage.input_tokens + message.usage.output_tokens * 2) / 1e6;
    expect(record?.costUsd).toBeCloseTo(cost, 12);
    expect(await spentOf('daily')).toBeCloseTo(before + cost, 12);
  });
});

describe('records ingested from direct calls', () => {
  let h: GuardrailsHarness;
  beforeAll(async () => {
    h = await startGuardrails({
      config: {
        budgets: [{ name: 'daily', scope: 'total', period: 'day', limitUsd: 0.01 }],
        pricing: { overrides: PRICES },
      },
    });
  });
  afterAll(() => h.close());

  it('count once reported, and then stop proxied calls that no longer fit', async () => {
    const usage = { inputTokens: 1000, outputTokens: 4000 }; // $0.009
    const res = await call(h, '/v1/usage', { json: { provider: 'openai', model: 'budget-test', usage } });
    expect(res.status).toBe(202);
    const [daily] = await h.budgets();
    expect(daily?.spentUsd).toBeCloseTo(0.009, 12);
    await expect(h.openai.chat.completions.create(CHAT)).rejects.toBeInstanceOf(OpenAI.RateLimitError);
    // An ingested record of another day is filed there.
    await call(h, '/v1/usage', {
      json: { provider: 'openai', model: 'budget-test', usage, ts: '2025-06-14T10:00:00Z' },
    }).then((r) => r.text());
    expect((await h.budgets())[0]?.spentUsd).toBeCloseTo(0.009, 12);
  });
});

describe('no reservation outlives its call', () => {
  let h: GuardrailsHarness;
  beforeAll(async () => {
    h = await startGuardrails({
      config: {
        budgets: [{ name: 'roomy', scope: 'total', period: 'day', limitUsd: 100 }],
        sidecar: { logLevel: 'debug', upstreamTimeoutSeconds: 1 },
        pricing: { overrides: PRICES },
      },
    });
  });
  afterAll(() => h.close());

  const scenario = (name: string, extra: Record<string, string> = {}) => ({
    headers: { 'x-fake-scenario': name, ...extra },
  });
  const settledToZero = () =>
    eventually(async () => {
      const [budget] = await h.budgets();
      return budget?.reservedUsd === 0 && budget.inFlight === 0 && budget;
    }, 'the reservation to be released');

  it('is held while the call is in flight', async () => {
    const pending = call(h, '/v1/chat/completions', {
      json: CHAT,
      ...scenario('slow', { 'x-fake-delay-ms': '600' }),
    });
    const held = await eventually(async () => {
      const [budget] = await h.budgets();
      return budget?.inFlight === 1 && budget;
    }, 'the call to be in flight');
    expect(held.reservedUsd).toBeCloseTo(CHAT_WORST, 12);
    expect((await pending).status).toBe(200);
    await settledToZero();
  });

  it.each([
    ['an upstream 500', 'error-500', 500],
    ['an upstream 429', 'error-429', 429],
    ['a connection reset', 'reset', 502],
    ['a body cut mid-way', 'cut', 502],
    ['an upstream that never answers (timeout)', 'stall', 504],
  ])('after %s', async (_, name, status) => {
    const res = await call(h, '/v1/chat/completions', { json: CHAT, ...scenario(name) });
    expect(res.status).toBe(status);
    await res.text();
    await settledToZero();
  });

  it('after a stream cut mid-way (the client sees the stream break)', async () => {
    const stream = await h.openai.chat.completions.create({ ...CHAT, stream: true }, scenario('cut'));
    await expect(
      (async () => {
        for await (const _chunk of stream) {
          // drain
        }
      })(),
    ).rejects.toThrow();
    await settledToZero();
    expect(h.records()[0]).toMatchObject({ status: 502, stream: true });
  });

  it('after the client aborts a stream', async () => {
    const controller = new AbortController();
    const stream = await h.openai.chat.completions.create(
      { ...CHAT, stream: true },
      { ...scenario('stall-mid'), signal: controller.signal },
    );
    // The SDK ends the iteration quietly when its own signal aborts.
    for await (const _chunk of stream) controller.abort();
    expect(controller.signal.aborted).toBe(true);
    await settledToZero();
    await eventually(() => h.records()[0]?.status === 499, 'the aborted call to be recorded');
  });

  it('after a stream stalls mid-way into the timeout', async () => {
    const res = await call(h, '/v1/chat/completions', {
      json: { ...CHAT, stream: true },
      ...scenario('stall-mid'),
    });
    await res.text().catch(() => '');
    await settledToZero();
    expect(h.records()[0]).toMatchObject({ status: 504 });
  });
});
