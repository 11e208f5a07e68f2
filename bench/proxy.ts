/**
 * `npm run bench:proxy`: what the sidecar adds to a call, and how much it can ingest.
 *
 * Three separate processes: the fake upstream (test/fixtures/fake-provider.ts), the sidecar
 * (`llmdev sidecar` from dist/ as the container runs it, built first if stale; both providers
 * live against the fake; every call recorded in SQLite), and the load
 * generator (bench/lib/load.ts). The same fixed-rate load is sent directly to the upstream and
 * through the sidecar, alternating in rounds so drift on a shared machine hits both alike; then
 * ingest throughput (batches of 100 records); then the sidecar's RSS after 100k proxied requests.
 *
 * The sidecar runs with the node flags and environment the usage-logger image runs it with, read
 * from docker/usage-logger/Dockerfile (bench/lib/image-runtime.ts).
 *
 * A fourth process, the floor (bench/lib/floor-proxy.ts: a bare keep-alive pass-through), runs in
 * the same rounds; each sidecar figure is also printed as a ratio to the floor's.
 *
 * Options (environment): BENCH_RATE (req/s, a comma-separated list: `80,500`), BENCH_MODES (`json,stream`: the kinds of call
 * in each round), BENCH_SECONDS per round and path (5),
 * BENCH_ROUNDS (3), BENCH_INGEST_RECORDS (100000), BENCH_TOTAL_REQUESTS (100000),
 * BENCH_SIDECAR_NODE_FLAGS (replaces the image's node flags, e.g. to try others or add --trace-gc),
 * BENCH_SIDECAR_LOG (a file to copy the sidecar's stdout to), BENCH_BUDGET_USD (adds a blocking
 * monthly budget of that many USD, so every call is reserved and settled against it),
 * BENCH_BASELINE_CLI (another build's dist/cli/main.js, e.g. of the last commit: a second sidecar
 * in the same latency rounds, so a change is compared under the same machine load).
 * The runaway limits (rate, loop detection) are raised far above the load: the bench measures what
 * the guards cost, not what they refuse.
 */
import { createWriteStream, readFileSync } from 'node:fs';
import { mkdir, mkdtemp, rm, writeFile } from 'node:fs/promises';
import { cpus, loadavg, tmpdir, totalmem } from 'node:os';
import { join } from 'node:path';
import { stringify } from 'yaml';
import { SIDECAR_DOCKERFILE, sidecarImageRuntime } from './lib/image-runtime.js';
import type { LoadResult } from './lib/load.js';
import { type Child, compiledCli, cpuMs, ROOT, residentMb, runLoad, startNode } from './lib/processes.js';
import { latencyRounds, reportRounds } from './lib/rounds.js';
import { ms } from './lib/stats.js';

/** Each rate gets its own interleaved rounds. */
const RATES = (process.env.BENCH_RATE ?? '80,500').split(',').map(Number);
/** `json`, `stream` or both (to profile one kind of call at a time). */
const STREAMS = (process.env.BENCH_MODES ?? 'json,stream').split(',').map((mode) => mode === 'stream');
const SECONDS = Number(process.env.BENCH_SECONDS ?? 5);
const ROUNDS = Number(process.env.BENCH_ROUNDS ?? 3);
const INGEST_RECORDS = Number(process.env.BENCH_INGEST_RECORDS ?? 100_000);
const TOTAL_REQUESTS = Number(process.env.BENCH_TOTAL_REQUESTS ?? 100_000);
const BUDGET_USD = process.env.BENCH_BUDGET_USD ? Number(process.env.BENCH_BUDGET_USD) : null;
const TOKEN = 'bench-token-0123456789abcdef0123456789';
const BASELINE_CLI = process.env.BENCH_BASELINE_CLI || null;
const IMAGE = sidecarImageRuntime(ROOT);
const LABEL_WIDTH = BASELINE_CLI ? 30 : 28;
const SIDECAR_NODE_FLAGS =
  process.env.BENCH_SIDECAR_NODE_FLAGS === undefined
    ? IMAGE.nodeFlags
    : process.env.BENCH_SIDECAR_NODE_FLAGS.split(' ').filter(Boolean);

const chat = (stream: boolean) =>
  JSON.stringify({
    model: 'gpt-4o-mini',
    stream,
    temperature: 0.2,
    messages: [
      { role: 'system', content: 'You are a concise assistant.' },
      { role: 'user', content: 'Summarize the plot of Hamlet in two sentences.' },
    ],
  });

const children: Child[] = [];
const dir = await mkdtemp(join(tmpdir(), 'llmdev-bench-proxy-'));
try {
  await main();
} finally {
  for (const child of children) child.kill('SIGTERM');
  await Promise.all(children);
  await rm(dir, { recursive: true, force: true });
}

