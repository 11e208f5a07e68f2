/**
 * `GET /metrics` against a real sidecar: valid Prometheus text (strict parser), counters that move
 * with proxied, failed, streamed and ingested calls, bounded model labels, and `metrics: false`.
 */
import { randomUUID } from 'node:crypto';
import { call, eventually, type Harness, startHarness } from '../sidecar/harness.js';
import { type MetricFamily, parsePrometheusText, sampleValue } from './prometheus-text.js';

let h: Harness;
beforeAll(async () => {
  h = await startHarness();
});
afterAll(() => h.close());

async function scrape(harness: Harness = h): Promise<Map<string, MetricFamily>> {
  const res = await fetch(`${harness.url}/metrics`);
  expect(res.status).toBe(200);
  expect(res.headers.get('content-type')).toBe('text/plain; version=0.0.4; charset=utf-8');
  return parsePrometheusText(await res.text());
}

const usage = { inputTokens: 1000, outputTokens: 200 };

describe('GET /metrics', () => {
  it('needs no token and is valid Prometheus text with our families typed and documented', async () => {
    const families = await scrape();
    const expected: Record<string, string> = {
      llmdev_requests_total: 'counter',
      llmdev_tokens_total: 'counter',
      llmdev_cost_usd_total: 'counter',
      llmdev_unpriced_requests_total: 'counter',
      llmdev_request_duration_seconds: 'histogram',
      llmdev_time_to_first_byte_seconds: 'histogram',
      llmdev_cache_hits_total: 'counter',
      llmdev_cache_saved_usd_total: 'counter',
      llmdev_cache_misses_total: 'counter',
      llmdev_cache_entries: 'gauge',
      llmdev_cache_bytes: 'gauge',
      llmdev_budget_remaining_usd: 'gauge',
      llmdev_ingested_records_total: 'counter',
      process_resident_memory_bytes: 'gauge',
    };
    for (const [name, type] of Object.entries(expected)) {
      expect(families.get(name)?.type).toBe(type);
      expect(families.get(name)?.help).not.toBe('');
    }
  });

  it('counts calls, tokens, cost, latency and failures as they are committed', async () => {
    const before = await scrape();
    const chat = { provider: 'openai', model: 'gpt-4o-mini' };
    await h.openai.chat.completions.create({
      model: 'gpt-4o-mini',
      messages: [{ role: 'user', content: 'Hi' }],
    });
    const stream = await h.openai.chat.completions.create({
      model: 'gpt-4o-mini',
      stream: true,
      messages: [{ role: 'user', content: 'Hi' }],
    });
    for await (const _ of stream) {
      // drain
    }
    await expect(
      h.openai.chat.completions.create(
        { model: 'gpt-4o-mini', messages: [{ role: 'user', content: 'Hi' }] },
        { headers: { 'x-fake-scenario': 'error-500' } },
      ),
    ).rejects.toThrow();
    await call(h, '/v1/usage', {
      json: { id: randomUUID(), provider: 'anthropic', model: 'claude-sonnet-4-20250514', usage },
    });
    await call(h, '/v1/usage', {
      json: { id: randomUUID(), provider: 'openai', model: 'my-fine-tune-without-price', usage },
    });
    const stored = h.records().filter((r) => r.model === 'gpt-4o-mini' && r.status === 200);
    const after = await eventually(async () => {
      const families = await scrape();
      return (
        sampleValue(families, 'llmdev_unpriced_requests_total') >
          sampleValue(before, 'llmdev_unpriced_requests_total') && families
      );
    }, 'metrics of the last call');

    const delta = (name: string, labels: Record<string, string> = {}) =>
      sampleValue(after, name, labels) - sampleValue(before, name, labels);
    expect(delta('llmdev_requests_total', { ...chat, status: '200', source: 'proxy' })).toBe(2);
    expect(delta('llmdev_requests_total', { ...chat, status: '500', source: 'proxy' })).toBe(1);
    expect(delta('llmdev_requests_total', { source: 'ingest' })).toBe(2);
    expect(delta('llmdev_ingested_records_total', { provider: 'anthropic' })).toBe(1);
    const last2 = stored.slice(0, 2);
    expect(delta('llmdev_tokens_total', { ...chat, type: 'input' })).toBe(
      last2.reduce((sum, r) => sum + r.usage.inputTokens, 0),
    );
    expect(delta('llmdev_tokens_total', { ...chat, type: 'output' })).toBe(
      last2.reduce((sum, r) => sum + r.usage.outputTokens, 0),
    );
    expect(delta('llmdev_cost_usd_total', chat)).toBeCloseTo(
      last2.reduce((sum, r) => sum + (r.costUsd ?? 0), 0),
      12,
    );
    expect(delta('llmdev_cost_usd_total', { model: 'claude-sonnet-4-20250514' })).toBeGreaterThan(0);
    expect(delta('llmdev_unpriced_requests_total', { model: 'my-fine-tune-without-price' })).toBe(1);
    expect(delta('llmdev_cost_usd_total', { model: 'my-fine-tune-without-price' })).toBe(0);
    expect(delta('llmdev_request_duration_seconds_count', chat)).toBe(3);
    expect(delta('llmdev_time_to_first_byte_seconds_count', chat)).toBeGreaterThanOrEqual(2);
  });

  it('counts 1-hour cache writes as a part of the cache writes', async () => {
    const before = await scrape();
    const model = { provider: 'anthropic', model: 'claude-sonnet-4-5' };
    const written = { inputTokens: 2600, outputTokens: 250, cacheWriteTokens: 500, cacheWrite1hTokens: 300 };
    expect(
      (await call(h, '/v1/usage', { json: { id: randomUUID(), ...model, usage: written } })).status,
    ).toBe(202);
    const after = await eventually(async () => {
      const families = await scrape();
      return (
        sampleValue(families, 'llmdev_tokens_total', { ...model, type: 'cache_write_1h' }) >
          sampleValue(before, 'llmdev_tokens_total', { ...model, type: 'cache_write_1h' }) && families
      );
    }, 'the 1-hour cache writes');
    const delta = (type: string) =>
      sampleValue(after, 'llmdev_tokens_total', { ...model, type }) -
      sampleValue(before, 'llmdev_tokens_total', { ...model, type });
    expect(delta('cache_write')).toBe(500);
    expect(delta('cache_write_1h')).toBe(300);
  });

  it('caps model labels: past 50 distinct models, the rest are counted as __other__', async () => {
    const records = Array.from({ length: 70 }, (_, i) => ({
      id: randomUUID(),
      provider: 'openai',
      model: `custom-model-${i}`,
      usage,
    }));
    expect((await call(h, '/v1/usage', { json: { records } })).status).toBe(202);
    const families = await eventually(async () => {
      const scraped = await scrape();
      return sampleValue(scraped, 'llmdev_requests_total', { model: '__other__' }) > 0 && scraped;
    }, 'capped labels');
    const models = new Set(families.get('llmdev_requests_total')?.samples.map((s) => s.labels.model));
    expect(models.size).toBeLessThanOrEqual(51);
    expect(models.has('__other__')).toBe(true);
    // Nothing is lost: every record is counted, under its own label or __other__.
    expect(sampleValue(families, 'llmdev_ingested_records_total')).toBeGreaterThanOrEqual(70);
  });
});

