/**
 * `npm run bench:team`: the shared log's throughput on a private PostgreSQL (test/helpers/postgres.ts).
 * 1. Replication rate: records committed locally as fast as the writer takes them, with the
 *    replicator running; records/s that reach PostgreSQL.
 * 2. Backlog drain after an outage: a backlog equal to 10 minutes of busy traffic (BUSY_RPS records/s
 *    for 600 s, queued in usage.db's outbox while no replicator runs, as during an outage), then the
 *    replicator starts and we time until PostgreSQL holds every record.
 */
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { parseConfig } from '../src/config/load.js';
import type { TeamConfig } from '../src/config/schema.js';
import { openUsageStore } from '../src/sidecar/store/index.js';
import { openOutbox, setOutboxTrigger } from '../src/sidecar/store/outbox.js';
import { createTeamPool } from '../src/team/connect.js';
import { migrateTeam } from '../src/team/migrations.js';
import { createReplicator } from '../src/team/replicator.js';
import { startPostgres } from '../test/helpers/postgres.js';
import { usageRecord } from '../test/helpers/usage-record.js';

const BUSY_RPS = 20; // a developer's agent loop at full tilt; a person typing is under 1
const OUTAGE_SECONDS = 600;
const RATE_RECORDS = 20_000;
const quiet = { info: () => undefined, warn: (message: string) => console.error(message) };

let n = 0;
const record = () =>
  usageRecord({
    id: `bench-${n++}`,
    ts: new Date().toISOString(),
    usage: { inputTokens: 1200, outputTokens: 300 },
    costUsd: 0.0012,
    tags: { feature: 'bench' },
    params: { temperature: 0 },
  });

async function writeRecords(store: ReturnType<typeof openUsageStore>, count: number) {
  for (let done = 0; done < count; done += 500) {
    await store.writer.write(
      Array.from({ length: Math.min(500, count - done) }, () => ({ record: record() })),
    );
  }
}

async function run() {
  const postgres = await startPostgres();
  const dir = await mkdtemp(join(tmpdir(), 'llmdev-bench-team-'));
  try {
    const url = await postgres.createTeamDatabase('bench', 'bench-pw');
    const parsed = parseConfig({
      text: `project: {name: b}\nteam: {url: "${url}", member: bench@example.com}\n`,
    });
    const team = parsed.team as TeamConfig;
    const pool = createTeamPool(team, 'bench-pw');
    await migrateTeam(pool, team);
    const count = async () =>
      Number((await pool.query<{ n: string }>('SELECT count(*) AS n FROM team_usage_records')).rows[0]?.n);

    const store = openUsageStore(join(dir, 'data'));
    setOutboxTrigger(store.db, true);
    const replicatorFor = () =>
      createReplicator({
        source: openOutbox(store.db, { withBodies: false }),
        connect: async () => createTeamPool(team, 'bench-pw'),
        server: 'bench',
        member: 'bench@example.com',
        shareBodies: false,
        log: quiet,
      });

    // 1. Steady replication while writing.
    let replicator = replicatorFor();
    store.writer.onCommit(() => replicator.wake());
    let started = performance.now();
    await writeRecords(store, RATE_RECORDS);
    await replicator.drain();
    while ((await count()) < RATE_RECORDS) await new Promise((resolve) => setTimeout(resolve, 10));
    const rateSeconds = (performance.now() - started) / 1000;
    await replicator.close();

    // 2. An outage's backlog, then the drain.
    const backlog = BUSY_RPS * OUTAGE_SECONDS;
    await writeRecords(store, backlog);
    const queued = openOutbox(store.db, { withBodies: false }).backlog();
    started = performance.now();
    replicator = replicatorFor();
    await replicator.drain();
    const drainSeconds = (performance.now() - started) / 1000;
    const total = await count();
    await replicator.close();
    await store.close();
    await pool.end();

    console.log(
      `replication while writing: ${RATE_RECORDS} records in ${rateSeconds.toFixed(2)} s = ${Math.round(RATE_RECORDS / rateSeconds)} records/s`,
    );
    console.log(
      `backlog of a ${OUTAGE_SECONDS / 60}-minute outage at ${BUSY_RPS} records/s: ${queued} records drained in ${drainSeconds.toFixed(2)} s = ${Math.round(queued / drainSeconds)} records/s (PostgreSQL holds ${total}, expected ${RATE_RECORDS + backlog})`,
    );
  } finally {
    await rm(dir, { recursive: true, force: true });
    await postgres.close();
  }
}

await run();