async function main(): Promise<void> {
  const upstream = await startNode(
    'test/fixtures/fake-provider.ts',
    ['--port', '0', '--record-limit', '0'],
    /listening/,
  );
  children.push(upstream.child);
  const upstreamPort = (JSON.parse(upstream.line) as { listening: number }).listening;

  const secrets = join(dir, 'secrets');
  await mkdir(secrets, { mode: 0o700 });
  await writeFile(join(secrets, 'llmdev_token'), TOKEN);
  await writeFile(join(secrets, 'openai_api_key'), 'sk-bench-upstream-key-0123456789abcdef');
  await writeFile(join(secrets, 'anthropic_api_key'), 'sk-ant-bench-upstream-key-0123456789abcdef');
  const config = join(dir, 'llmdev.config.yaml');
  await writeFile(
    config,
    stringify({
      project: { name: 'bench' },
      providers: {
        openai: { baseUrl: `http://127.0.0.1:${upstreamPort}/v1` },
        anthropic: { baseUrl: `http://127.0.0.1:${upstreamPort}` },
      },
      sidecar: { logLevel: 'info' }, // calls are logged at debug: this prints start and stop only
      limits: { requestsPerMinute: 100_000_000, loopMaxRepeats: 100_000_000 },
      budgets:
        BUDGET_USD === null ? [] : [{ name: 'bench', scope: 'total', period: 'month', limitUsd: BUDGET_USD }],
    }),
  );
  const cli = await compiledCli();
  if (!cli)
    console.log(
      'warning: `npm run build` failed; running the sidecar through tsx (its loader adds ~40 MB RSS)',
    );
  const startSidecar = async (script: string, data: string) => {
    const started = await startNode(
      script,
      [
        'sidecar',
        '--config',
        config,
        '--port',
        '0',
        '--host',
        '127.0.0.1',
        '--data',
        join(dir, data),
        '--secrets',
        secrets,
      ],
      /sidecar listening/,
      SIDECAR_NODE_FLAGS,
      IMAGE.env,
    );
    children.push(started.child);
    return {
      child: started.child,
      url: `http://${(JSON.parse(started.line) as { address: string }).address}`,
      pid: started.child.pid as number,
    };
  };
  const sidecar = await startSidecar(cli ?? 'src/cli/main.ts', 'data');
  if (process.env.BENCH_SIDECAR_LOG)
    sidecar.child.stdout?.pipe(createWriteStream(process.env.BENCH_SIDECAR_LOG));
  const baseline = BASELINE_CLI === null ? null : await startSidecar(BASELINE_CLI, 'baseline-data');
  const sidecarUrl = sidecar.url;
  const sidecarPid = sidecar.pid;
  const rssAtStart = residentMb(sidecarPid);

  const floor = await startNode('bench/lib/floor-proxy.ts', [String(upstreamPort)], /listening/);
  children.push(floor.child);
  const floorPort = (JSON.parse(floor.line) as { listening: number }).listening;

  header();
  const chatAt = (url: string) => ({
    url: `${url}/v1/chat/completions`,
    headers: { authorization: `Bearer ${TOKEN}` },
  });
  const targets: Record<string, { url: string; headers: Record<string, string> }> = {
    direct: {
      url: `http://127.0.0.1:${upstreamPort}/v1/chat/completions`,
      headers: { authorization: 'Bearer sk-bench' },
    },
    floor: {
      url: `http://127.0.0.1:${floorPort}/v1/chat/completions`,
      headers: { authorization: 'Bearer sk-bench' },
    },
    sidecar: chatAt(sidecar.url),
    ...(baseline ? { baseline: chatAt(baseline.url) } : {}),
  };
  const pids: Record<string, number> = {
    floor: floor.child.pid as number,
    sidecar: sidecar.pid,
    ...(baseline ? { baseline: baseline.pid } : {}),
  };
  let proxied = 0;
  const summary: Record<string, number> = {};
  for (const rate of RATES) {
    const rounds = await latencyRounds({
      rate,
      rounds: ROUNDS,
      seconds: SECONDS,
      targets,
      pids,
      body: chat,
      streams: STREAMS,
    });
    proxied += rounds.proxied;
    Object.assign(summary, reportRounds(rounds, LABEL_WIDTH));
  }

  const ingest = await ingestThroughput(sidecarUrl);
  console.log(`\nIngest: ${ingest.records} records in batches of 100, 8 concurrent clients`);
  console.log(
    `  ${Math.round(ingest.perSecond).toLocaleString('en-US')} records/s committed (p50 batch ${ms(ingest.batch.p50)}, p99 ${ms(ingest.batch.p99)})`,
  );

  // The rest of the requests, closed-loop, in four parts: RSS after each shows whether it levels off.
  const remaining = Math.max(0, TOTAL_REQUESTS - proxied);
  const describe = (m: { rss: number; anonymous: number }) =>
    `${m.rss.toFixed(1)} MB (anonymous ${m.anonymous.toFixed(1)} MB, file-backed ${(m.rss - m.anonymous).toFixed(1)} MB)`;
  console.log(`\nMemory: sidecar RSS at start ${describe(rssAtStart)}`);
  console.log(
    `  after the latency rounds and ingest (${proxied.toLocaleString('en-US')} proxied, ${ingest.records.toLocaleString('en-US')} ingested): ${describe(residentMb(sidecarPid))}`,
  );
  let rssAfter = rssAtStart;
  let soakMs = 0;
  let soakSent = 0;
  const soakCpuBefore = cpuMs(sidecarPid);
  for (let part = 0; part < (remaining > 0 ? 4 : 0); part++) {
    const soak = await runLoad<LoadResult>({
      ...targets.sidecar,
      bodies: [chat(false), chat(true)],
      mode: 'closed',
      concurrency: 32,
      total: Math.ceil(remaining / 4),
    });
    if (soak.errors > 0) throw new Error(`soak had errors: ${JSON.stringify(soak.statuses)}`);
    proxied += soak.sent;
    soakMs += soak.elapsedMs;
    soakSent += soak.sent;
    rssAfter = residentMb(sidecarPid);
    console.log(`  after ${proxied.toLocaleString('en-US')} proxied requests: ${describe(rssAfter)}`);
  }
  if (soakSent > 0)
    console.log(
      `  closed-loop throughput through the sidecar (32 in flight, half streaming): ${Math.round((soakSent / soakMs) * 1000).toLocaleString('en-US')} req/s, ${(((cpuMs(sidecarPid) - soakCpuBefore) / soakSent) * 1000).toFixed(0)} µs of sidecar CPU per call`,
    );

  console.log(`\nload average after the run: ${loadavg()[0]?.toFixed(2)}${cpuPressure()}`);
  console.log(
    `\n${JSON.stringify({ rates: RATES, ...roundAll(summary), ingestPerSecond: Math.round(ingest.perSecond), rssStartMb: round1(rssAtStart.rss), rssAfterMb: round1(rssAfter.rss), anonymousAfterMb: round1(rssAfter.anonymous), proxied })}`,
  );
}

