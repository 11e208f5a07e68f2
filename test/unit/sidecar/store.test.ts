import { existsSync, mkdtempSync, rmSync, statSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import BetterSqlite3 from 'better-sqlite3';
import { openResponseCache } from '../../../src/sidecar/cache/store.js';
import { startCommitThread } from '../../../src/sidecar/store/commit-thread.js';
import { openDatabase } from '../../../src/sidecar/store/database.js';
import { openUsageStore } from '../../../src/sidecar/store/index.js';
import { MIGRATIONS, migrate } from '../../../src/sidecar/store/migrations.js';
import { retentionCutoff } from '../../../src/sidecar/store/retention.js';
import { toRow } from '../../../src/sidecar/store/rows.js';
import { createRecordWriter } from '../../../src/sidecar/store/writer.js';
import type { UsageRecord } from '../../../src/usage/record.js';

let dir: string;
beforeEach(() => {
  dir = mkdtempSync(join(tmpdir(), 'llmdev-store-'));
});
afterEach(() => rmSync(dir, { recursive: true, force: true }));

let n = 0;
function record(fields: Partial<UsageRecord> = {}): UsageRecord {
  n++;
  return {
    id: `rec-${n}`,
    ts: new Date(Date.UTC(2025, 0, 1, 0, 0, n)).toISOString(),
    provider: 'openai',
    model: 'gpt-4o-mini',
    endpoint: '/v1/chat/completions',
    stream: false,
    source: 'proxy',
    usage: {
      inputTokens: 10,
      outputTokens: 5,
      cachedInputTokens: 2,
      cacheWriteTokens: 0,
      cacheWrite1hTokens: 0,
      reasoningTokens: 1,
    },
    costUsd: 0.001,
    savedUsd: null,
    pricingSource: 'genai-prices@0.1.8',
    latencyMs: 12.5,
    ttfbMs: 3.25,
    status: 200,
    error: null,
    estimated: false,
    tags: { team: 'a' },
    promptName: 'p',
    promptVersion: '1',
    params: { temperature: 0.5 },
    systemFingerprint: 'fp',
    upstreamRequestId: 'req_1',
    responseModel: 'gpt-4o-mini-2024-07-18',
    ...fields,
  };
}

describe('openDatabase', () => {
  it('creates a private usage.db in WAL mode at the latest schema version', () => {
    const db = openDatabase(join(dir, 'data'));
    expect(db.pragma('journal_mode', { simple: true })).toBe('wal');
    expect(db.pragma('user_version', { simple: true })).toBe(MIGRATIONS.at(-1)?.version);
    db.close();
    expect(statSync(join(dir, 'data', 'usage.db')).mode & 0o777).toBe(0o600);
    expect(statSync(join(dir, 'data')).mode & 0o777).toBe(0o700);
  });

  it('refuses a database from a newer llmdev', () => {
    const db = openDatabase(dir);
    db.pragma('user_version = 99');
    db.close();
    expect(() => openDatabase(dir)).toThrow(/schema version 99, newer than this llmdev/);
  });
});

describe('migrate', () => {
  it('runs each migration in a transaction with its version bump: a failing one leaves no trace', () => {
    const db = new BetterSqlite3(join(dir, 'm.db'));
    const migrations = [
      { version: 1, description: 'one', sql: 'CREATE TABLE a (x INTEGER);' },
      { version: 2, description: 'two', sql: 'CREATE TABLE b (x INTEGER); INSERT INTO nope VALUES (1);' },
    ];
    expect(() => migrate(db, 'm.db', migrations)).toThrow(/no such table: nope/);
    expect(db.pragma('user_version', { simple: true })).toBe(1);
    const tables = db.prepare("SELECT name FROM sqlite_master WHERE type = 'table'").pluck().all();
    expect(tables).toEqual(['a']);
    migrate(db, 'm.db', [
      migrations[0] as (typeof migrations)[0],
      { version: 2, description: 'two', sql: 'CREATE TABLE b (x INTEGER);' },
    ]);
    expect(db.pragma('user_version', { simple: true })).toBe(2);
    db.close();
  });
});

describe('upgrading a database of the previous version', () => {
  it('adds the new columns; old records read back with their defaults, old cache entries too', async () => {
    const previous = MIGRATIONS.slice(0, -1);
    const old = new BetterSqlite3(join(dir, 'usage.db'));
    migrate(old, 'usage.db', previous);
    expect(old.pragma('user_version', { simple: true })).toBe(previous.at(-1)?.version);
    const oldRecord = record();
    const { cache_write_1h_tokens: _1h, response_model: _model, ...oldRow } = toRow(oldRecord);
    const columns = Object.keys(oldRow);
    old
      .prepare(
        `INSERT INTO usage_records (${columns.join(', ')}) VALUES (${columns.map((c) => `@${c}`).join(', ')})`,
      )
      .run(oldRow);
    const oldUsage = {
      inputTokens: 10,
      outputTokens: 5,
      cachedInputTokens: 0,
      cacheWriteTokens: 0,
      reasoningTokens: 0,
    };
    old
      .prepare(
        `INSERT INTO response_cache (key, created_at, expires_at, size, record_id, provider, model, status,
           content_type, usage, estimated, system_fingerprint, cost_usd, body)
         VALUES ('k', 0, 9e15, 2, ?, 'openai', 'gpt-4o-mini', 200, 'application/json', ?, 0, NULL, 0.001, ?)`,
      )
      .run(oldRecord.id, JSON.stringify(oldUsage), Buffer.from('{}'));
    old.close();

    const store = openUsageStore(dir);
    expect(store.db.pragma('user_version', { simple: true })).toBe(MIGRATIONS.at(-1)?.version);
    const [stored] = store.queries.records({ limit: 10 }).records;
    expect(stored).toEqual({
      ...oldRecord,
      usage: { ...oldRecord.usage, cacheWrite1hTokens: 0 },
      responseModel: null,
    });
    const cached = openResponseCache(store.db, { ttlMs: 1000, maxBytes: 1_000_000 }).get('k', 1);
    expect(cached?.usage).toEqual({ ...oldUsage, cacheWrite1hTokens: 0 });
    // New records keep the new fields next to the old ones.
    const fresh = record({ usage: { ...oldRecord.usage, cacheWriteTokens: 4, cacheWrite1hTokens: 3 } });
    await store.writer.write([{ record: fresh }]);
    expect(store.queries.storedCall(fresh.id)?.record).toEqual(fresh);
    await store.close();
  });
});

describe('group commit writer', () => {
  it('commits everything queued in one turn in one transaction, resolving each caller after COMMIT', async () => {
    openDatabase(dir).close(); // migrated, as openUsageStore leaves it
    const thread = startCommitThread(join(dir, 'usage.db'));
    const batches: number[] = [];
    const writer = createRecordWriter((jobs) => {
      batches.push(jobs.length);
      return thread.commit(jobs);
    });
    const reader = new BetterSqlite3(join(dir, 'usage.db'), { readonly: true });
    const count = () => reader.prepare('SELECT COUNT(*) FROM usage_records').pluck().get();
    let resolved = 0;
    let visibleAtFirstAck = 0;
    const writes = [1, 2, 3].map(() =>
      writer.write([{ record: record() }]).then(() => {
        if (resolved++ === 0) visibleAtFirstAck = count() as number;
      }),
    );
    await Promise.resolve();
    expect(resolved).toBe(0);
    expect(count()).toBe(0); // nothing visible before the commit
    await Promise.all(writes);
    expect(batches).toEqual([3]);
    expect(visibleAtFirstAck).toBe(3); // another connection sees all three at the first acknowledgement
    reader.close();
    await thread.close();
  });

  it('sends what queued during a commit as the next batch, once that commit is acknowledged', async () => {
    openDatabase(dir).close();
    const thread = startCommitThread(join(dir, 'usage.db'));
    const batches: number[] = [];
    const writer = createRecordWriter((jobs) => {
      batches.push(jobs.length);
      return thread.commit(jobs);
    });
    const first = writer.write([{ record: record() }]);
    await new Promise((resolve) => setImmediate(resolve)); // the first batch is in flight
    const more = [1, 2].map(() => writer.write([{ record: record() }]));
    await Promise.all([first, ...more]);
    expect(batches).toEqual([1, 2]);
    await writer.drain();
    await thread.close();
  });

  it('stores a record id once (idempotent ingest) and keeps a request body with it', async () => {
    const store = openUsageStore(dir);
    const first = record();
    expect(
      await store.writer.write([{ record: first, requestBody: '{"a":1}' }, { record: record() }]),
    ).toEqual({ inserted: 2, duplicates: 0 });
    expect(await store.writer.write([{ record: first }, { record: record() }])).toEqual({
      inserted: 1,
      duplicates: 1,
    });
    const page = store.queries.records({ limit: 10 });
    expect(page.records).toHaveLength(3);
    expect(page.records.find((r) => r.id === first.id)).toEqual(first); // round-trips every field
    await store.close();
    const db = new BetterSqlite3(join(dir, 'usage.db'), { readonly: true });
    expect(db.prepare('SELECT body FROM request_bodies').pluck().all()).toEqual(['{"a":1}']);
    db.close();
  });

  it('one failing batch does not fail the others queued with it', async () => {
    const store = openUsageStore(dir);
    const good = store.writer.write([{ record: record() }]);
    const bad = store.writer.write([{ record: record({ status: null as unknown as number }) }]);
    const alsoGood = store.writer.write([{ record: record() }]);
    await expect(good).resolves.toEqual({ inserted: 1, duplicates: 0 });
    await expect(bad).rejects.toThrow(/NOT NULL/);
    await expect(alsoGood).resolves.toEqual({ inserted: 1, duplicates: 0 });
    await store.close();
  });

  it('notifies listeners with the newly stored records only', async () => {
    const store = openUsageStore(dir);
    const seen: string[] = [];
    store.writer.onCommit((records) => seen.push(...records.map((r) => r.id)));
    const a = record();
    await store.writer.write([{ record: a }]);
    await store.writer.write([{ record: a }, { record: record({ id: 'fresh' }) }]);
    expect(seen).toEqual([a.id, 'fresh']);
    await store.close();
  });

  it('close() commits what is still queued', async () => {
    const store = openUsageStore(dir);
    const pending = store.writer.write([{ record: record() }]);
    const closed = store.close();
    await expect(pending).resolves.toEqual({ inserted: 1, duplicates: 0 });
    await closed;
    expect(existsSync(join(dir, 'usage.db-wal')) && statSync(join(dir, 'usage.db-wal')).size).toBeFalsy();
  });
});

describe('checkpoints', () => {
  it('copy the WAL into usage.db in the background while the writer keeps committing', async () => {
    const store = openUsageStore(dir);
    const initial = statSync(join(dir, 'usage.db')).size;
    for (let batch = 0; batch < 20; batch++) {
      await store.writer.write(
        Array.from({ length: 100 }, () => ({ record: record(), requestBody: 'x'.repeat(500) })),
      );
    }
    const grown = async () => {
      for (let i = 0; i < 100; i++) {
        if (statSync(join(dir, 'usage.db')).size > initial) return true;
        await new Promise((resolve) => setTimeout(resolve, 20));
      }
      return false;
    };
    expect(await grown()).toBe(true); // the writer never checkpoints: the worker did
    await store.close();
  });
});

describe('retention', () => {
  it('deletes records (and their bodies) older than the cutoff, in chunks', async () => {
    const store = openUsageStore(dir);
    const old = Array.from({ length: 4500 }, (_, i) => ({
      record: record({ id: `old-${i}`, ts: '2024-01-01T00:00:00.000Z' }),
      requestBody: '{}',
    }));
    await store.writer.write(old);
    await store.writer.write([
      { record: record({ id: 'new', ts: '2025-06-01T00:00:00.000Z' }), requestBody: '{}' },
    ]);
    const cutoff = retentionCutoff(new Date('2025-06-10T00:00:00Z'), 90);
    expect(cutoff).toBe('2025-03-12T00:00:00.000Z');
    expect(await store.purge(cutoff)).toBe(4500);
    expect(store.queries.records({ limit: 10 }).records.map((r) => r.id)).toEqual(['new']);
    await store.close();
    const db = new BetterSqlite3(join(dir, 'usage.db'), { readonly: true });
    expect(db.prepare('SELECT COUNT(*) FROM request_bodies').pluck().get()).toBe(1);
    db.close();
  });
});

describe('queries', () => {
  it('pages by (ts, seq) so equal timestamps are neither skipped nor repeated', async () => {
    const store = openUsageStore(dir);
    const ts = '2025-02-02T00:00:00.000Z';
    await store.writer.write(
      Array.from({ length: 5 }, (_, i) => ({ record: record({ id: `same-${i}`, ts }) })),
    );
    const ids: string[] = [];
    let page = store.queries.records({ limit: 2 });
    ids.push(...page.records.map((r) => r.id));
    while (page.next) {
      page = store.queries.records({ limit: 2, cursor: page.next });
      ids.push(...page.records.map((r) => r.id));
    }
    expect(ids).toEqual(['same-4', 'same-3', 'same-2', 'same-1', 'same-0']);
    await store.close();
  });

  it('sums whole hours from the hourly rollup and partial hours from the records, as a scan would, also after retention', async () => {
    const store = openUsageStore(dir);
    const models = ['a', 'b', 'c'];
    await store.writer.write(
      Array.from({ length: 300 }, (_, i) => ({
        record: record({
          ts: new Date(Date.UTC(2025, 5, 1) + i * 7 * 60_000 + 1234).toISOString(), // every 7 min, ~35 h
          model: models[i % 3] as string,
          costUsd: i % 11 === 0 ? null : i / 1000,
          status: i % 13 === 0 ? 500 : 200,
          promptName: i % 2 === 0 ? 'p' : null,
          promptVersion: String(i % 3),
        }),
      })),
    );
    const scan = (since: string, until: string, key: string) =>
      store.db
        .prepare(
          `SELECT ${key} AS key, COUNT(*) AS requests, TOTAL(input_tokens) AS inputTokens, TOTAL(cost_usd) AS costUsd,
             TOTAL(cost_usd IS NULL) AS unpricedRequests, TOTAL(status >= 400) AS errorRequests
           FROM usage_records WHERE ts >= ? AND ts < ? GROUP BY 1 ORDER BY costUsd DESC, 1`,
        )
        .all(since, until);
    const pick = (g: {
      key: string | null;
      requests: number;
      inputTokens: number;
      costUsd: number;
      unpricedRequests: number;
      errorRequests: number;
    }) => ({
      key: g.key,
      requests: g.requests,
      inputTokens: g.inputTokens,
      costUsd: Number(g.costUsd.toFixed(9)),
      unpricedRequests: g.unpricedRequests,
      errorRequests: g.errorRequests,
    });
    const ranges: [string | undefined, string | undefined][] = [
      [undefined, undefined],
      ['2025-06-01T03:00:00.000Z', '2025-06-02T05:00:00.000Z'], // whole hours only
      ['2025-06-01T03:17:12.000Z', '2025-06-02T05:41:00.000Z'], // partial hours at both ends
      ['2025-06-01T03:17:12.000Z', '2025-06-01T03:59:00.000Z'], // inside one hour
      ['2025-06-01T10:30:00.000Z', undefined],
    ];
    const check = () => {
      for (const [since, until] of ranges) {
        for (const [groupBy, key] of [
          ['model', 'model'],
          ['day', 'substr(ts, 1, 10)'],
          ['prompt', "prompt_name || '@' || prompt_version"],
        ] as const) {
          const { groups } = store.queries.summary({ since, until, groupBy });
          const expected = scan(since ?? '0000', until ?? '9999', key) as Parameters<typeof pick>[0][];
          expect(groups.map(pick)).toEqual(expected.map(pick));
        }
      }
    };
    check();
    await store.purge('2025-06-01T12:34:00.000Z'); // retention: the rollup forgets what it deletes
    check();
    expect(store.queries.summary({}).totals.requests).toBe(
      store.db.prepare('SELECT COUNT(*) FROM usage_records').pluck().get(),
    );
    await store.close();
  });

  it('sums unpriced records apart: cost never counts them as $0', async () => {
    const store = openUsageStore(dir);
    await store.writer.write([
      { record: record({ costUsd: 0.5 }) },
      { record: record({ costUsd: null, model: 'x' }) },
    ]);
    const { totals, groups } = store.queries.summary({ groupBy: 'model' });
    expect(totals).toMatchObject({ requests: 2, costUsd: 0.5, unpricedRequests: 1, inputTokens: 20 });
    expect(groups.map((g) => [g.key, g.costUsd, g.unpricedRequests])).toEqual([
      ['gpt-4o-mini', 0.5, 0],
      ['x', 0, 1],
    ]);
    await store.close();
  });
});
