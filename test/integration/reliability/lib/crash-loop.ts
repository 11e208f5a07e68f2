/**
 * The crash-durability experiment: drive `llmdev sidecar` (a child process, live against the fake
 * provider) with concurrent proxied calls (streaming and not, both APIs) and ingests, `kill -9` it
 * at a random moment, restart it on the same data dir, and repeat. Ingest batches that got no
 * answer are retried after the restart with the same client ids (what a client library does), so
 * idempotency is exercised too. At the end every acknowledged call and ingested record must be in
 * usage.db exactly once, and `PRAGMA integrity_check` must say ok after every crash.
 * Used by test/integration/reliability/crash.test.ts (CI) and bench/crash.ts (longer).
 */
import { Agent } from 'node:http';
import { startFakeProvider } from '../../../fixtures/fake-provider.js';
import {
  createSidecarProject,
  inspectDatabase,
  type SidecarProcess,
  type StartOptions,
  spawnSidecar,
  startSidecar,
} from './sidecar-process.js';
import { acknowledged, CALL_KINDS, ingest, proxiedCall } from './traffic.js';

export interface CrashLoopOptions extends StartOptions {
  /** kill -9 while under load (each followed by a restart). */
  kills: number;
  /** Extra kill -9 during startup (before or while migrating/listening), on the first rounds. */
  startupKills: number;
  /** Clients sending at once. */
  concurrency: number;
  /** The kill comes at a uniformly random moment between these, after the sidecar listens. */
  upMs: [number, number];
  log?: (line: string) => void;
  random?: () => number;
}

export interface CrashFigures {
  kills: number;
  startupKills: number;
  /** Calls and ingested records the client was told succeeded. */
  acknowledged: { calls: number; records: number; total: number };
  /** Acknowledged ids found in usage.db (once or more). */
  found: number;
  lost: number;
  duplicated: number;
  /** Rows with no acknowledgement (the call's end or the 202 was lost in the crash). */
  storedUnacknowledged: number;
  /** Records of retried ingest batches that were already stored (committed, answer lost). */
  retryDuplicates: number;
  /** Requests that failed because of a kill (connection reset or refused). */
  interrupted: number;
  integrityChecks: number;
  integrityFailures: string[];
  seconds: number;
}

