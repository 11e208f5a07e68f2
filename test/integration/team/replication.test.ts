/**
 * The shared log on a real PostgreSQL (a private server: test/helpers/postgres.ts), with the sidecar
 * as the container runs it (`llmdev sidecar`, a child process) under concurrent load:
 * PostgreSQL stopped and restarted mid-load, the sidecar killed with SIGKILL mid-load, and a wrong
 * password. Each time: every record stored locally is in PostgreSQL exactly once once the backlog
 * has drained, and local work never stops.
 */
import { writeFile } from 'node:fs/promises';
import { Agent } from 'node:http';
import { join } from 'node:path';
import { jest } from '@jest/globals';
import { startFakeProvider } from '../../fixtures/fake-provider.js';
import { type PrivatePostgres, startPostgres } from '../../helpers/postgres.js';
import {
  createSidecarProject,
  inspectDatabase,
  type SidecarProcess,
  type SidecarProject,
  startSidecar,
} from '../reliability/lib/sidecar-process.js';
import { acknowledged, ingest, proxiedCall } from '../reliability/lib/traffic.js';

jest.setTimeout(180_000);

const MEMBER = 'alice@example.com';

let postgres: PrivatePostgres;
let fake: Awaited<ReturnType<typeof startFakeProvider>>;
beforeAll(async () => {
  postgres = await startPostgres();
  fake = await startFakeProvider({ recordLimit: 0 });
});
afterAll(async () => {
  await fake.close();
  await postgres.close();
});

interface TeamHealth {
  state: string;
  backlog: number;
  lastError: { message: string; hint?: string } | null;
}

async function teamHealth(sidecar: SidecarProcess): Promise<TeamHealth> {
  const response = await fetch(`${sidecar.url}/healthz`);
  return ((await response.json()) as { team: TeamHealth }).team;
}

