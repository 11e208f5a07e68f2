/**
 * Versioned schema migrations of usage.db. The applied version is SQLite's `user_version`; each
 * migration runs in its own transaction together with the version bump, so a crash mid-way leaves
 * the previous version intact. Append new migrations; never edit a released one.
 */
import type { Database } from 'better-sqlite3';
import { FileError } from '../../errors/index.js';
import { HOURLY_ROLLUP_SQL } from './hourly-rollup.js';

export interface Migration {
  version: number;
  description: string;
  sql: string;
}

export const MIGRATIONS: readonly Migration[] = [
  {
    version: 1,
    description: 'usage records and stored request bodies',
    sql: `
      CREATE TABLE usage_records (
        seq INTEGER PRIMARY KEY,
        id TEXT NOT NULL UNIQUE,
        ts TEXT NOT NULL,
        provider TEXT NOT NULL,
        model TEXT NOT NULL,
        endpoint TEXT NOT NULL,
        stream INTEGER NOT NULL,
        source TEXT NOT NULL,
        input_tokens INTEGER NOT NULL,
        output_tokens INTEGER NOT NULL,
        cached_input_tokens INTEGER NOT NULL,
        cache_write_tokens INTEGER NOT NULL,
        reasoning_tokens INTEGER NOT NULL,
        cost_usd REAL,
        saved_usd REAL,
        pricing_source TEXT,
        latency_ms REAL,
        ttfb_ms REAL,
        status INTEGER NOT NULL,
        error TEXT,
        estimated INTEGER NOT NULL,
        tags TEXT NOT NULL,
        prompt_name TEXT,
        prompt_version TEXT,
        params TEXT NOT NULL,
        system_fingerprint TEXT,
        upstream_request_id TEXT
      );
      -- Time ranges (summary, records pages, retention, budget periods) all filter on ts.
      CREATE INDEX usage_records_ts ON usage_records (ts, seq);
      CREATE INDEX usage_records_prompt ON usage_records (prompt_name, prompt_version)
        WHERE prompt_name IS NOT NULL;
      -- Bodies live apart so scans of usage_records stay small; only for replay.
      CREATE TABLE request_bodies (
        record_id TEXT PRIMARY KEY,
        body TEXT NOT NULL
      ) WITHOUT ROWID;
    `,
  },
  {
    version: 2,
    description: 'response cache',
    sql: `
      -- Exact-match response cache (src/sidecar/cache): the bytes a client got, replayed on a hit.
      -- body last, so reading the other columns never walks its overflow pages.
      CREATE TABLE response_cache (
        key TEXT NOT NULL UNIQUE,
        created_at INTEGER NOT NULL,
        expires_at INTEGER NOT NULL,
        size INTEGER NOT NULL,
        record_id TEXT NOT NULL,
        provider TEXT NOT NULL,
        model TEXT NOT NULL,
        status INTEGER NOT NULL,
        content_type TEXT NOT NULL,
        usage TEXT NOT NULL,
        estimated INTEGER NOT NULL,
        system_fingerprint TEXT,
        cost_usd REAL,
        body BLOB NOT NULL
      );
      CREATE INDEX response_cache_expires ON response_cache (expires_at);
      CREATE INDEX response_cache_created ON response_cache (created_at);
    `,
  },
  {
    version: 3,
    description: 'answer texts for replay',
    sql: `
      -- The answer's text (capped like request bodies), for \`llmdev replay\` to show old beside new.
      CREATE TABLE response_texts (
        record_id TEXT PRIMARY KEY,
        text TEXT NOT NULL
      ) WITHOUT ROWID;
    `,
  },
  {
    version: 4,
    description: '1-hour cache writes and the response model',
    sql: `
      -- The part of cache_write_tokens written with Anthropic's 1-hour TTL (priced higher).
      ALTER TABLE usage_records ADD COLUMN cache_write_1h_tokens INTEGER NOT NULL DEFAULT 0;
      -- The model the provider said it used (e.g. a dated snapshot of model); NULL when unknown.
      ALTER TABLE usage_records ADD COLUMN response_model TEXT;
    `,
  },
  {
    version: 5,
    description: 'hourly rollup for the summary',
    sql: HOURLY_ROLLUP_SQL,
  },
  {
    version: 6,
    description: 'team replication outbox',
    sql: `
      -- Records not yet in the team's PostgreSQL (team mode, src/sidecar/store/outbox.ts). A trigger,
      -- present only in team mode, fills it in the transaction that stores the record, so "stored
      -- locally" implies "queued for the team" whatever process or thread writes.
      CREATE TABLE team_outbox (
        seq INTEGER PRIMARY KEY,
        record_id TEXT NOT NULL
      );
    `,
  },
];

export function migrate(db: Database, file: string, migrations: readonly Migration[] = MIGRATIONS): number {
  const current = db.pragma('user_version', { simple: true }) as number;
  const latest = migrations.at(-1)?.version ?? 0;
  if (current > latest) {
    throw new FileError(`${file}: the usage database has schema version ${current}, newer than this llmdev`, {
      hint: `Upgrade llmdev (this one knows schema version ${latest}), or point --data at another directory.`,
    });
  }
  for (const migration of migrations) {
    if (migration.version <= current) continue;
    db.transaction(() => {
      db.exec(migration.sql);
      db.pragma(`user_version = ${migration.version}`);
    }).immediate();
  }
  return latest;
}
