/**
 * Opening usage.db: private file permissions (the log reveals what you worked on), WAL so readers
 * never block the writer and a killed process loses nothing it committed, then migrations.
 */
import { chmodSync, closeSync, mkdirSync, openSync } from 'node:fs';
import { join } from 'node:path';
import BetterSqlite3, { type Database } from 'better-sqlite3';
import { FileError } from '../../errors/index.js';
import { migrate } from './migrations.js';

export const DATABASE_FILE = 'usage.db';

/** The log reveals what you worked on: keep the directory private when it is ours to change. */
function tightenDir(dir: string): void {
  try {
    chmodSync(dir, 0o700);
  } catch {
    // Not our directory (e.g. a mount point owned by root): its owner decides.
  }
}

export function openDatabase(dataDir: string): Database {
  const file = join(dataDir, DATABASE_FILE);
  try {
    mkdirSync(dataDir, { recursive: true, mode: 0o700 });
    tightenDir(dataDir);
    // SQLite creates -wal and -shm with the main file's mode, so setting it here covers all three.
    closeSync(openSync(file, 'a', 0o600));
    chmodSync(file, 0o600);
  } catch (cause) {
    throw new FileError(
      `${file}: cannot create the usage database (${(cause as NodeJS.ErrnoException).code})`,
      {
        hint: 'Pass --data with a directory the sidecar user can write (in the container: the usage-data volume at /data).',
        cause,
      },
    );
  }
  const db = new BetterSqlite3(file);
  try {
    db.pragma('journal_mode = WAL');
    // In WAL mode NORMAL keeps every COMMIT durable against a crash of this process (the WAL is
    // written before COMMIT returns); only an OS crash or power loss can drop the last commits.
    db.pragma('synchronous = NORMAL');
    db.pragma('busy_timeout = 5000');
    migrate(db, file);
  } catch (error) {
    db.close();
    throw error;
  }
  return db;
}
