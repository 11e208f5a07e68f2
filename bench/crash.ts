/**
 * `npm run bench:crash`: the crash-durability experiment of test/integration/reliability/crash.test.ts
 * at length. `llmdev sidecar` (from dist/, as the container runs it; built first when stale) is
 * killed with SIGKILL at random moments under concurrent proxied calls and ingests, and restarted
 * on the same data dir, BENCH_KILLS times (default 100; plus BENCH_STARTUP_KILLS during startup,
 * default 10). Prints acknowledged, found, lost and duplicated records and the integrity checks;
 * exits 1 if anything acknowledged was lost or duplicated, or the database is damaged.
 *
 * Options (environment): BENCH_KILLS, BENCH_STARTUP_KILLS, BENCH_CONCURRENCY (16),
 * BENCH_UP_MS ("150-2000": the kill comes at a random moment in that range after the restart).
 */
import { cpus, loadavg } from 'node:os';
import { formatCrashFigures, runCrashLoop } from '../test/integration/reliability/lib/crash-loop.js';
import { sidecarImageRuntime } from './lib/image-runtime.js';
import { compiledCli, ROOT } from './lib/processes.js';

const [low = 150, high = 2000] = (process.env.BENCH_UP_MS ?? '150-2000').split('-').map(Number);
const cli = await compiledCli();
const image = sidecarImageRuntime(ROOT); // run the sidecar as the usage-logger image does
console.log(
  `machine: ${cpus().length} × ${cpus()[0]?.model ?? 'cpu'}, node ${process.version}, load average ${loadavg()[0]?.toFixed(1)}; sidecar: ${cli ?? 'src/cli/main.ts via tsx (dist/ does not build)'}`,
);
const figures = await runCrashLoop({
  kills: Number(process.env.BENCH_KILLS ?? 100),
  startupKills: Number(process.env.BENCH_STARTUP_KILLS ?? 10),
  concurrency: Number(process.env.BENCH_CONCURRENCY ?? 16),
  upMs: [low, high],
  ...(cli ? { cli } : {}),
  nodeFlags: image.nodeFlags,
  env: image.env,
  log: (line) => process.stderr.write(`${line}\n`),
});
console.log(formatCrashFigures(figures));
if (figures.lost > 0 || figures.duplicated > 0 || figures.integrityFailures.length > 0) process.exitCode = 1;
