/**
 * Budgets under concurrency: waves of 200 simultaneous calls (both providers, three models,
 * streaming and not, some tagged) against five blocking budgets of every scope and period (total,
 * provider, model, tag; day, month, total) plus a warn budget, with the provider answering slowly
 * so every call of a wave is in flight at once. No blocking budget may end above its limit (worst
 * overshoot printed, must be 0); every blocking budget must have refused calls; the books
 * (GET /v1/budgets) must match the stored records and hold nothing reserved afterwards.
 * Most calls of the first wave are refused at once: the first ones' reservations fill the budgets
 * while they are in flight, which is the point. The fake provider reports fixed usage, so prompts and max_tokens are sized to make each call's
 * actual usage fit its worst-case reservation, as a real provider's does.
 */
import { Agent } from 'node:http';
import { jest } from '@jest/globals';
import { budgetMatches } from '../../../src/sidecar/budgets/match.js';
import { call, type Harness, startHarness, TOKEN } from '../sidecar/harness.js';
import { send } from './lib/traffic.js';

jest.setTimeout(5 * 60_000);

const BUDGETS = [
  { name: 'all-day', scope: 'total', period: 'day', limitUsd: 0.25, action: 'block' },
  {
    name: 'openai-month',
    scope: 'provider',
    match: 'openai',
    period: 'month',
    limitUsd: 0.12,
    action: 'block',
  },
  {
    name: 'mini-total',
    scope: 'model',
    match: 'gpt-4o-mini',
    period: 'total',
    limitUsd: 0.06,
    action: 'block',
  },
  { name: 'team-a-day', scope: 'tag', match: 'team=a', period: 'day', limitUsd: 0.04, action: 'block' },
  {
    name: 'anthropic-day',
    scope: 'provider',
    match: 'anthropic',
    period: 'day',
    limitUsd: 0.08,
    action: 'block',
  },
  { name: 'warn-total', scope: 'total', period: 'total', limitUsd: 0.01, action: 'warn' },
] as const;
const WAVES = 3;
const CONCURRENCY = 200;

let h: Harness;
beforeAll(async () => {
  h = await startHarness({
    config: {
      budgets: BUDGETS,
      limits: { requestsPerMinute: 1_000_000 },
      pricing: {
        overrides: {
          'gpt-4o-mini': { inputPerMTok: 1, cachedInputPerMTok: 0.5, outputPerMTok: 2 },
          'gpt-4o': { inputPerMTok: 2.5, cachedInputPerMTok: 1.25, outputPerMTok: 10 },
          'claude-sonnet-4-20250514': {
            inputPerMTok: 3,
            cachedInputPerMTok: 0.3,
            cacheWritePerMTok: 3.75,
            outputPerMTok: 15,
          },
        },
      },
    },
  });
});
afterAll(() => h.close());

/** Call `i` of a wave: which API, model, streaming, tags. Prompts are long enough that the input estimate covers the fake's reported input. */
function request(wave: number, i: number): { path: string; body: string; headers: Record<string, string> } {
  const filler = `(${wave}.${i}) ${'word '.repeat(2400)}`;
  const tags = i % 3 === 0 ? { 'x-llmdev-tags': 'team=a' } : {};
  const headers = {
    authorization: `Bearer ${TOKEN}`,
    'x-fake-scenario': 'slow',
    'x-fake-delay-ms': '150',
    ...tags,
  };
  const stream = i % 2 === 0;
  if (i % 5 === 4) {
    return {
      path: '/v1/messages',
      headers,
      body: JSON.stringify({
        model: 'claude-sonnet-4-20250514',
        max_tokens: 400,
        stream,
        messages: [{ role: 'user', content: filler }],
      }),
    };
  }
  return {
    path: '/v1/chat/completions',
    headers,
    body: JSON.stringify({
      model: i % 5 === 3 ? 'gpt-4o' : 'gpt-4o-mini',
      max_tokens: 400,
      stream,
      messages: [{ role: 'user', content: filler.slice(0, 6500) }],
    }),
  };
}

