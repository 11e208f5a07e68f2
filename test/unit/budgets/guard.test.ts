import { parseConfig } from '../../../src/config/load.js';
import { createPricer } from '../../../src/pricing/index.js';
import { budgetGuard, budgetHeaders, worstCaseCostUsd } from '../../../src/sidecar/budgets/guard.js';
import { BudgetLedger } from '../../../src/sidecar/budgets/ledger.js';
import type { AdmissionResult } from '../../../src/sidecar/proxy/guards.js';
import { admit } from '../../../src/sidecar/proxy/guards.js';
import { estimateInputTokens } from '../../../src/usage/estimate.js';
import { guardedCall } from '../../helpers/guarded-call.js';

const config = parseConfig({
  text: JSON.stringify({
    project: { name: 'demo' },
    budgets: [
      { name: 'daily', scope: 'total', period: 'day', limitUsd: 0.01 },
      { name: 'search', scope: 'tag', match: 'team=search', limitUsd: 1, action: 'warn', warnAt: 0.5 },
    ],
    limits: { defaultMaxOutputTokens: 1000, modelMaxOutputTokens: { 'capped-model': 50 } },
    pricing: {
      overrides: {
        'test-model': { inputPerMTok: 1, outputPerMTok: 2 },
        'capped-model': { inputPerMTok: 1, outputPerMTok: 2 },
        'claude-test': { inputPerMTok: 1, outputPerMTok: 2, cacheWritePerMTok: 1.25 },
      },
    },
  }),
});
const pricer = createPricer(config.pricing.overrides);
const MESSAGES = [{ role: 'user', content: 'How many roads must a man walk down?' }];

describe('worstCaseCostUsd', () => {
  const cost = (kind: Parameters<typeof guardedCall>[0], json: Record<string, unknown>) =>
    worstCaseCostUsd(guardedCall(kind, json), pricer, config.limits);

  it('input counted by the tokenizer, output at the request cap', () => {
    const json = { model: 'test-model', messages: MESSAGES, max_tokens: 200 };
    const input = estimateInputTokens('openai.chat', json);
    expect(input).toBeGreaterThan(10);
    expect(cost('openai.chat', json)).toBeCloseTo((input * 1 + 200 * 2) / 1e6, 15);
    // max_completion_tokens wins over max_tokens; n multiplies the output.
    expect(cost('openai.chat', { ...json, max_completion_tokens: 100, n: 3 })).toBeCloseTo(
      (input + 300 * 2) / 1e6,
      15,
    );
  });

  it('without a cap: the model default, else limits.defaultMaxOutputTokens', () => {
    const plain = { model: 'test-model', messages: MESSAGES };
    const input = estimateInputTokens('openai.chat', plain);
    expect(cost('openai.chat', plain)).toBeCloseTo((input + 1000 * 2) / 1e6, 15);
    expect(cost('openai.chat', { ...plain, model: 'capped-model' })).toBeCloseTo((input + 50 * 2) / 1e6, 15);
  });

  it('Claude input gets a 20% margin, at the dearest input rate it can be billed (5-minute cache writes: 1.25x)', () => {
    const json = { model: 'claude-test', max_tokens: 10, messages: MESSAGES };
    const input = Math.ceil(estimateInputTokens('anthropic.messages', json) * 1.2);
    expect(cost('anthropic.messages', json)).toBeCloseTo((input * 1.25 + 10 * 2) / 1e6, 15);
  });

  it('a request that asks for the 1-hour cache anywhere is reserved at 1-hour cache writes (2x input)', () => {
    const hour = { type: 'ephemeral', ttl: '1h' };
    for (const json of [
      {
        model: 'claude-test',
        max_tokens: 10,
        messages: MESSAGES,
        system: [{ type: 'text', text: 'Be brief.', cache_control: hour }],
      },
      {
        model: 'claude-test',
        max_tokens: 10,
        messages: [{ role: 'user', content: [{ type: 'text', text: 'Hi', cache_control: hour }] }],
      },
    ]) {
      const input = Math.ceil(estimateInputTokens('anthropic.messages', json) * 1.2);
      expect(cost('anthropic.messages', json)).toBeCloseTo((input * 2 + 10 * 2) / 1e6, 15);
    }
  });

  it('responses use max_output_tokens; embeddings have no output', () => {
    const responses = { model: 'test-model', input: 'hello there', max_output_tokens: 10 };
    expect(cost('openai.responses', responses)).toBeCloseTo(
      (estimateInputTokens('openai.responses', responses) + 20) / 1e6,
      15,
    );
    const embeddings = { model: 'test-model', input: 'hello there' };
    expect(cost('openai.embeddings', embeddings)).toBeCloseTo(
      estimateInputTokens('openai.embeddings', embeddings) / 1e6,
      15,
    );
  });

  it('null for a model without a price', () => {
    expect(cost('openai.chat', { model: 'no-such-model-xyz', messages: MESSAGES })).toBeNull();
  });
});

