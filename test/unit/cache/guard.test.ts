import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { Database } from 'better-sqlite3';
import { cacheGuard, cacheWanted } from '../../../src/sidecar/cache/guard.js';
import { openResponseCache, type ResponseCache } from '../../../src/sidecar/cache/store.js';
import { createLogger } from '../../../src/sidecar/log.js';
import { admit } from '../../../src/sidecar/proxy/guards.js';
import { openDatabase } from '../../../src/sidecar/store/database.js';
import type { UsageRecord } from '../../../src/usage/record.js';
import { guardedCall } from '../../helpers/guarded-call.js';

let dir: string;
let db: Database;
let cache: ResponseCache;
beforeEach(() => {
  dir = mkdtempSync(join(tmpdir(), 'llmdev-cache-guard-'));
  db = openDatabase(dir);
  cache = openResponseCache(db, { ttlMs: 60_000, maxBytes: 1_000_000 });
});
afterEach(() => {
  db.close();
  rmSync(dir, { recursive: true, force: true });
});

const log = createLogger({ level: 'error', write: () => undefined });
const body = { model: 'gpt-4o-mini', messages: [{ role: 'user', content: 'cache me' }] };
const record = (fields: Partial<UsageRecord> = {}) =>
  ({
    id: 'rec-1',
    provider: 'openai',
    model: 'gpt-4o-mini',
    status: 200,
    error: null,
    usage: {
      inputTokens: 12,
      outputTokens: 3,
      cachedInputTokens: 0,
      cacheWriteTokens: 0,
      cacheWrite1hTokens: 0,
      reasoningTokens: 0,
    },
    estimated: false,
    systemFingerprint: 'fp_1',
    costUsd: 0.0042,
    ...fields,
  }) as UsageRecord;
const response = { status: 200, contentType: 'application/json', body: Buffer.from('{"answer":42}') };

describe('cacheWanted', () => {
  it('the request header wins over the config', () => {
    expect(cacheWanted(undefined, false)).toBe(false);
    expect(cacheWanted(undefined, true)).toBe(true);
    expect(cacheWanted('on', false)).toBe(true);
    expect(cacheWanted(' OFF ', true)).toBe(false);
    expect(cacheWanted('maybe', true)).toBe(true);
  });
});

describe('cacheGuard', () => {
  it('miss: marks the response, captures it, stores a complete 2xx; then hits replay it', async () => {
    const guard = cacheGuard({ cache, enabled: true, now: () => 1000, log });
    const miss = await admit([guard], guardedCall('openai.chat', body));
    if (!('settles' in miss)) throw new Error('not a miss');
    expect(miss).toMatchObject({ headers: { 'x-llmdev-cache': 'miss' }, capture: true });
    miss.settles[0]?.(record(), response);

    const hit = await admit(
      [guard],
      guardedCall('openai.chat', { messages: body.messages, model: body.model }),
    );
    expect(hit).toEqual({
      answer: {
        source: 'cache',
        status: 200,
        contentType: 'application/json',
        body: response.body,
        usage: record().usage,
        estimated: false,
        responseModel: 'gpt-4o-mini',
        systemFingerprint: 'fp_1',
        savedUsd: 0.0042,
        headers: { 'x-llmdev-cache': 'hit' },
      },
    });
  });

  it('stores nothing for errors, unrecorded calls or uncaptured responses', async () => {
    const guard = cacheGuard({ cache, enabled: true, now: () => 1000, log });
    for (const [settledRecord, settledResponse] of [
      [record({ status: 500 }), response],
      [record({ error: 'stream error event' }), response],
      [null, response],
      [record(), undefined],
    ] as const) {
      const miss = await admit([guard], guardedCall('openai.chat', body));
      if (!('settles' in miss)) throw new Error('not a miss');
      miss.settles[0]?.(settledRecord, settledResponse);
    }
    expect(cache.stats().entries).toBe(0);
  });

  it('off by default; x-llmdev-cache: on turns it on for a request, off bypasses it', async () => {
    const guard = cacheGuard({ cache, enabled: false, now: () => 1000, log });
    expect(await admit([guard], guardedCall('openai.chat', body))).toEqual({ settles: [] });
    const on = await admit(
      [guard],
      guardedCall('openai.chat', body, { headers: { 'x-llmdev-cache': 'on' } }),
    );
    if (!('settles' in on)) throw new Error('not a miss');
    on.settles[0]?.(record(), response);
    const hit = await admit(
      [guard],
      guardedCall('openai.chat', body, { headers: { 'x-llmdev-cache': 'on' } }),
    );
    expect('answer' in hit).toBe(true);
    const enabled = cacheGuard({ cache, enabled: true, now: () => 1000, log });
    const off = await admit(
      [enabled],
      guardedCall('openai.chat', body, { headers: { 'x-llmdev-cache': 'off' } }),
    );
    expect(off).toEqual({ settles: [] });
  });
});
