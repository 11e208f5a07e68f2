/**
 * `npm run bench:team-budget`: the latency a team budget adds to a call, against a local budget, in
 * the same run. Two `llmdev sidecar` processes in front of one fake provider (answering at once):
 * one with a local blocking budget, one with a team blocking budget on a private PostgreSQL
 * (test/helpers/postgres.ts) on this machine. Calls alternate between them, one at a time, then
 * BENCH_CONCURRENCY at once; prints the latency distributions and the added p50/p90.
 *
 * Options (environment): BENCH_CALLS (1000 per sidecar), BENCH_CONCURRENCY (16).
 */
import { writeFile } from 'node:fs/promises';
import { cpus, loadavg } from 'node:os';
import { join } from 'node:path';
import { performance } from 'node:perf_hooks';
import { startFakeProvider } from '../test/fixtures/fake-provider.js';
import { startPostgres } from '../test/helpers/postgres.js';
import {
  createSidecarProject,
  type SidecarProcess,
  startSidecar,
  TOKEN,
} from '../test/integration/reliability/lib/sidecar-process.js';
import { compiledCli } from './lib/processes.js';
import { type Distribution, distribution, ms } from './lib/stats.js';

const CALLS = Number(process.env.BENCH_CALLS ?? 1000);
const CONCURRENCY = Number(process.env.BENCH_CONCURRENCY ?? 16);
const PASSWORD = 'bench-team-budget';
const BODY = JSON.stringify({
  model: 'gpt-4o-mini',
  max_tokens: 64,
  messages: [{ role: 'user', content: 'Say hello.' }],
});
const BUDGET = { name: 'bench', period: 'day', limitUsd: 1_000_000 };
const common = { limits: { requestsPerMinute: 100_000_000, loopMaxRepeats: 100_000_000 } };

const cli = await compiledCli();
const fake = await startFakeProvider();
const postgres = await startPostgres();
const url = await postgres.createTeamDatabase('bench', PASSWORD);
const local = await createSidecarProject(
  fake.url,
  {},
  { ...common, budgets: [{ ...BUDGET, scope: 'total' }] },
);
const team = await createSidecarProject(
  fake.url,
  {},
  { ...common, team: { url, member: 'bench@example.com', budgets: [{ ...BUDGET, scope: 'team' }] } },
);
await writeFile(join(team.secretsDir, 'postgres_password'), PASSWORD, { mode: 0o600 });
const options = cli ? { cli } : {};
const sidecars = { local: await startSidecar(local, options), team: await startSidecar(team, options) };

async function call(sidecar: SidecarProcess): Promise<number> {
  const started = performance.now();
  const res = await fetch(`${sidecar.url}/v1/chat/completions`, {
    method: 'POST',
    headers: { authorization: `Bearer ${TOKEN}`, 'content-type': 'application/json' },
    body: BODY,
  });
  await res.arrayBuffer();
  if (res.status !== 200) throw new Error(`${res.status} from the sidecar`);
  return performance.now() - started;
}

/** `rounds` times: `width` calls at once on each sidecar, the two sidecars one after the other. */
async function run(rounds: number, width: number): Promise<Record<'local' | 'team', number[]>> {
  const samples = { local: [] as number[], team: [] as number[] };
  for (let round = 0; round < rounds; round++) {
    for (const name of round % 2 === 0 ? (['local', 'team'] as const) : (['team', 'local'] as const)) {
      samples[name].push(...(await Promise.all(Array.from({ length: width }, () => call(sidecars[name])))));
    }
  }
  return samples;
}

const line = (name: string, d: Distribution) =>
  `  ${name.padEnd(5)} p50 ${ms(d.p50)}  p90 ${ms(d.p90)}  p99 ${ms(d.p99)}  max ${ms(d.max)}  (${d.count} calls)`;

try {
  console.log(
    `machine: ${cpus().length} × ${cpus()[0]?.model ?? 'cpu'}, node ${process.version}, load average ${loadavg()[0]?.toFixed(1)}; PostgreSQL on 127.0.0.1 (private, fsync off)`,
  );
  await run(100, 1); // warm-up: JIT, connection pools, the budget rows
  for (const [label, rounds, width] of [
    ['one call at a time', CALLS, 1],
    [`${CONCURRENCY} concurrent calls`, Math.ceil(CALLS / CONCURRENCY), CONCURRENCY],
  ] as const) {
    const samples = await run(rounds, width);
    const localD = distribution(samples.local);
    const teamD = distribution(samples.team);
    console.log(`${label}:`);
    console.log(line('local', localD));
    console.log(line('team', teamD));
    console.log(
      `  added by the team budget: p50 ${ms(teamD.p50 - localD.p50)}, p90 ${ms(teamD.p90 - localD.p90)}`,
    );
  }
} finally {
  await sidecars.local.stop();
  await sidecars.team.stop();
  await Promise.all([local.remove(), team.remove()]);
  await postgres.close();
  await fake.close();
}
