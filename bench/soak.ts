/**
 * `npm run bench:soak`: `llmdev sidecar` (from dist/, as the container runs it; built first when
 * stale) under BENCH_SOAK_REQUESTS mixed requests (default 200,000: non-streaming and streaming
 * calls of both APIs against the fake provider, and ingest batches of 10), BENCH_CONCURRENCY at a
 * time (default 16), closed loop. Prints RSS and p50/p99 latency for each tenth of the run, so the
 * first and last tenths show whether memory or latency grows; exits 1 on any failed request or a
 * damaged database. The load generator and the fake provider share this process; the sidecar has
 * its own, with the node flags and environment of the usage-logger image (bench/lib/image-runtime.ts).
 */
import { cpus, loadavg, totalmem } from 'node:os';
import { formatSoakFigures, runSoak } from '../test/integration/reliability/lib/soak.js';
import { sidecarImageRuntime } from './lib/image-runtime.js';
import { compiledCli, ROOT } from './lib/processes.js';

const cli = await compiledCli();
const image = sidecarImageRuntime(ROOT); // run the sidecar as the usage-logger image does
console.log(
  `machine: ${cpus().length} × ${cpus()[0]?.model ?? 'cpu'}, ${(totalmem() / 2 ** 30).toFixed(0)} GiB, node ${process.version}, load average ${loadavg()[0]?.toFixed(1)} before; sidecar: ${cli ?? 'src/cli/main.ts via tsx (dist/ does not build)'}`,
);
const figures = await runSoak({
  total: Number(process.env.BENCH_SOAK_REQUESTS ?? 200_000),
  concurrency: Number(process.env.BENCH_CONCURRENCY ?? 16),
  slices: 10,
  ...(cli ? { cli } : {}),
  nodeFlags: image.nodeFlags,
  env: image.env,
  log: (line) => console.log(line),
});
console.log(formatSoakFigures(figures));
console.log(`load average ${loadavg()[0]?.toFixed(1)} after`);
if (figures.failures > 0 || figures.integrity !== 'ok') process.exitCode = 1;
