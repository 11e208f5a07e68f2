/**
 * Usage fields end to end: Anthropic's 1-hour cache writes (priced at their own rate, streaming and
 * not, through the stock `@anthropic-ai/sdk`) and the model the provider said it used, from the wire
 * (or an ingested record) to usage.db, `GET /v1/usage/records` and the JSONL mirror.
 */
import { randomUUID } from 'node:crypto';
import { readFile } from 'node:fs/promises';
import { join } from 'node:path';
import type { UsageRecord } from '../../../src/usage/record.js';
import { EXPECTED_USAGE, FAKE_USAGE } from '../../fixtures/fake-provider-wire.js';
import { call, eventually, type Harness, startHarness } from './harness.js';

let h: Harness;
beforeAll(async () => {
  h = await startHarness({ config: { sidecar: { jsonlMirror: true } } });
});
afterAll(() => h.close());

const MODEL = 'claude-sonnet-4-5';
const SNAPSHOT = 'claude-sonnet-4-5-20250929';
/**
 * The fake's Anthropic usage at claude-sonnet-4-5's list prices (USD per million tokens): 100
 * uncached at $3, 200 5-minute writes at $3.75, 300 1-hour writes at $6, 2000 reads at $0.30, 250
 * output at $15. Written out, not computed with the pricer, so the pricer is what is checked.
 */
const EXACT_COST = (100 * 3 + 200 * 3.75 + 300 * 6 + 2000 * 0.3 + 250 * 15) / 1e6;

async function apiRecord(id: string): Promise<UsageRecord> {
  const res = await call(h, `/v1/usage/records/${id}`);
  expect(res.status).toBe(200);
  return ((await res.json()) as { record: UsageRecord }).record;
}

describe('Anthropic 1-hour cache writes', () => {
  const request = { model: MODEL, max_tokens: 256, messages: [{ role: 'user' as const, content: 'Hi' }] };
  const headers = { 'x-fake-model': SNAPSHOT };

  it('are recorded and priced at the 1-hour rate (non-streaming), with the response model', async () => {
    const { data, response } = await h.anthropic.messages.create(request, { headers }).withResponse();
    expect(data.usage.cache_creation).toEqual(FAKE_USAGE.anthropic.cache_creation);
    const id = response.headers.get('x-llmdev-request-id') as string;
    expect(Number(response.headers.get('x-llmdev-cost-usd'))).toBeCloseTo(EXACT_COST, 8);
    const record = await apiRecord(id);
    expect(record).toMatchObject({
      model: MODEL,
      responseModel: SNAPSHOT,
      stream: false,
      usage: { ...EXPECTED_USAGE.anthropic, cacheWrite1hTokens: 300 },
      estimated: false,
    });
    expect(record.costUsd).toBeCloseTo(EXACT_COST, 12);
  });

  it('are taken from message_start in a stream and priced the same', async () => {
    const stream = h.anthropic.messages.stream(request, { headers });
    const final = await stream.finalMessage();
    expect(final.usage.cache_creation).toEqual(FAKE_USAGE.anthropic.cache_creation);
    const record = await eventually(
      () => h.records().find((r) => r.stream && r.model === MODEL),
      'the record',
    );
    expect(record).toMatchObject({
      responseModel: SNAPSHOT,
      usage: { ...EXPECTED_USAGE.anthropic, cacheWrite1hTokens: 300 },
      estimated: false,
    });
    expect(record.costUsd).toBeCloseTo(EXACT_COST, 12);
  });
});

describe('the response model', () => {
  it('of a proxied call round-trips through usage.db, the records API and the JSONL mirror', async () => {
    const { response } = await h.openai.chat.completions
      .create(
        { model: 'gpt-4o', messages: [{ role: 'user', content: 'Hi' }] },
        { headers: { 'x-fake-model': 'gpt-4o-2024-08-06' } },
      )
      .withResponse();
    const id = response.headers.get('x-llmdev-request-id') as string;
    expect(await apiRecord(id)).toMatchObject({ model: 'gpt-4o', responseModel: 'gpt-4o-2024-08-06' });
    const page = (await (await call(h, '/v1/usage/records?limit=50')).json()) as { records: UsageRecord[] };
    expect(page.records.find((r) => r.id === id)?.responseModel).toBe('gpt-4o-2024-08-06');

    const today = join(h.dataDir, 'logs', `llm_requests_${new Date().toISOString().slice(0, 10)}.jsonl`);
    const mirrored = await eventually(async () => {
      const lines = (await readFile(today, 'utf8').catch(() => '')).split('\n').filter(Boolean);
      return lines.map((line) => JSON.parse(line) as UsageRecord).find((r) => r.id === id);
    }, 'the mirrored record');
    expect(mirrored).toMatchObject({
      responseModel: 'gpt-4o-2024-08-06',
      usage: { cacheWrite1hTokens: 0 },
    });
  });

  it('of a cached answer is the one the provider answered with', async () => {
    const ask = () =>
      h.openai.chat.completions
        .create(
          { model: 'gpt-4o', messages: [{ role: 'user', content: 'Cache me' }] },
          { headers: { 'x-fake-model': 'gpt-4o-2024-11-20', 'x-llmdev-cache': 'on' } },
        )
        .withResponse();
    await ask();
    const { response } = await ask();
    expect(response.headers.get('x-llmdev-cache')).toBe('hit');
    const hit = await apiRecord(response.headers.get('x-llmdev-request-id') as string);
    expect(hit).toMatchObject({ source: 'cache', model: 'gpt-4o', responseModel: 'gpt-4o-2024-11-20' });
  });

  it('of an ingested record is stored when sent, null when not, and prices the record', async () => {
    const usage = { inputTokens: 1_000_000, outputTokens: 0 };
    const sent = {
      id: randomUUID(),
      provider: 'openai',
      model: 'gpt-4o',
      responseModel: 'gpt-4o-2024-05-13',
      usage,
    };
    const bare = { id: randomUUID(), provider: 'openai', model: 'gpt-4o', usage };
    expect((await call(h, '/v1/usage', { json: { records: [sent, bare] } })).status).toBe(202);
    const withModel = await apiRecord(sent.id);
    expect(withModel.responseModel).toBe('gpt-4o-2024-05-13');
    // Priced like a proxied call, by the model the provider used: the 2024-05-13 snapshot costs $5/M.
    expect(withModel.costUsd).toBeCloseTo(5, 9);
    const without = await apiRecord(bare.id);
    expect(without.responseModel).toBeNull();
    expect(without.costUsd).toBeCloseTo(2.5, 9);
  });

  it('is validated on ingest like the model', async () => {
    const res = await call(h, '/v1/usage', {
      json: {
        provider: 'openai',
        model: 'gpt-4o',
        responseModel: '',
        usage: { inputTokens: 1, outputTokens: 1 },
      },
    });
    expect(res.status).toBe(400);
    expect(await res.text()).toContain('responseModel');
  });
});