describe('budgets and the response cache', () => {
  it('shows each budget as it stands and counts cache hits and their savings', async () => {
    const withBudget = await startHarness({
      config: { budgets: [{ name: 'monthly', scope: 'total', limitUsd: 5 }], cache: { enabled: true } },
    });
    try {
      const ask = () =>
        withBudget.openai.chat.completions.create({
          model: 'gpt-4o-mini',
          messages: [{ role: 'user', content: 'Same question' }],
        });
      await ask();
      await ask(); // answered from the cache
      const families = await eventually(async () => {
        const scraped = await scrape(withBudget);
        return sampleValue(scraped, 'llmdev_cache_hits_total') === 1 && scraped;
      }, 'the cache hit');
      const spent = withBudget.records().reduce((sum, r) => sum + (r.costUsd ?? 0), 0);
      expect(spent).toBeGreaterThan(0);
      expect(sampleValue(families, 'llmdev_budget_spent_usd', { budget: 'monthly' })).toBeCloseTo(spent, 10);
      expect(sampleValue(families, 'llmdev_budget_limit_usd', { budget: 'monthly' })).toBe(5);
      expect(sampleValue(families, 'llmdev_budget_remaining_usd', { budget: 'monthly' })).toBeCloseTo(
        5 - spent,
        10,
      );
      expect(sampleValue(families, 'llmdev_cache_saved_usd_total', { model: 'gpt-4o-mini' })).toBeGreaterThan(
        0,
      );
      expect(sampleValue(families, 'llmdev_requests_total', { source: 'cache' })).toBe(1);
      expect(sampleValue(families, 'llmdev_cache_entries')).toBe(1);
      expect(sampleValue(families, 'llmdev_cache_bytes')).toBeGreaterThan(0);
    } finally {
      await withBudget.close();
    }
  });
});

describe('cache misses', () => {
  it('counts lookups that found nothing, only for calls that consulted the cache', async () => {
    const cached = await startHarness({ config: { cache: { enabled: true } } });
    try {
      const ask = (content: string, cache?: 'off') =>
        cached.openai.chat.completions.create(
          { model: 'gpt-4o-mini', messages: [{ role: 'user', content }] },
          cache ? { headers: { 'x-llmdev-cache': cache } } : {},
        );
      expect(sampleValue(await scrape(cached), 'llmdev_cache_misses_total')).toBe(0);
      await ask('first'); // miss, then stored
      await ask('first'); // hit
      await ask('second', 'off'); // the cache is not consulted: neither hit nor miss
      await ask('third'); // miss
      const families = await eventually(async () => {
        const scraped = await scrape(cached);
        return sampleValue(scraped, 'llmdev_cache_hits_total') === 1 && scraped;
      }, 'the cache hit');
      expect(sampleValue(families, 'llmdev_cache_misses_total')).toBe(2);
      expect(cached.records().map((r) => r.source)).toEqual(['proxy', 'proxy', 'cache', 'proxy']);
    } finally {
      await cached.close();
    }
    // With the cache off in the config, calls that do not ask for it are no misses either.
    await h.openai.chat.completions.create({
      model: 'gpt-4o-mini',
      messages: [{ role: 'user', content: 'Hi' }],
    });
    expect(sampleValue(await scrape(), 'llmdev_cache_misses_total')).toBe(0);
  });
});

describe('telemetry.metrics: false', () => {
  it('serves no /metrics', async () => {
    const off = await startHarness({ config: { telemetry: { metrics: false } } });
    try {
      const res = await fetch(`${off.url}/metrics`);
      expect(res.status).toBe(404);
      await res.text();
    } finally {
      await off.close();
    }
  });
});
