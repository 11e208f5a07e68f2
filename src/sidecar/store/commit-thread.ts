/**
 * The worker thread that owns usage.db's record inserts: the event loop hands it a batch of rows and
 * gets back, once the batch's COMMIT has returned, which rows were new. The INSERTs, their index
 * updates and the WAL write happen on this thread, so a commit never stalls a request in flight.
 * A killed process loses nothing acknowledged: the acknowledgement is sent after COMMIT (WAL,
 * synchronous = NORMAL: the commit is in the WAL file before COMMIT returns).
 */
import { createRequire } from 'node:module';
import { Worker } from 'node:worker_threads';
import { SidecarError } from '../../errors/index.js';
import { RECORD_COLUMNS } from './rows.js';

/** One caller's records as the thread receives them: row values in RECORD_COLUMNS order. */
export interface JobPayload {
  rows: unknown[][];
  bodies: (string | undefined)[];
  texts: (string | undefined)[];
}

/** Per record whether it was new (false: its id was already stored), or why the job failed. */
export type JobOutcome = { inserted: boolean[] } | { error: string };

export type Committer = (jobs: JobPayload[]) => Promise<JobOutcome[]>;

export interface CommitThread {
  commit: Committer;
  /** Closes the thread's connection once the batches sent so far are committed. */
  close(): Promise<void>;
}

// CommonJS source run with `eval`: works the same from src/ (tsx, jest) and dist/.
const WORKER_SOURCE = `
const { workerData, parentPort } = require('node:worker_threads');
const Database = require(workerData.driver);
const db = new Database(workerData.file);
db.pragma('busy_timeout = 5000');
db.pragma('synchronous = NORMAL');
db.pragma('wal_autocheckpoint = 0'); // the checkpointer's job
const columns = workerData.columns;
const insertRecord = db.prepare('INSERT INTO usage_records (' + columns.join(', ') + ') VALUES (' +
  columns.map(() => '?').join(', ') + ') ON CONFLICT (id) DO NOTHING');
const insertBody = db.prepare('INSERT INTO request_bodies (record_id, body) VALUES (?, ?) ON CONFLICT (record_id) DO NOTHING');
const insertText = db.prepare('INSERT INTO response_texts (record_id, text) VALUES (?, ?) ON CONFLICT (record_id) DO NOTHING');
const insertJob = (job) => job.rows.map((row, i) => {
  if (insertRecord.run(row).changes === 0) return false;
  if (job.bodies[i] !== undefined) insertBody.run(row[0], job.bodies[i]);
  if (job.texts[i] !== undefined) insertText.run(row[0], job.texts[i]);
  return true;
});
const commitAll = db.transaction((jobs) => jobs.map(insertJob));
const commitOne = db.transaction(insertJob);
parentPort.on('message', (message) => {
  if (message === 'close') {
    db.close();
    parentPort.close();
    return;
  }
  let outcomes;
  try {
    outcomes = commitAll.immediate(message.jobs).map((inserted) => ({ inserted }));
  } catch {
    // One bad job must not fail the others: retry each in its own transaction.
    outcomes = message.jobs.map((job) => {
      try { return { inserted: commitOne.immediate(job) }; }
      catch (error) { return { error: String(error && error.message || error) }; }
    });
  }
  parentPort.postMessage({ id: message.id, outcomes });
});
`;

export function startCommitThread(file: string): CommitThread {
  const driver = createRequire(import.meta.url).resolve('better-sqlite3');
  const worker = new Worker(WORKER_SOURCE, {
    eval: true,
    workerData: { file, driver, columns: RECORD_COLUMNS },
    // It holds a connection and one batch at a time: keep its V8 heap (and the sidecar's RSS) small.
    resourceLimits: { maxYoungGenerationSizeMb: 2, maxOldGenerationSizeMb: 32 },
  });
  worker.unref();
  const pending = new Map<
    number,
    { resolve: (outcomes: JobOutcome[]) => void; reject: (e: Error) => void }
  >();
  let nextId = 0;
  let failure: Error | null = null;
  const fail = (cause: unknown) => {
    failure = new SidecarError(`the usage.db writer thread stopped: ${String(cause)}`, {
      hint: 'Records can no longer be stored: restart the sidecar (see its log for the cause).',
      cause,
    });
    for (const { reject } of pending.values()) reject(failure);
    pending.clear();
  };
  worker.on('message', (message: { id: number; outcomes: JobOutcome[] }) => {
    pending.get(message.id)?.resolve(message.outcomes);
    pending.delete(message.id);
    if (pending.size === 0) worker.unref();
  });
  worker.on('error', fail);
  const exited = new Promise<void>((resolve) =>
    worker.once('exit', (code) => {
      if (pending.size > 0) fail(`exit code ${code}`);
      resolve();
    }),
  );
  return {
    commit(jobs) {
      if (failure) return Promise.reject(failure);
      const id = nextId++;
      return new Promise<JobOutcome[]>((resolve, reject) => {
        pending.set(id, { resolve, reject });
        worker.ref(); // an unacknowledged batch keeps the process up
        worker.postMessage({ id, jobs });
      });
    },
    close() {
      worker.ref();
      worker.postMessage('close');
      return exited;
    },
  };
}
