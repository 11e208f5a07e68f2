import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { Database } from 'better-sqlite3';
import { type CacheEntry, openResponseCache } from '../../../src/sidecar/cache/store.js';
import { openDatabase } from '../../../src/sidecar/store/database.js';

let dir: string;
let db: Database;
beforeEach(() => {
  dir = mkdtempSync(join(tmpdir(), 'llmdev-cache-'));
  db = openDatabase(dir);
});
afterEach(() => {
  db.close();
  rmSync(dir, { recursive: true, force: true });
});

const entry = (key: string, bytes = 100): CacheEntry => ({
  key,
  recordId: `rec-${key}`,
  provider: 'openai',
  model: 'gpt-4o-mini',
  status: 200,
  contentType: 'application/json',
  body: Buffer.alloc(bytes, key),
  usage: {
    inputTokens: 10,
    outputTokens: 5,
    cachedInputTokens: 0,
    cacheWriteTokens: 0,
    cacheWrite1hTokens: 0,
    reasoningTokens: 0,
  },
  estimated: false,
  systemFingerprint: 'fp',
  costUsd: 0.0012,
});

describe('response cache store', () => {
  it('round-trips an entry byte for byte until its TTL passes', () => {
    const cache = openResponseCache(db, { ttlMs: 1000, maxBytes: 10_000 });
    const stored = { ...entry('a'), body: Buffer.from([0, 255, 10, 13, 0xe2, 0x82]) };
    expect(cache.put(stored, 0)).toBe(true);
    expect(cache.get('a', 999)).toEqual(stored);
    expect(cache.get('a', 1000)).toBeUndefined();
    expect(cache.get('b', 0)).toBeUndefined();
    expect(cache.stats().misses).toBe(2); // the expired entry and the unknown key
  });

  it('a newer response replaces the entry of the same key', () => {
    const cache = openResponseCache(db, { ttlMs: 1000, maxBytes: 10_000 });
    cache.put(entry('a', 100), 0);
    cache.put({ ...entry('a', 200), costUsd: 2 }, 10);
    expect(cache.get('a', 10)?.costUsd).toBe(2);
    expect(cache.stats()).toEqual({ entries: 1, bytes: 200, misses: 0 });
  });

  it('stays under maxBytes by evicting the oldest entries; refuses entries over a quarter of it', () => {
    const cache = openResponseCache(db, { ttlMs: 1_000_000, maxBytes: 1000 });
    for (let i = 0; i < 30; i++) cache.put(entry(`k${i}`, 100), i);
    const { bytes } = cache.stats();
    expect(bytes).toBeLessThanOrEqual(1000);
    expect(cache.get('k29', 30)).toBeDefined();
    expect(cache.get('k0', 30)).toBeUndefined();
    expect(cache.put(entry('huge', 251), 31)).toBe(false);
    expect(cache.put(entry('fits', 250), 31)).toBe(true);
  });

  it('purges expired entries as it stores new ones, and counts what a reopened cache holds', () => {
    const cache = openResponseCache(db, { ttlMs: 1000, maxBytes: 100_000 });
    for (let i = 0; i < 5; i++) cache.put(entry(`k${i}`), 0);
    cache.put(entry('late'), 120_000);
    expect(cache.stats()).toEqual({ entries: 1, bytes: 100, misses: 0 });
    expect(openResponseCache(db, { ttlMs: 1000, maxBytes: 100_000 }).stats()).toEqual({
      entries: 1,
      bytes: 100,
      misses: 0,
    });
  });
});