async function ingestThroughput(sidecarUrl: string) {
  const batches = Array.from({ length: 16 }, (_, b) =>
    JSON.stringify({
      records: Array.from({ length: 100 }, (_, i) => ({
        provider: 'openai',
        model: 'gpt-4o-mini',
        endpoint: '/v1/chat/completions',
        usage: { inputTokens: 1000 + i, outputTokens: 200, cachedInputTokens: 100 },
        latencyMs: 800,
        tags: { bench: 'ingest', batch: String(b) },
      })),
    }),
  );
  const result = await runLoad<LoadResult>({
    url: `${sidecarUrl}/v1/usage`,
    headers: { authorization: `Bearer ${TOKEN}` },
    bodies: batches,
    mode: 'closed',
    concurrency: 8,
    total: Math.ceil(INGEST_RECORDS / 100),
  });
  if (result.errors > 0) throw new Error(`ingest had errors: ${JSON.stringify(result.statuses)}`);
  const records = result.sent * 100;
  return { records, perSecond: (records / result.elapsedMs) * 1000, batch: result.latency };
}

function header(): void {
  const cpu = cpus()[0]?.model ?? 'unknown CPU';
  console.log(
    `llmdev bench:proxy on ${cpus().length} cores (${cpu}), ${(totalmem() / 2 ** 30).toFixed(0)} GiB RAM, Node ${process.version}`,
  );
  console.log(
    `load average before the run: ${loadavg()
      .map((l) => l.toFixed(2))
      .join(' ')} (other work on the machine inflates the tails)${cpuPressure()}`,
  );
  console.log(
    'upstream, sidecar and load generator are separate processes; the sidecar records every call in SQLite (WAL, group commit)',
  );
  const env = Object.entries(IMAGE.env)
    .map(([k, v]) => `${k}=${v}`)
    .join(' ');
  const flags = SIDECAR_NODE_FLAGS.join(' ');
  console.log(
    `sidecar: ${env} node ${flags} dist/cli/main.js sidecar (${process.env.BENCH_SIDECAR_NODE_FLAGS === undefined ? 'as' : 'flags differ from how'} ${SIDECAR_DOCKERFILE} runs it)`,
  );
  if (BASELINE_CLI) console.log(`baseline: ${env} node ${flags} ${BASELINE_CLI} sidecar, in the same rounds`);
}

/** Linux pressure stall information: the share of time runnable tasks waited for a CPU. */
function cpuPressure(): string {
  try {
    const some = /^some avg10=([\d.]+) avg60=([\d.]+)/.exec(readFileSync('/proc/pressure/cpu', 'utf8'));
    return some
      ? `; CPU pressure: tasks waited for a CPU ${some[1]}% of the last 10 s, ${some[2]}% of the last 60 s`
      : '';
  } catch {
    return ''; // no PSI (not Linux, or disabled)
  }
}

function round1(value: number): number {
  return Math.round(value * 10) / 10;
}

function roundAll(values: Record<string, number>): Record<string, number> {
  return Object.fromEntries(
    Object.entries(values).map(([key, value]) => [key.replaceAll(' ', '_'), Math.round(value * 1000) / 1000]),
  );
}