export async function runCrashLoop(options: CrashLoopOptions): Promise<CrashFigures> {
  const random = options.random ?? Math.random;
  const log = options.log ?? (() => undefined);
  const started = performance.now();
  const fake = await startFakeProvider({ recordLimit: 0 });
  const project = await createSidecarProject(fake.url);
  const acknowledgedCalls = new Set<string>();
  const acknowledgedRecords = new Set<string>();
  let pendingBatches: string[][] = [];
  let nextRecord = 0;
  let retryDuplicates = 0;
  let interrupted = 0;
  let integrityChecks = 0;
  const integrityFailures: string[] = [];
  let current: SidecarProcess | undefined;

  const checkIntegrity = (when: string) => {
    integrityChecks++;
    const { integrity } = inspectDatabase(project.databaseFile);
    if (integrity !== 'ok') integrityFailures.push(`${when}: ${integrity}`);
  };

  try {
    for (let round = 0; round < options.startupKills; round++) {
      const { child, exited } = spawnSidecar(project, options);
      await new Promise((resolve) => setTimeout(resolve, 100 + random() * 1500));
      child.kill('SIGKILL');
      await exited;
      log(`startup kill ${round + 1}/${options.startupKills}`);
    }

    for (let round = 0; round <= options.kills; round++) {
      const sidecar = await startSidecar(project, options);
      current = sidecar;
      checkIntegrity(`after restart ${round}`);
      const agent = new Agent({ keepAlive: true, maxSockets: options.concurrency });
      // Batches left unanswered by the last crash: resent first, with the same ids.
      const retry = pendingBatches;
      pendingBatches = [];
      for (const ids of retry) {
        const outcome = await ingest(sidecar.url, agent, ids);
        if (!acknowledged(outcome))
          throw new Error(`retried ingest failed: ${outcome.status} ${outcome.body}`);
        retryDuplicates += (JSON.parse(outcome.body) as { duplicates: number }).duplicates;
        for (const id of ids) acknowledgedRecords.add(id);
      }
      if (round === options.kills) {
        await sidecar.stop();
        agent.destroy();
        break;
      }

      let alive = true;
      const worker = async () => {
        while (alive) {
          const pick = random();
          if (pick < 0.25) {
            const ids = Array.from({ length: 1 + Math.floor(random() * 20) }, () => `crash-${nextRecord++}`);
            const outcome = await ingest(sidecar.url, agent, ids);
            if (acknowledged(outcome)) for (const id of ids) acknowledgedRecords.add(id);
            else if (outcome.status === 0 || !outcome.ended) {
              pendingBatches.push(ids);
              interrupted++;
            } else throw new Error(`ingest answered ${outcome.status}: ${outcome.body}`);
          } else {
            const kind = CALL_KINDS[Math.floor(random() * CALL_KINDS.length)] ?? 'chat';
            const outcome = await proxiedCall(sidecar.url, agent, kind);
            if (acknowledged(outcome) && outcome.id) acknowledgedCalls.add(outcome.id);
            else if (outcome.status === 0 || !outcome.ended) interrupted++;
            else throw new Error(`${kind} answered ${outcome.status}: ${outcome.body}`);
          }
        }
      };
      const workers = Array.from({ length: options.concurrency }, worker);
      const [low, high] = options.upMs;
      await new Promise((resolve) => setTimeout(resolve, low + random() * (high - low)));
      await sidecar.kill9();
      alive = false;
      await Promise.all(workers);
      agent.destroy();
      checkIntegrity(`after kill ${round + 1}`);
      log(
        `kill ${round + 1}/${options.kills}: ${acknowledgedCalls.size} calls and ${acknowledgedRecords.size} records acknowledged so far`,
      );
    }

    const { ids, schemaVersion } = inspectDatabase(project.databaseFile);
    checkIntegrity('at the end');
    if (schemaVersion < 1) integrityFailures.push(`schema version ${schemaVersion} after the crashes`);
    const stored = new Map<string, number>();
    for (const id of ids) stored.set(id, (stored.get(id) ?? 0) + 1);
    const expected = [...acknowledgedCalls, ...acknowledgedRecords];
    const found = expected.filter((id) => stored.has(id)).length;
    const duplicated = expected.filter((id) => (stored.get(id) ?? 0) > 1).length;
    const expectedSet = new Set(expected);
    return {
      kills: options.kills,
      startupKills: options.startupKills,
      acknowledged: {
        calls: acknowledgedCalls.size,
        records: acknowledgedRecords.size,
        total: expected.length,
      },
      found,
      lost: expected.length - found,
      duplicated,
      storedUnacknowledged: ids.filter((id) => !expectedSet.has(id)).length,
      retryDuplicates,
      interrupted,
      integrityChecks,
      integrityFailures,
      seconds: (performance.now() - started) / 1000,
    };
  } finally {
    await current?.kill9();
    await fake.close();
    await project.remove();
  }
}

export function formatCrashFigures(figures: CrashFigures): string {
  return [
    `crash durability: ${figures.kills} kill -9 under load (+${figures.startupKills} during startup), ${figures.seconds.toFixed(1)} s`,
    `  acknowledged: ${figures.acknowledged.total} (${figures.acknowledged.calls} proxied calls, ${figures.acknowledged.records} ingested records)`,
    `  found: ${figures.found}   lost: ${figures.lost}   duplicated: ${figures.duplicated}`,
    `  stored without acknowledgement (answer lost in the crash): ${figures.storedUnacknowledged}; retried ingest records already stored: ${figures.retryDuplicates}`,
    `  requests cut by the kills: ${figures.interrupted}; PRAGMA integrity_check: ${figures.integrityFailures.length === 0 ? 'ok' : figures.integrityFailures.join(' | ')} (${figures.integrityChecks} checks)`,
  ].join('\n');
}
