/**
 * Retention: records older than `sidecar.retentionDays` are deleted (with their bodies and answer
 * texts), in small transactions that yield to the event loop between them, so a large purge never
 * stalls requests.
 */
import type { Database } from 'better-sqlite3';

const CHUNK = 2000;
const DAY_MS = 86_400_000;

export function retentionCutoff(now: Date, retentionDays: number): string {
  return new Date(now.getTime() - retentionDays * DAY_MS).toISOString();
}

export type Purge = (cutoff: string) => Promise<number>;

/** Returns a function deleting records with ts < cutoff; resolves to how many were deleted. */
export function createPurge(db: Database): Purge {
  const oldest = db.prepare('SELECT seq, id FROM usage_records WHERE ts < ? ORDER BY ts LIMIT ?');
  const deleteRecord = db.prepare('DELETE FROM usage_records WHERE seq = ?');
  const deleteBody = db.prepare('DELETE FROM request_bodies WHERE record_id = ?');
  const deleteText = db.prepare('DELETE FROM response_texts WHERE record_id = ?');
  const purgeChunk = db.transaction((cutoff: string) => {
    const rows = oldest.all(cutoff, CHUNK) as { seq: number; id: string }[];
    for (const { seq, id } of rows) {
      deleteBody.run(id);
      deleteText.run(id);
      deleteRecord.run(seq);
    }
    return rows.length;
  });
  return async (cutoff) => {
    let total = 0;
    for (;;) {
      const deleted = purgeChunk.immediate(cutoff);
      total += deleted;
      if (deleted < CHUNK) return total;
      await new Promise((resolve) => setImmediate(resolve));
    }
  };
}
