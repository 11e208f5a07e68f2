/**
 * `npm run bench:usage` part two: a usage.db of BENCH_DB_RECORDS (1,000,000) records over 90 days,
 * written through the sidecar's writer (commit thread, batches of 1,000: the store's own ingest
 * rate), then `GET /v1/usage/summary`'s queries timed over it (median of 5 runs each).
 */
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { openUsageStore } from '../src/sidecar/store/index.js';
import type { SummaryQuery } from '../src/sidecar/store/queries.js';
import type { UsageRecord } from '../src/usage/record.js';
import { distribution } from './lib/stats.js';

const RECORDS = Number(process.env.BENCH_DB_RECORDS ?? 1_000_000);
const DAYS = 90;
const MODELS = ['gpt-4o-mini', 'gpt-4o', 'claude-sonnet-4-5', 'claude-haiku-4-5', 'o3-mini'];

function benchRecord(i: number): UsageRecord {
  const model = MODELS[i % MODELS.length] as string;
  return {
    id: `bench-${i}`,
    ts: new Date(Date.UTC(2026, 0, 1) + Math.floor((i / RECORDS) * DAYS * 86_400_000)).toISOString(),
    provider: model.startsWith('claude') ? 'anthropic' : 'openai',
    model,
    endpoint: '/v1/chat/completions',
    stream: i % 2 === 0,
    source: 'proxy',
    usage: {
      inputTokens: 1000 + (i % 500),
      outputTokens: 200 + (i % 100),
      cachedInputTokens: i % 3 === 0 ? 100 : 0,
      cacheWriteTokens: 0,
      cacheWrite1hTokens: 0,
      reasoningTokens: 0,
    },
    costUsd: i % 97 === 0 ? null : 0.0004 + (i % 10) * 1e-5,
    savedUsd: null,
    pricingSource: 'genai-prices@0.1.8',
    latencyMs: 800,
    ttfbMs: 200,
    status: i % 50 === 0 ? 500 : 200,
    error: null,
    estimated: false,
    tags: { team: `t${i % 4}` },
    promptName: i % 5 === 0 ? 'summarize' : null,
    promptVersion: i % 5 === 0 ? '2' : null,
    params: { temperature: 0.2 },
    systemFingerprint: null,
    upstreamRequestId: null,
    responseModel: null,
  };
}

const dir = mkdtempSync(join(tmpdir(), 'llmdev-bench-db-'));
try {
  const store = openUsageStore(dir);
  const started = performance.now();
  const BATCH = 1000;
  const inFlight: Promise<unknown>[] = [];
  for (let start = 0; start < RECORDS; start += BATCH) {
    const items = Array.from({ length: Math.min(BATCH, RECORDS - start) }, (_, k) => ({
      record: benchRecord(start + k),
    }));
    inFlight.push(store.writer.write(items));
    if (inFlight.length >= 8) await inFlight.shift();
  }
  await Promise.all(inFlight);
  const seconds = (performance.now() - started) / 1000;
  console.log(
    `\nusage.db of ${RECORDS.toLocaleString('en-US')} records over ${DAYS} days: written in ${seconds.toFixed(1)} s, ${Math.round(RECORDS / seconds).toLocaleString('en-US')} records/s committed (writer, batches of ${BATCH})`,
  );
  const queries: [string, SummaryQuery][] = [
    ['summary, all time', {}],
    ['summary, all time, by model', { groupBy: 'model' }],
    ['summary, all time, by day', { groupBy: 'day' }],
    ['summary, all time, by prompt', { groupBy: 'prompt' }],
    ['summary, last 30 days, by provider', { since: '2026-03-02T00:00:00.000Z', groupBy: 'provider' }],
    [
      'summary, one day (10:17 to 10:17), by model',
      { since: '2026-02-10T10:17:00.000Z', until: '2026-02-11T10:17:00.000Z', groupBy: 'model' },
    ],
    ['summary, all time, by tag', { groupBy: 'tag' }],
  ];
  for (const [label, query] of queries) {
    const times = Array.from({ length: 5 }, () => {
      const t = performance.now();
      store.queries.summary(query);
      return performance.now() - t;
    });
    console.log(`${label.padEnd(52)} ${distribution(times).p50.toFixed(1).padStart(8)} ms (median of 5)`);
  }
  await store.close();
} finally {
  rmSync(dir, { recursive: true, force: true });
}
