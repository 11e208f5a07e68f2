/**
 * The response cache's table in usage.db (migration 2): one row per canonical request key with the
 * exact bytes the client got, its usage and what it cost. Bounded: expired rows are purged, and
 * when the bodies pass `maxBytes` the oldest rows are evicted (first in, first out: a hit writes
 * nothing, keeping hits cheap). Responses over a quarter of the bound are not cached at all.
 */

import type { Database, Statement } from 'better-sqlite3';
import { type TokenUsage, tokenUsageSchema } from '../../usage/record.js';
import { type RedactText, redactBytes } from '../store/redacted.js';

export interface CacheEntry {
  key: string;
  recordId: string;
  provider: string;
  model: string;
  status: number;
  contentType: string;
  body: Buffer;
  usage: TokenUsage;
  estimated: boolean;
  systemFingerprint: string | null;
  costUsd: number | null;
}

export interface ResponseCache {
  /** The live entry for `key`, if any. */
  get(key: string, nowMs: number): CacheEntry | undefined;
  /** Stores (or replaces) an entry; false when it is too large to cache. */
  put(entry: CacheEntry, nowMs: number): boolean;
  /** Size now, and lookups that missed since the cache was opened. */
  stats(): { entries: number; bytes: number; misses: number };
}

export interface ResponseCacheOptions {
  ttlMs: number;
  maxBytes: number;
  /** Masks secrets in what is stored (a provider answer may echo a key); default: stored as given. */
  redact?: RedactText;
}

interface Row {
  key: string;
  record_id: string;
  provider: string;
  model: string;
  status: number;
  content_type: string;
  body: Buffer;
  usage: string;
  estimated: number;
  system_fingerprint: string | null;
  cost_usd: number | null;
}

const PURGE_EVERY_MS = 60_000;
const EVICT_BATCH = 64;

export function openResponseCache(
  db: Database,
  { ttlMs, maxBytes, redact = (text) => text }: ResponseCacheOptions,
): ResponseCache {
  const select: Statement = db.prepare('SELECT * FROM response_cache WHERE key = ? AND expires_at > ?');
  const sizeOf = db.prepare('SELECT size FROM response_cache WHERE key = ?').pluck();
  const insert: Statement = db.prepare(
    `INSERT OR REPLACE INTO response_cache (key, created_at, expires_at, size, record_id, provider, model,
       status, content_type, usage, estimated, system_fingerprint, cost_usd, body)
     VALUES (@key, @created_at, @expires_at, @size, @record_id, @provider, @model,
       @status, @content_type, @usage, @estimated, @system_fingerprint, @cost_usd, @body)`,
  );
  const totals: Statement = db.prepare(
    'SELECT COUNT(*) AS entries, TOTAL(size) AS bytes FROM response_cache',
  );
  const purgeExpired = db.prepare('DELETE FROM response_cache WHERE expires_at <= ? RETURNING size').pluck();
  const evictOldest = db
    .prepare(
      `DELETE FROM response_cache
       WHERE rowid IN (SELECT rowid FROM response_cache ORDER BY created_at LIMIT ?) RETURNING size`,
    )
    .pluck();
  const count = () => totals.get() as { entries: number; bytes: number };
  const sum = (sizes: unknown[]) => (sizes as number[]).reduce((total, size) => total + size, 0);
  let { bytes } = count();
  let purgedAt = -Infinity;
  let misses = 0;

  const store = db.transaction((entry: CacheEntry, nowMs: number) => {
    if (nowMs - purgedAt >= PURGE_EVERY_MS) {
      bytes -= sum(purgeExpired.all(nowMs));
      purgedAt = nowMs;
    }
    bytes -= (sizeOf.get(entry.key) as number | undefined) ?? 0;
    insert.run({
      key: entry.key,
      created_at: nowMs,
      expires_at: nowMs + ttlMs,
      size: entry.body.length,
      record_id: entry.recordId,
      provider: entry.provider,
      model: entry.model,
      status: entry.status,
      content_type: entry.contentType,
      usage: JSON.stringify(entry.usage),
      estimated: entry.estimated ? 1 : 0,
      system_fingerprint: entry.systemFingerprint,
      cost_usd: entry.costUsd,
      body: entry.body,
    });
    bytes += entry.body.length;
    while (bytes > maxBytes) {
      const freed = evictOldest.all(EVICT_BATCH);
      if (freed.length === 0) break;
      bytes -= sum(freed);
    }
  });

  return {
    get(key, nowMs) {
      const row = select.get(key, nowMs) as Row | undefined;
      if (!row) {
        misses++;
        return undefined;
      }
      return {
        key: row.key,
        recordId: row.record_id,
        provider: row.provider,
        model: row.model,
        status: row.status,
        contentType: row.content_type,
        body: row.body,
        // Parsed, not cast: entries stored by an older llmdev lack newer fields (their defaults apply).
        usage: tokenUsageSchema.parse(JSON.parse(row.usage)),
        estimated: row.estimated === 1,
        systemFingerprint: row.system_fingerprint,
        costUsd: row.cost_usd,
      };
    },
    put(given, nowMs) {
      if (given.body.length > maxBytes / 4) return false;
      const entry: CacheEntry = {
        ...given,
        model: redact(given.model),
        systemFingerprint: given.systemFingerprint === null ? null : redact(given.systemFingerprint),
        body: redactBytes(given.body, redact),
      };
      try {
        store.immediate(entry, nowMs);
      } catch (error) {
        bytes = count().bytes; // the transaction rolled back: recount
        throw error;
      }
      return true;
    },
    stats: () => ({ ...count(), misses }),
  };
}
