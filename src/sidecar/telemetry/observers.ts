/**
 * Work done for each committed record (metrics, live dashboard updates, OTLP spans), kept off the
 * commit path. The writer calls `onCommit` when a commit is acknowledged, before any caller's
 * response is completed; all that happens there is one array push per record and, per batch, one
 * scheduled turn of the event loop in which the observers run. So a slow observer never delays a response.
 */
import type { UsageRecord } from '../../usage/record.js';

export type RecordObserver = (records: readonly UsageRecord[]) => void;

export interface CommitObservers {
  /** Registered with `writer.onCommit`. */
  onCommit(records: readonly UsageRecord[]): void;
  add(observer: RecordObserver): void;
  /** Runs the observers now on whatever is pending (before shutdown). */
  drain(): void;
}

export function createCommitObservers(
  onError: (error: unknown) => void,
  schedule: (run: () => void) => void = setImmediate,
): CommitObservers {
  const observers: RecordObserver[] = [];
  let pending: UsageRecord[] = [];
  let scheduled = false;

  const drain = () => {
    scheduled = false;
    if (pending.length === 0) return;
    const records = pending;
    pending = [];
    for (const observer of observers) {
      try {
        observer(records);
      } catch (error) {
        onError(error);
      }
    }
  };

  return {
    onCommit(records) {
      if (observers.length === 0) return;
      for (const record of records) pending.push(record);
      if (!scheduled) {
        scheduled = true;
        schedule(drain);
      }
    },
    add(observer) {
      observers.push(observer);
    },
    drain,
  };
}
