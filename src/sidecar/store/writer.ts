/**
 * The one write path into usage.db, with group commit: records queued during one turn of the event
 * loop are committed together in one short transaction on the next turn, and each caller's promise
 * resolves only after that COMMIT. So "acknowledged => committed" holds at thousands of records per
 * second without a transaction (and a WAL write) per request.
 */
import type { Database, Statement } from 'better-sqlite3';
import type { UsageRecord } from '../../usage/record.js';
import { RECORD_COLUMNS, toRow } from './rows.js';

export interface RecordToStore {
  record: UsageRecord;
  /** Request body kept for replay (already size-capped and redacted by the caller). */
  requestBody?: string | undefined;
  /** The answer's text kept for replay (already capped and redacted by the caller). */
  responseText?: string | undefined;
}

export interface CommitResult {
  /** Newly stored records. */
  inserted: number;
  /** Records whose id was already stored (a retried ingest): not stored twice. */
  duplicates: number;
}

export type CommitListener = (records: readonly UsageRecord[]) => void;

export interface RecordWriter {
  /** Queues records; resolves once they are committed, rejects if their transaction failed. */
  write(items: readonly RecordToStore[]): Promise<CommitResult>;
  /** Commits what is queued now (before shutdown). */
  flush(): void;
  /** Called after each commit with the newly stored records (JSONL mirror, metrics...). */
  onCommit(listener: CommitListener): void;
}

interface Job {
  items: readonly RecordToStore[];
  resolve: (result: CommitResult) => void;
  reject: (error: unknown) => void;
}

export interface WriterOptions {
  /** When the queued batch is committed; tests may inject a manual scheduler. */
  schedule?: (commit: () => void) => void;
  /** A listener threw: reported, never allowed to fail a commit that already happened. */
  onListenerError?: (error: unknown) => void;
}

export function createRecordWriter(db: Database, options: WriterOptions = {}): RecordWriter {
  const schedule = options.schedule ?? ((commit) => setImmediate(commit));
  const insertRecord: Statement = db.prepare(
    `INSERT INTO usage_records (${RECORD_COLUMNS.join(', ')})
     VALUES (${RECORD_COLUMNS.map((column) => `@${column}`).join(', ')})
     ON CONFLICT (id) DO NOTHING`,
  );
  const insertBody: Statement = db.prepare(
    'INSERT INTO request_bodies (record_id, body) VALUES (?, ?) ON CONFLICT (record_id) DO NOTHING',
  );
  const insertText: Statement = db.prepare(
    'INSERT INTO response_texts (record_id, text) VALUES (?, ?) ON CONFLICT (record_id) DO NOTHING',
  );
  const listeners: CommitListener[] = [];
  let queue: Job[] = [];
  let scheduled = false;

  const insertJob = (job: Job, committed: UsageRecord[]): CommitResult => {
    let inserted = 0;
    for (const { record, requestBody, responseText } of job.items) {
      if (insertRecord.run(toRow(record)).changes === 0) continue;
      inserted++;
      committed.push(record);
      if (requestBody !== undefined) insertBody.run(record.id, requestBody);
      if (responseText !== undefined) insertText.run(record.id, responseText);
    }
    return { inserted, duplicates: job.items.length - inserted };
  };

  const commitJobs = db.transaction((jobs: Job[], committed: UsageRecord[]) =>
    jobs.map((job) => insertJob(job, committed)),
  );
  const commitOne = db.transaction((job: Job, committed: UsageRecord[]) => insertJob(job, committed));

  const notify = (committed: UsageRecord[]) => {
    if (committed.length === 0) return;
    for (const listener of listeners) {
      try {
        listener(committed);
      } catch (error) {
        options.onListenerError?.(error);
      }
    }
  };

  const flush = () => {
    scheduled = false;
    const jobs = queue;
    queue = [];
    if (jobs.length === 0) return;
    const committed: UsageRecord[] = [];
    let results: CommitResult[];
    try {
      results = commitJobs.immediate(jobs, committed);
    } catch {
      // One bad job must not fail the others: retry each in its own transaction.
      for (const job of jobs) {
        const mine: UsageRecord[] = [];
        try {
          const result = commitOne.immediate(job, mine);
          notify(mine);
          job.resolve(result);
        } catch (error) {
          job.reject(error);
        }
      }
      return;
    }
    notify(committed);
    for (const [i, job] of jobs.entries()) job.resolve(results[i] as CommitResult);
  };

  return {
    write(items) {
      return new Promise<CommitResult>((resolve, reject) => {
        queue.push({ items, resolve, reject });
        if (!scheduled) {
          scheduled = true;
          schedule(flush);
        }
      });
    },
    flush,
    onCommit(listener) {
      listeners.push(listener);
    },
  };
}
