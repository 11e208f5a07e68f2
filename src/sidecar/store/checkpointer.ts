/**
 * WAL checkpoints off the event loop. SQLite's automatic checkpoint runs inside whichever COMMIT
 * crosses the threshold and fsyncs the database file there: a stall of several milliseconds on the
 * request path every few hundred commits. Instead the writer connection never checkpoints, and a
 * worker thread with its own connection copies the WAL back into the database every `intervalMs`
 * (PASSIVE: the writer keeps committing meanwhile). If sustained writes keep the WAL from ever being
 * fully copied and reset, a RESTART checkpoint once it passes `maxWalBytes` forces the reset
 * (briefly making the writer wait) so the file cannot grow without bound.
 */
import { createRequire } from 'node:module';
import { Worker } from 'node:worker_threads';

// CommonJS source run with `eval`: works the same from src/ (tsx) and dist/.
const WORKER_SOURCE = `
const { workerData, parentPort } = require('node:worker_threads');
const { statSync } = require('node:fs');
const Database = require(workerData.driver);
const db = new Database(workerData.file);
db.pragma('busy_timeout = 5000');
const walSize = () => { try { return statSync(workerData.file + '-wal').size; } catch { return 0; } };
const checkpoint = (mode) => {
  try { db.pragma('wal_checkpoint(' + mode + ')'); } catch (error) { parentPort.postMessage({ error: String(error) }); }
};
const timer = setInterval(() => checkpoint(walSize() > workerData.maxWalBytes ? 'RESTART' : 'PASSIVE'), workerData.intervalMs);
parentPort.on('message', () => {
  clearInterval(timer);
  checkpoint('TRUNCATE');
  db.close();
  parentPort.close();
});
`;

export interface Checkpointer {
  /** Final checkpoint (the WAL is folded back and truncated), then the worker exits. */
  close(): Promise<void>;
}

export interface CheckpointerOptions {
  file: string;
  intervalMs?: number;
  maxWalBytes?: number;
  onError: (message: string) => void;
}

export function startCheckpointer({
  file,
  intervalMs = 250,
  maxWalBytes = 64 * 1024 * 1024,
  onError,
}: CheckpointerOptions): Checkpointer {
  const driver = createRequire(import.meta.url).resolve('better-sqlite3');
  const worker = new Worker(WORKER_SOURCE, {
    eval: true,
    workerData: { file, driver, intervalMs, maxWalBytes },
    // It holds nothing but a connection: keep its V8 heap (and so the sidecar's RSS) small.
    resourceLimits: { maxYoungGenerationSizeMb: 1, maxOldGenerationSizeMb: 16 },
  });
  worker.unref();
  worker.on('message', (message: { error?: string }) => {
    if (message.error) onError(message.error);
  });
  worker.on('error', (error) => onError(String(error)));
  const exited = new Promise<void>((resolve) => worker.once('exit', () => resolve()));
  return {
    close() {
      worker.ref(); // keep the process up until its final checkpoint is done
      worker.postMessage('close');
      return exited;
    },
  };
}
