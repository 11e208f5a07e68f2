/**
 * The usage API: ingest from direct-mode clients (validation, durable 202, idempotent retries),
 * record pages with a stable cursor, and summaries grouped by model, provider, day, tag and prompt.
 */
import { randomUUID } from 'node:crypto';
import { readFile } from 'node:fs/promises';
import { join } from 'node:path';
import { call, eventually, type Harness, pricer, startHarness } from './harness.js';

let h: Harness;
beforeAll(async () => {
  h = await startHarness();
});
afterAll(() => h.close());

const usage = {
  inputTokens: 1000,
  outputTokens: 200,
  cachedInputTokens: 0,
  cacheWriteTokens: 0,
  cacheWrite1hTokens: 0,
  reasoningTokens: 0,
};
const record = (fields: Record<string, unknown> = {}) => ({
  id: randomUUID(),
  provider: 'openai',
  model: 'gpt-4o-mini',
  usage,
  ...fields,
});

describe('POST /v1/usage', () => {
  it('400 with a message per bad field', async () => {
    const res = await call(h, '/v1/usage', {
      json: {
        records: [record(), { provider: 'acme', model: '', usage: { inputTokens: -1 }, prompt: 'nover' }],
      },
    });
    expect(res.status).toBe(400);
    const body = (await res.json()) as {
      error: { message: string; code: string };
      issues: { path: string; message: string }[];
    };
    expect(body.error.code).toBe('invalid_usage_record');
    const paths = body.issues.map((issue) => issue.path);
    expect(paths).toEqual(
      expect.arrayContaining([
        'records[1].provider',
        'records[1].model',
        'records[1].usage.inputTokens',
        'records[1].usage.outputTokens',
        'records[1].prompt',
      ]),
    );
    expect(body.issues.find((issue) => issue.path === 'records[1].prompt')?.message).toBe(
      'expected name@version',
    );
    expect(body.error.message).toContain('records[1].usage.inputTokens:');
    expect(h.records()).toHaveLength(0); // nothing of a bad batch is stored
  });

  it('202 {accepted} once committed, priced by the sidecar, and a retried batch is not stored twice', async () => {
    const batch = {
      records: [
        record({
          tags: { team: 'a' },
          prompt: 'summarize@2',
          ts: '2025-06-01T12:00:00+02:00',
          latencyMs: 812,
        }),
        record({ provider: 'anthropic', model: 'claude-sonnet-4-20250514', error: 'boom', status: 500 }),
      ],
    };
    const first = await call(h, '/v1/usage', { json: batch });
    expect(first.status).toBe(202);
    expect(await first.json()).toEqual({ accepted: 2, duplicates: 0 });
    const retry = await call(h, '/v1/usage', { json: batch });
    expect(await retry.json()).toEqual({ accepted: 2, duplicates: 2 });
    expect(h.records()).toHaveLength(2);

    const stored = h.records().find((r) => r.id === batch.records[0]?.id);
    expect(stored).toMatchObject({
      source: 'ingest',
      ts: '2025-06-01T10:00:00.000Z',
      endpoint: 'direct',
      tags: { team: 'a' },
      promptName: 'summarize',
      promptVersion: '2',
      latencyMs: 812,
      costUsd: pricer.price('openai', 'gpt-4o-mini', usage, new Date('2025-06-01T10:00:00Z')).costUsd,
    });
  });

  it('accepts a single record', async () => {
    const res = await call(h, '/v1/usage', { json: record({ model: 'no-such-model-anywhere' }) });
    expect(await res.json()).toEqual({ accepted: 1, duplicates: 0 });
    const stored = h.records().find((r) => r.model === 'no-such-model-anywhere');
    expect(stored).toMatchObject({ costUsd: null, pricingSource: null }); // unpriced, never $0
  });
});

describe('GET /v1/usage/records', () => {
  it('pages newest first with a stable cursor, even while new records arrive', async () => {
    const ids = [];
    for (let i = 0; i < 7; i++) {
      const r = record({ ts: new Date(Date.UTC(2025, 0, 1, 0, i)).toISOString(), tags: { page: 'yes' } });
      ids.push(r.id);
      await call(h, '/v1/usage', { json: r });
    }
    const seen: string[] = [];
    let cursor: string | null = null;
    let pages = 0;
    do {
      const query: string = `/v1/usage/records?limit=3&since=2025-01-01&${cursor ? `cursor=${cursor}` : ''}`;
      const page = (await (await call(h, query)).json()) as {
        records: { id: string; ts: string }[];
        nextCursor: string | null;
      };
      seen.push(...page.records.filter((r) => r.ts.startsWith('2025-01-01')).map((r) => r.id));
      cursor = page.nextCursor;
      if (pages++ === 0) await call(h, '/v1/usage', { json: record() }); // a newer record mid-way
    } while (cursor);
    expect(seen).toEqual([...ids].reverse());
  });

  it('400 for a bad limit or cursor', async () => {
    expect((await call(h, '/v1/usage/records?limit=0')).status).toBe(400);
    expect((await call(h, '/v1/usage/records?cursor=garbage')).status).toBe(400);
    expect((await call(h, '/v1/usage/records?since=yesterday')).status).toBe(400);
  });
});

