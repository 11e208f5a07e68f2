/**
 * The one write path into usage.db, with group commit: records queued while the commit thread is
 * busy (or during one turn of the event loop when it is idle) go to it together and are committed
 * in one short transaction; each caller's promise resolves only after that COMMIT. So
 * "acknowledged => committed" holds at thousands of records per second without a transaction (and
 * a WAL write) per request, and without the INSERTs running on the event loop.
 */
import { SidecarError } from '../../errors/index.js';
import type { UsageRecord } from '../../usage/record.js';
import type { Committer, JobOutcome, JobPayload } from './commit-thread.js';
import { toValues } from './rows.js';

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
  /** Commits what is queued and resolves when every write so far is settled (before shutdown). */
  drain(): Promise<void>;
  /** Called after each commit with the newly stored records (JSONL mirror, metrics...). */
  onCommit(listener: CommitListener): void;
}

interface Job {
  items: readonly RecordToStore[];
  resolve: (result: CommitResult) => void;
  reject: (error: unknown) => void;
}

export interface WriterOptions {
  /** A listener threw: reported, never allowed to fail a commit that already happened. */
  onListenerError?: (error: unknown) => void;
}

function payload(items: readonly RecordToStore[]): JobPayload {
  return {
    rows: items.map((item) => toValues(item.record)),
    bodies: items.map((item) => item.requestBody),
    texts: items.map((item) => item.responseText),
  };
}

export function createRecordWriter(commit: Committer, options: WriterOptions = {}): RecordWriter {
  const listeners: CommitListener[] = [];
  let queue: Job[] = [];
  let scheduled = false;
  let inFlight: Promise<void> | null = null;

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

  // Listeners hear of every committed record before any caller's promise resolves.
  const settle = (jobs: Job[], outcomes: JobOutcome[]) => {
    const committed: UsageRecord[] = [];
    const results = jobs.map((job, i) => {
      const outcome = outcomes[i];
      if (outcome === undefined || 'error' in outcome) return null;
      let inserted = 0;
      outcome.inserted.forEach((isNew, k) => {
        const item = job.items[k];
        if (isNew && item) {
          inserted++;
          committed.push(item.record);
        }
      });
      return { inserted, duplicates: job.items.length - inserted };
    });
    notify(committed);
    jobs.forEach((job, i) => {
      const result = results[i];
      const outcome = outcomes[i];
      if (result) job.resolve(result);
      else
        job.reject(
          new SidecarError(
            `usage record not stored: ${outcome && 'error' in outcome ? outcome.error : 'no answer'}`,
            {
              hint: 'usage.db refused the insert: check the disk (space, permissions) of the data directory.',
            },
          ),
        );
    });
  };

  const send = () => {
    scheduled = false;
    if (inFlight !== null || queue.length === 0) return;
    const jobs = queue;
    queue = [];
    inFlight = commit(jobs.map((job) => payload(job.items))).then(
      (outcomes) => settle(jobs, outcomes),
      (error) => {
        for (const job of jobs) job.reject(error);
      },
    );
    // What queued up meanwhile goes as the next batch, right after this one's acknowledgement.
    void inFlight.then(() => {
      inFlight = null;
      send();
    });
  };

  return {
    write(items) {
      return new Promise<CommitResult>((resolve, reject) => {
        queue.push({ items, resolve, reject });
        if (inFlight === null && !scheduled) {
          scheduled = true;
          setImmediate(send);
        }
      });
    },
    async drain() {
      send();
      while (inFlight !== null) {
        await inFlight; // by then the follow-up batch, if any, is in flight
      }
    },
    onCommit(listener) {
      listeners.push(listener);
    },
  };
}
