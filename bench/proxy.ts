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
 * The sidecar runs with the Node settings the usage-logger image uses (SIDECAR_NODE_FLAGS,
 * SIDECAR_ENV below): a small V8 young generation and two malloc arenas keep its RSS low.
 *
 * Options (environment): BENCH_RATE (500 req/s), BENCH_SECONDS per round and path (5),
 * BENCH_ROUNDS (3), BENCH_INGEST_RECORDS (100000), BENCH_TOTAL_REQUESTS (100000),
 * BENCH_SIDECAR_NODE_FLAGS (node flags of the sidecar, e.g. to try others or add --trace-gc),
 * BENCH_SIDECAR_LOG (a file to copy the sidecar's stdout to), BENCH_BUDGET_USD (adds a blocking
 * monthly budget of that many USD, so every call is reserved and settled against it).
 * The runaway limits (rate, loop detection) are raised far above the load: the bench measures what
 * the guards cost, not what they refuse.
 */
import { createWriteStream } from 'node:fs';
import { mkdir, mkdtemp, rm, writeFile } from 'node:fs/promises';
import { cpus, loadavg, tmpdir, totalmem } from 'node:os';
import { join } from 'node:path';
import { stringify } from 'yaml';
import type { LoadResult } from './lib/load.js';
import { type Child, compiledCli, residentMb, runLoad, startNode } from './lib/processes.js';
import { type Distribution, distribution, ms } from './lib/stats.js';

const RATE = Number(process.env.BENCH_RATE ?? 500);
const SECONDS = Number(process.env.BENCH_SECONDS ?? 5);
const ROUNDS = Number(process.env.BENCH_ROUNDS ?? 3);
const INGEST_RECORDS = Number(process.env.BENCH_INGEST_RECORDS ?? 100_000);
const TOTAL_REQUESTS = Number(process.env.BENCH_TOTAL_REQUESTS ?? 100_000);
const BUDGET_USD = process.env.BENCH_BUDGET_USD ? Number(process.env.BENCH_BUDGET_USD) : null;
const TOKEN = 'bench-token-0123456789abcdef0123456789';
const SIDECAR_NODE_FLAGS = (process.env.BENCH_SIDECAR_NODE_FLAGS ?? '--max-semi-space-size=2')
  .split(' ')
  .filter(Boolean);
const SIDECAR_ENV = { MALLOC_ARENA_MAX: '2' };

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
  const sidecar = await startNode(
    cli ?? 'src/cli/main.ts',
    [
      'sidecar',
      '--config',
      config,
      '--port',
      '0',
      '--host',
      '127.0.0.1',
      '--data',
      join(dir, 'data'),
      '--secrets',
      secrets,
    ],
    /sidecar listening/,
    SIDECAR_NODE_FLAGS,
    SIDECAR_ENV,
  );
  children.push(sidecar.child);
  if (process.env.BENCH_SIDECAR_LOG)
    sidecar.child.stdout?.pipe(createWriteStream(process.env.BENCH_SIDECAR_LOG));
  const sidecarUrl = `http://${(JSON.parse(sidecar.line) as { address: string }).address}`;
  const sidecarPid = sidecar.child.pid as number;
  const rssAtStart = residentMb(sidecarPid);

  header();
  const targets = {
    direct: {
      url: `http://127.0.0.1:${upstreamPort}/v1/chat/completions`,
      headers: { authorization: 'Bearer sk-bench' },
    },
    sidecar: { url: `${sidecarUrl}/v1/chat/completions`, headers: { authorization: `Bearer ${TOKEN}` } },
  };
  let proxied = 0;
  const results: Record<string, LoadResult[]> = {};
  for (let round = 0; round < ROUNDS; round++) {
    for (const stream of [false, true]) {
      for (const path of ['direct', 'sidecar'] as const) {
        const result = await runLoad<LoadResult>({
          ...targets[path],
          bodies: [chat(stream)],
          mode: 'rate',
          rate: RATE,
          durationMs: SECONDS * 1000,
          warmupMs: round === 0 ? 1000 : 0,
        });
        if (result.errors > 0) throw new Error(`${path} load had errors: ${JSON.stringify(result.statuses)}`);
        if (path === 'sidecar') proxied += result.sent;
        const key = `${path} ${stream ? 'stream' : 'json'}`;
        results[key] = [...(results[key] ?? []), result];
      }
    }
  }
  const pooled = (key: string, pick: (r: LoadResult) => Distribution) => {
    // Rounds are pooled by their percentiles' median, so one noisy round does not dominate.
    const values = (results[key] ?? []).map(pick);
    const median = (select: (d: Distribution) => number) => distribution(values.map(select)).p50;
    return {
      p50: median((d) => d.p50),
      p99: median((d) => d.p99),
      count: values.reduce((n, d) => n + d.count, 0),
    };
  };
  console.log(
    `\nLatency at ${RATE} req/s (chat completions, ${ROUNDS} rounds x ${SECONDS} s per path; median of rounds)`,
  );
  console.log(
    '                    direct p50   sidecar p50   added p50 | direct p99   sidecar p99   added p99',
  );
  const summary: Record<string, number> = {};
  for (const [label, key, pick] of [
    ['non-streaming', 'json', (r: LoadResult) => r.latency],
    ['streaming (total)', 'stream', (r: LoadResult) => r.latency],
    ['streaming TTFB', 'stream', (r: LoadResult) => r.ttfb],
  ] as const) {
    const direct = pooled(`direct ${key}`, pick);
    const through = pooled(`sidecar ${key}`, pick);
    summary[`${label} added p50`] = through.p50 - direct.p50;
    summary[`${label} added p99`] = through.p99 - direct.p99;
    console.log(
      `${label.padEnd(18)} ${ms(direct.p50).padStart(11)} ${ms(through.p50).padStart(13)} ${ms(through.p50 - direct.p50).padStart(11)} | ${ms(direct.p99).padStart(10)} ${ms(through.p99).padStart(13)} ${ms(through.p99 - direct.p99).padStart(11)}`,
    );
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
  for (let part = 0; part < 4; part++) {
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
  console.log(
    `  closed-loop throughput through the sidecar (32 in flight, half streaming): ${Math.round((soakSent / soakMs) * 1000).toLocaleString('en-US')} req/s`,
  );

  console.log(
    `\n${JSON.stringify({ rate: RATE, ...roundAll(summary), ingestPerSecond: Math.round(ingest.perSecond), rssStartMb: round1(rssAtStart.rss), rssAfterMb: round1(rssAfter.rss), anonymousAfterMb: round1(rssAfter.anonymous), proxied })}`,
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
      .join(' ')} (other work on the machine inflates the tails)`,
  );
  console.log(
    'upstream, sidecar and load generator are separate processes; the sidecar records every call in SQLite (WAL, group commit)',
  );
  console.log(
    `sidecar: node ${SIDECAR_NODE_FLAGS.join(' ')} dist/cli/main.js sidecar, ${Object.entries(SIDECAR_ENV)
      .map(([k, v]) => `${k}=${v}`)
      .join(' ')}`,
  );
}

function round1(value: number): number {
  return Math.round(value * 10) / 10;
}

function roundAll(values: Record<string, number>): Record<string, number> {
  return Object.fromEntries(
    Object.entries(values).map(([key, value]) => [key.replaceAll(' ', '_'), Math.round(value * 1000) / 1000]),
  );
}