async function waitFor<T>(what: string, probe: () => Promise<T | undefined>, timeoutMs = 60_000): Promise<T> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const value = await probe().catch(() => undefined);
    if (value !== undefined) return value;
    if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}`);
    await new Promise((resolve) => setTimeout(resolve, 200));
  }
}

const drained = (sidecar: SidecarProcess) =>
  waitFor('the team backlog to drain', async () => {
    const team = await teamHealth(sidecar);
    return team.state === 'ok' && team.backlog === 0 ? team : undefined;
  });

async function teamProject(database: string, password: string, filePassword = password) {
  const url = await postgres.createTeamDatabase(database, password);
  const project = await createSidecarProject(fake.url, {}, { team: { url, member: MEMBER } });
  await writeFile(join(project.secretsDir, 'postgres_password'), filePassword, { mode: 0o600 });
  return { project, pool: postgres.admin(database) };
}

/** Concurrent proxied calls and ingests until `stop()`; counts what was acknowledged. */
function load(url: string, concurrency = 8) {
  const agent = new Agent({ keepAlive: true, maxSockets: concurrency });
  let running = true;
  let acked = 0;
  let n = 0;
  const worker = async (w: number) => {
    while (running) {
      const outcome =
        n++ % 4 === 0
          ? await ingest(url, agent, [`ingest-${w}-${n}-a`, `ingest-${w}-${n}-b`])
          : await proxiedCall(url, agent, n % 2 === 0 ? 'chat' : 'messages-stream');
      if (acknowledged(outcome)) acked++;
      else await new Promise((resolve) => setTimeout(resolve, 20)); // the sidecar is down: do not spin
    }
  };
  const workers = Array.from({ length: concurrency }, (_, w) => worker(w));
  return {
    acked: () => acked,
    async stop() {
      running = false;
      await Promise.all(workers);
      agent.destroy();
    },
  };
}

async function expectSameLogs(project: SidecarProject, pool: ReturnType<PrivatePostgres['admin']>) {
  const local = inspectDatabase(project.databaseFile).ids;
  const rows = await pool.query<{ id: string; member: string }>('SELECT id, member FROM team_usage_records');
  const remote = rows.rows.map((row) => row.id);
  const lost = local.filter((id) => !new Set(remote).has(id));
  const extra = remote.filter((id) => !new Set(local).has(id));
  expect({ lost: lost.length, extra: extra.length }).toEqual({ lost: 0, extra: 0 });
  expect(new Set(remote).size).toBe(remote.length); // 0 duplicated
  expect(new Set(rows.rows.map((row) => row.member))).toEqual(new Set([MEMBER]));
  return local.length;
}

it('PostgreSQL stopped and restarted mid-load: 0 records lost, 0 duplicated, backlog drained', async () => {
  const { project, pool } = await teamProject('team_restart', 'pw-restart');
  const sidecar = await startSidecar(project);
  try {
    const traffic = load(sidecar.url);
    await waitFor('records in PostgreSQL', async () => {
      const { rows } = await pool.query<{ n: string }>('SELECT count(*) AS n FROM team_usage_records');
      return Number(rows[0]?.n) > 20 ? true : undefined;
    });
    await postgres.stop();
    const ackedAtStop = traffic.acked();
    const outage = await waitFor('the backlog to grow during the outage', async () => {
      const team = await teamHealth(sidecar);
      return team.state === 'unreachable' && team.backlog > 50 ? team : undefined;
    });
    expect(traffic.acked()).toBeGreaterThan(ackedAtStop); // local work went on
    expect(outage.lastError?.message).toContain('team_restart@127.0.0.1');
    await postgres.start();
    await new Promise((resolve) => setTimeout(resolve, 500));
    await traffic.stop();
    await drained(sidecar);
    const stored = await expectSameLogs(project, pool);
    expect(stored).toBeGreaterThan(100);
  } finally {
    await sidecar.stop();
    await project.remove();
  }
});

it('kill -9 of a sidecar mid-load: after the restart, every local record is in PostgreSQL exactly once', async () => {
  const { project, pool } = await teamProject('team_kill', 'pw-kill');
  let sidecar = await startSidecar(project);
  try {
    for (let round = 0; round < 3; round++) {
      const traffic = load(sidecar.url);
      await new Promise((resolve) => setTimeout(resolve, 400 + Math.random() * 600));
      await sidecar.kill9();
      await traffic.stop();
      sidecar = await startSidecar(project);
    }
    const traffic = load(sidecar.url);
    await new Promise((resolve) => setTimeout(resolve, 300));
    await traffic.stop();
    await drained(sidecar);
    expect(await expectSameLogs(project, pool)).toBeGreaterThan(50);
  } finally {
    await sidecar.stop();
    await project.remove();
  }
});

it('a wrong password: a clear error on /healthz, local work goes on, and the fixed password catches up', async () => {
  const { project, pool } = await teamProject('team_password', 'right-password', 'wrong-password');
  const sidecar = await startSidecar(project);
  try {
    const traffic = load(sidecar.url, 4);
    const failing = await waitFor('the password failure', async () => {
      const team = await teamHealth(sidecar);
      return team.state === 'unreachable' && team.backlog > 10 ? team : undefined;
    });
    await traffic.stop();
    expect(traffic.acked()).toBeGreaterThan(10);
    expect(failing.lastError).toEqual({
      message: `team_password@127.0.0.1:${postgres.port}/team_password: password authentication failed`,
      hint: expect.stringContaining('llmdev secrets set postgres_password'),
    });
    expect(sidecar.logs.join('\n')).toContain('password authentication failed');
    expect(sidecar.logs.join('\n')).not.toContain('wrong-password');
    // The password is re-read on each retry: fixing the file is enough.
    await writeFile(join(project.secretsDir, 'postgres_password'), 'right-password', { mode: 0o600 });
    await drained(sidecar);
    await expectSameLogs(project, pool);
  } finally {
    await sidecar.stop();
    await project.remove();
  }
});