interface BudgetView {
  name: string;
  spentUsd: number;
  reservedUsd: number;
  inFlight: number;
  limitUsd: number;
}
const budgets = async () =>
  ((await (await call(h, '/v1/budgets')).json()) as { budgets: BudgetView[] }).budgets;

it('200 concurrent calls never push a blocking budget past its limit', async () => {
  const agent = new Agent({ keepAlive: true, maxSockets: CONCURRENCY });
  const statuses: Record<number, number> = {};
  let peakInFlight = 0;
  let peakReserved = 0;
  let peakConnections = 0;
  const connections = () =>
    new Promise<number>((resolve, reject) =>
      h.sidecar.server.getConnections((error, count) => (error ? reject(error) : resolve(count))),
    );
  for (let wave = 0; wave < WAVES; wave++) {
    let running = true;
    const sampler = (async () => {
      while (running) {
        const all = (await budgets()).find((b) => b.name === 'all-day');
        peakInFlight = Math.max(peakInFlight, all?.inFlight ?? 0);
        peakReserved = Math.max(peakReserved, all?.reservedUsd ?? 0);
        peakConnections = Math.max(peakConnections, await connections());
        await new Promise((resolve) => setTimeout(resolve, 5));
      }
    })();
    const outcomes = await Promise.all(
      Array.from({ length: CONCURRENCY }, (_, i) => {
        const { path, body, headers } = request(wave, i);
        return send(h.url, agent, path, body, headers);
      }),
    );
    running = false;
    await sampler;
    for (const outcome of outcomes) {
      statuses[outcome.status] = (statuses[outcome.status] ?? 0) + 1;
      if (outcome.status === 429) expect(outcome.body).toContain('budget_exceeded');
      else expect(outcome.status).toBe(200);
    }
  }
  agent.destroy();

  const records = h.sidecar.store.queries.records({ limit: WAVES * CONCURRENCY + 10 }).records;
  expect(records).toHaveLength(WAVES * CONCURRENCY);
  const books = await budgets();
  const rows: string[] = [];
  let worstOvershoot = 0;
  for (const budget of BUDGETS) {
    const counted = records.filter((r) => budgetMatches(budget as never, r));
    const spent = counted.reduce((sum, r) => sum + (r.costUsd ?? 0), 0);
    const admitted = counted.filter((r) => r.status === 200).length;
    const refused = counted.filter((r) => r.status === 429).length;
    const view = books.find((b) => b.name === budget.name);
    expect(view?.spentUsd).toBeCloseTo(spent, 9);
    expect(view).toMatchObject({ reservedUsd: 0, inFlight: 0 });
    const overshoot = Math.max(0, spent - budget.limitUsd);
    if (budget.action === 'block') {
      worstOvershoot = Math.max(worstOvershoot, overshoot);
      expect(refused).toBeGreaterThan(0);
      expect(admitted).toBeGreaterThan(0);
    }
    rows.push(
      `  ${budget.name.padEnd(14)} ${budget.scope.padEnd(8)} ${budget.period.padEnd(5)} ${budget.action.padEnd(5)} limit ${budget.limitUsd.toFixed(4)}  spent ${spent.toFixed(6)}  (${((spent / budget.limitUsd) * 100).toFixed(1)}%)  calls ${admitted} admitted / ${refused} refused`,
    );
  }
  console.log(
    [
      `budgets under concurrency: ${WAVES} waves of ${CONCURRENCY} simultaneous calls; statuses ${JSON.stringify(statuses)}`,
      `  peak: ${peakConnections} connections open at once, ${peakInFlight} admitted calls in flight (all-day), ${peakReserved.toFixed(4)} USD reserved`,
      ...rows,
      `  worst overshoot of a blocking budget: ${worstOvershoot.toFixed(9)} USD; after the waves: reserved 0, in flight 0 on every budget`,
    ].join('\n'),
  );
  expect(worstOvershoot).toBe(0);
  expect(peakConnections).toBeGreaterThan(CONCURRENCY / 2); // the waves were concurrent
});
