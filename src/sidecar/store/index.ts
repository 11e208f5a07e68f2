/**
 * usage.db as the sidecar uses it: record inserts in a worker thread (the one writer path), one
 * connection on the event loop for the read queries, retention and the response cache, and WAL
 * checkpoints in another worker thread.
 */
import { join } from 'node:path';
import type { Database } from 'better-sqlite3';
import { startCheckpointer } from './checkpointer.js';
import { startCommitThread } from './commit-thread.js';
import { DATABASE_FILE, openDatabase } from './database.js';
import { createUsageQueries, type UsageQueries } from './queries.js';
import { type RedactText, redactingWriter } from './redacted.js';
import { createPurge, type Purge } from './retention.js';
import { createRecordWriter, type RecordWriter, type WriterOptions } from './writer.js';

export interface UsageStore {
  /** The connection, for the other tables of usage.db (response cache): short synchronous writes only. */
  db: Database;
  writer: RecordWriter;
  queries: UsageQueries;
  purge: Purge;
  /** A trivial read, for /healthz. */
  check(): boolean;
  /** Commits what is queued, closes the database and folds the WAL back into it. */
  close(): Promise<void>;
}

export interface StoreOptions extends WriterOptions {
  onCheckpointError?: (message: string) => void;
  /** Masks secrets in every stored string (see redacted.ts); default: stored as given. */
  redact?: RedactText;
}

export function openUsageStore(dataDir: string, options: StoreOptions = {}): UsageStore {
  const db: Database = openDatabase(dataDir);
  db.pragma('wal_autocheckpoint = 0'); // the checkpointer's job, off the event loop
  const checkpointer = startCheckpointer({
    file: join(dataDir, DATABASE_FILE),
    onError: options.onCheckpointError ?? (() => undefined),
  });
  const thread = startCommitThread(join(dataDir, DATABASE_FILE));
  const direct = createRecordWriter(thread.commit, options);
  const writer = options.redact ? redactingWriter(direct, options.redact) : direct;
  const ping = db.prepare('SELECT 1').pluck();
  return {
    db,
    writer,
    queries: createUsageQueries(db),
    purge: createPurge(db),
    check: () => {
      try {
        return ping.get() === 1;
      } catch {
        return false;
      }
    },
    async close() {
      await writer.drain();
      await thread.close();
      db.close();
      await checkpointer.close();
    },
  };
}