describe('budgetGuard', () => {
  const setup = () => {
    const ledger = new BudgetLedger(config.budgets, { now: () => Date.parse('2025-06-15T12:00:00Z') });
    return { ledger, guard: budgetGuard({ ledger, pricer, limits: config.limits }) };
  };
  const chat = (maxTokens: number, headers = {}) =>
    guardedCall(
      'openai.chat',
      { model: 'test-model', messages: MESSAGES, max_tokens: maxTokens },
      { headers },
    );

  it('reserves the worst case, sends the remaining of the tightest budget, releases on settle', async () => {
    const { ledger, guard } = setup();
    const call = chat(1000);
    const worst = worstCaseCostUsd(call, pricer, config.limits) as number;
    const result = (await admit([guard], call)) as Extract<AdmissionResult, { settles: unknown }>;
    expect(result.settles).toHaveLength(1);
    expect(ledger.status(0)).toMatchObject({ reservedUsd: worst, inFlight: 1 });
    expect(result.headers).toEqual({ 'x-llmdev-budget-remaining-usd': (0.01 - worst).toFixed(8) });
    result.settles[0]?.(null);
    expect(ledger.status(0)).toMatchObject({ reservedUsd: 0, inFlight: 0 });
  });

  it('gives a call without an output cap the one it was reserved at, under a blocking budget only', async () => {
    const { guard } = setup();
    const uncapped = guardedCall('openai.chat', { model: 'capped-model', messages: MESSAGES });
    const result = (await admit([guard], uncapped)) as Extract<AdmissionResult, { settles: unknown }>;
    expect(result.outputCap).toBe(50);
    const own = (await admit([guard], chat(10))) as Extract<AdmissionResult, { settles: unknown }>;
    expect(own.outputCap).toBeUndefined();
    const warnOnly = guardedCall(
      'openai.chat',
      { model: 'capped-model', messages: MESSAGES },
      { headers: { 'x-llmdev-tags': 'team=search' } },
    );
    const ledger = new BudgetLedger([config.budgets[1] as (typeof config.budgets)[number]], {
      now: () => Date.parse('2025-06-15T12:00:00Z'),
    });
    const warnGuard = budgetGuard({ ledger, pricer, limits: config.limits });
    const warned = (await admit([warnGuard], warnOnly)) as Extract<AdmissionResult, { settles: unknown }>;
    expect(warned.outputCap).toBeUndefined();
  });

  it('refuses with 429 budget_exceeded, no retries, when the worst case does not fit', async () => {
    const { ledger, guard } = setup();
    ledger.commit([
      { ts: '2025-06-15T01:00:00.000Z', costUsd: 0.009, provider: 'openai', model: 'test-model', tags: {} },
    ]);
    const call = chat(1000);
    const worst = worstCaseCostUsd(call, pricer, config.limits) as number;
    const result = await admit([guard], call);
    if (!('rejected' in result)) throw new Error('admitted');
    expect(result.rejected).toMatchObject({
      status: 429,
      kind: 'budget_exceeded',
      code: 'budget_exceeded',
      headers: { 'x-should-retry': 'false', 'x-llmdev-budget-remaining-usd': '0.00100000' },
    });
    expect(result.rejected.message).toBe(
      `Budget "daily" (budgets[0]) exceeded: this call could cost up to $${Number(worst.toFixed(8))}, and $0.009 is spent plus $0 reserved by calls in flight, of a $0.01 limit per day (UTC). It resets at 2025-06-16T00:00:00.000Z. To change the limit, edit budgets[0].limitUsd in llmdev.config.yaml.`,
    );
    expect(ledger.status(0)).toMatchObject({ reservedUsd: 0, inFlight: 0 });
  });

  it('refuses a model without a price under a blocking budget', async () => {
    const { guard } = setup();
    const result = await admit(
      [guard],
      guardedCall('openai.chat', { model: 'mystery-1', messages: MESSAGES }),
    );
    if (!('rejected' in result)) throw new Error('admitted');
    expect(result.rejected.message).toContain('cannot be enforced for openai model "mystery-1"');
  });

  it('warns (header) past warnAt of a warn budget but admits', async () => {
    const { ledger, guard } = setup();
    ledger.commit([
      {
        ts: '2025-06-14T01:00:00.000Z',
        costUsd: 0.6,
        provider: 'anthropic',
        model: 'x',
        tags: { team: 'search' },
      },
    ]);
    const result = await admit([guard], chat(10, { 'x-llmdev-tags': 'team=search' }));
    if (!('settles' in result)) throw new Error('refused');
    expect(result.headers?.['x-llmdev-budget-warning']).toBe(
      'budget "search" (budgets[1]) at 60% of its limit: $0.6 of $1 per month (UTC), resets 2025-07-01T00:00:00.000Z',
    );
  });

  it('adds the remaining header to calls an earlier guard refused', async () => {
    const { guard } = setup();
    const refuse = {
      name: 'first',
      admit: () => ({ rejected: { status: 429, kind: 'rate_limited', message: 'slow down' } as const }),
    };
    const result = await admit([refuse, guard], chat(10));
    expect(result).toEqual({
      rejected: {
        status: 429,
        kind: 'rate_limited',
        message: 'slow down',
        headers: { 'x-llmdev-budget-remaining-usd': '0.01000000' },
      },
    });
  });

  it('headers: nothing without budgets; budget names made header-safe', () => {
    expect(budgetHeaders(new BudgetLedger([], { now: () => 0 }), [])).toEqual({});
    const named = new BudgetLedger(
      parseConfig({
        text: JSON.stringify({
          project: { name: 'demo' },
          budgets: [{ name: 'café ☕', scope: 'total', limitUsd: 1, warnAt: 0.1, action: 'warn' }],
        }),
      }).budgets,
      { now: () => Date.parse('2025-06-15T12:00:00Z') },
    );
    named.commit([
      { ts: '2025-06-15T01:00:00.000Z', costUsd: 0.5, provider: 'openai', model: 'm', tags: {} },
    ]);
    expect(budgetHeaders(named, [0])).toEqual({
      'x-llmdev-budget-remaining-usd': '0.50000000',
      'x-llmdev-budget-warning':
        'budget "caf? ?" (budgets[0]) at 50% of its limit: $0.5 of $1 per month (UTC), resets 2025-07-01T00:00:00.000Z',
    });
  });
});