describe('GET /v1/usage/summary', () => {
  it('totals and groups by model, provider, day, tag and prompt within a time range', async () => {
    const at = (day: number) => new Date(Date.UTC(2024, 2, day, 12)).toISOString();
    const rows = [
      record({ ts: at(1), tags: { team: 'a', env: 'dev' }, prompt: 'p@1' }),
      record({ ts: at(1), model: 'gpt-4.1-mini', tags: { team: 'b' }, prompt: 'p@2' }),
      record({ ts: at(2), provider: 'anthropic', model: 'claude-sonnet-4-20250514', tags: { team: 'a' } }),
      record({ ts: at(2), model: 'mystery-model' }),
    ];
    expect((await call(h, '/v1/usage', { json: { records: rows } })).status).toBe(202);
    const range = 'since=2024-03-01&until=2024-03-03';
    const summary = async (groupBy: string) =>
      (await (await call(h, `/v1/usage/summary?${range}&group_by=${groupBy}`)).json()) as {
        totals: Record<string, number>;
        groups: ({ key: string | null } & Record<string, number>)[];
      };

    const byModel = await summary('model');
    expect(byModel.totals).toMatchObject({
      requests: 4,
      inputTokens: 4000,
      outputTokens: 800,
      unpricedRequests: 1,
    });
    const expectedCost = rows
      .map((r) => pricer.price(r.provider as 'openai', r.model, usage).costUsd ?? 0)
      .reduce((a, b) => a + b, 0);
    expect(byModel.totals.costUsd).toBeCloseTo(expectedCost, 12);
    expect(byModel.groups.map((g) => g.key).sort()).toEqual([
      'claude-sonnet-4-20250514',
      'gpt-4.1-mini',
      'gpt-4o-mini',
      'mystery-model',
    ]);
    expect(byModel.groups.find((g) => g.key === 'mystery-model')).toMatchObject({
      costUsd: 0,
      unpricedRequests: 1,
    });

    expect((await summary('provider')).groups.map((g) => [g.key, g.requests]).sort()).toEqual([
      ['anthropic', 1],
      ['openai', 3],
    ]);
    expect((await summary('day')).groups.map((g) => [g.key, g.requests]).sort()).toEqual([
      ['2024-03-01', 2],
      ['2024-03-02', 2],
    ]);
    expect((await summary('tag')).groups.map((g) => [g.key, g.requests]).sort()).toEqual([
      ['env=dev', 1],
      ['team=a', 2],
      ['team=b', 1],
    ]);
    const byTeam = (await (await call(h, `/v1/usage/summary?${range}&group_by=tag&tag=team`)).json()) as {
      groups: { key: string; requests: number }[];
    };
    expect(byTeam.groups.map((g) => [g.key, g.requests]).sort()).toEqual([
      ['a', 2],
      ['b', 1],
    ]);
    expect((await summary('prompt')).groups.map((g) => [g.key, g.requests]).sort()).toEqual([
      [null, 2],
      ['p@1', 1],
      ['p@2', 1],
    ]);
  });

  it('400 for an unknown group_by', async () => {
    const res = await call(h, '/v1/usage/summary?group_by=colour');
    expect(res.status).toBe(400);
    expect(((await res.json()) as { error: { message: string } }).error.message).toContain(
      'group_by: expected one of',
    );
  });
});

describe('JSONL mirror (sidecar.jsonlMirror)', () => {
  let mirrored: Harness;
  beforeAll(async () => {
    mirrored = await startHarness({ config: { sidecar: { jsonlMirror: true } } });
  });
  afterAll(() => mirrored.close());

  it('appends each committed record to logs/llm_requests_<UTC day>.jsonl, once', async () => {
    const r = record({ ts: '2025-06-01T23:30:00-02:00' });
    await call(mirrored, '/v1/usage', { json: r });
    await call(mirrored, '/v1/usage', { json: r }); // a retry is not mirrored twice
    await mirrored.openai.chat.completions.create({
      model: 'gpt-4o-mini',
      messages: [{ role: 'user', content: 'Hi' }],
    });
    const linesOf = async (file: string) =>
      (await readFile(join(mirrored.dataDir, 'logs', file), 'utf8').catch(() => ''))
        .split('\n')
        .filter(Boolean);
    const lines = await eventually(
      () => linesOf('llm_requests_2025-06-02.jsonl').then((l) => l.length > 0 && l),
      'the mirror',
    );
    expect(lines.map((line) => JSON.parse(line).id)).toEqual([r.id]);
    const today = `llm_requests_${new Date().toISOString().slice(0, 10)}.jsonl`;
    const proxied = await eventually(
      () => linesOf(today).then((l) => l.length > 0 && l),
      'the proxied record',
    );
    expect(JSON.parse(proxied[0] as string)).toMatchObject({ source: 'proxy', model: 'gpt-4o-mini' });
  });
});
