/**
 * The team replication outbox in usage.db: which stored records are not yet in the team's
 * PostgreSQL. Rows are added by a trigger in the same transaction as the record (so a crash can
 * never store a record without queueing it) and deleted only after PostgreSQL committed them; a
 * record sent twice (crash between the two commits) is absorbed by PostgreSQL's ON CONFLICT.
 * The backlog costs ~40 bytes a record on disk and nothing in memory; it is bounded like the log
 * itself: retention deletes old records, and their outbox rows go with them (counted as expired).
 */
import type { Database } from 'better-sqlite3';
import type { UsageRecord } from '../../usage/record.js';
import { fromRow, type RecordRow } from './rows.js';

const TRIGGER = 'team_outbox_fill';

export interface OutboxEntry {
  seq: number;
  record: UsageRecord;
  /** The stored request body, when asked for and kept. */
  requestBody: string | null;
}

export interface OutboxBatch {
  entries: OutboxEntry[];
  /** Queued ids whose record retention already deleted. */
  expired: number;
  /** Highest outbox seq in the batch (acknowledge up to it); 0 when empty. */
  lastSeq: number;
}

export interface Outbox {
  /** The oldest `limit` queued records, in commit order. */
  next(limit: number): OutboxBatch;
  /** Forgets every entry up to `lastSeq` (they are in PostgreSQL now). */
  acknowledge(lastSeq: number): void;
  /** Records queued and not yet acknowledged. */
  backlog(): number;
  /** ts of the oldest queued record, or null. */
  oldest(): string | null;
}

/** Team mode on: queue every record stored from now on. Off: stop queueing (the table is kept). */
export function setOutboxTrigger(db: Database, on: boolean): void {
  if (on) {
    db.exec(`CREATE TRIGGER IF NOT EXISTS ${TRIGGER} AFTER INSERT ON usage_records
      BEGIN INSERT INTO team_outbox (record_id) VALUES (NEW.id); END`);
  } else {
    db.exec(`DROP TRIGGER IF EXISTS ${TRIGGER}`);
  }
}

export function openOutbox(db: Database, options: { withBodies: boolean }): Outbox {
  const select = db.prepare(
    `SELECT o.seq AS outbox_seq, r.*${options.withBodies ? ', b.body AS request_body' : ', NULL AS request_body'}
     FROM team_outbox o
     LEFT JOIN usage_records r ON r.id = o.record_id
     ${options.withBodies ? 'LEFT JOIN request_bodies b ON b.record_id = o.record_id' : ''}
     ORDER BY o.seq LIMIT ?`,
  );
  const remove = db.prepare('DELETE FROM team_outbox WHERE seq <= ?');
  const count = db.prepare('SELECT count(*) FROM team_outbox').pluck();
  const oldest = db
    .prepare(
      'SELECT r.ts FROM team_outbox o JOIN usage_records r ON r.id = o.record_id ORDER BY o.seq LIMIT 1',
    )
    .pluck();
  return {
    next(limit) {
      const rows = select.all(limit) as (RecordRow & { outbox_seq: number; request_body: string | null })[];
      const entries: OutboxEntry[] = [];
      let expired = 0;
      for (const row of rows) {
        // LEFT JOIN: a record purged by retention before it was replicated has no columns.
        if (row.id === null) expired++;
        else entries.push({ seq: row.outbox_seq, record: fromRow(row), requestBody: row.request_body });
      }
      return { entries, expired, lastSeq: rows.at(-1)?.outbox_seq ?? 0 };
    },
    acknowledge(lastSeq) {
      remove.run(lastSeq);
    },
    backlog: () => count.get() as number,
    oldest: () => (oldest.get() as string | undefined) ?? null,
  };
}
