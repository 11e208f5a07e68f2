/**
 * Prometheus metrics (prom-client, a registry of our own): counted from committed records, so
 * they agree with the usage log. Model labels are capped (labels.ts); everything else is bounded
 * by construction. Budget gauges are read at scrape time from the budget state, never per call.
 *
 * `GET /metrics` needs no token, like /healthz: Prometheus scrape configs often cannot send one,
 * the published port is bound to 127.0.0.1, and the content is aggregate counts (model names,
 * tokens, dollars), never prompts, keys or tags.
 */
import { Counter, collectDefaultMetrics, Gauge, Histogram, Registry } from 'prom-client';
import type { UsageRecord } from '../../usage/record.js';
import type { Handler } from '../http/context.js';
import { createLabelCap } from './labels.js';

/** What the metrics show of one budget (as in `GET /v1/budgets`). */
export interface BudgetGaugeSource {
  name: string;
  limitUsd: number;
  spentUsd: number;
  reservedUsd: number;
  remainingUsd: number;
}

export interface CacheStats {
  entries: number;
  bytes: number;
  /** Lookups that found no live entry, since the sidecar started (only calls with the cache on). */
  misses: number;
}

/** Team mode's replication, as GET /healthz shows it. */
export interface TeamGaugeSource {
  state: 'connecting' | 'ok' | 'unreachable';
  backlog: number;
  replicated: number;
  expired: number;
  rejected: number;
}

export interface MetricsOptions {
  /** Distinct model label values before the rest share `__other__`. */
  maxModels?: number;
  /** Budgets as they stand now; read on each scrape. */
  budgets?: () => readonly BudgetGaugeSource[];
  /** The response cache's size now; read on each scrape. */
  cacheStats?: () => CacheStats;
  /** Team replication now; read on each scrape. */
  team?: () => TeamGaugeSource;
}

export interface SidecarMetrics {
  /** Counts committed records (one batch at a time). */
  observe(records: readonly UsageRecord[]): void;
  handler: Handler;
}

const LATENCY_BUCKETS = [0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10, 20, 40, 80, 160, 320];
const TTFB_BUCKETS = [0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2, 4, 8, 16, 32];
const TOKEN_TYPES = [
  'input',
  'output',
  'cached_input',
  'cache_write',
  'cache_write_1h',
  'reasoning',
] as const;
type TokenType = (typeof TOKEN_TYPES)[number];

export function createMetrics(options: MetricsOptions = {}): SidecarMetrics {
  const registry = new Registry();
  collectDefaultMetrics({ register: registry });
  const registers = [registry];
  const model = createLabelCap(options.maxModels ?? 50);

  const requests = new Counter({
    name: 'llmdev_requests_total',
    help: 'LLM calls recorded, by provider, model, HTTP status and source (proxy, mock, cache, ingest).',
    labelNames: ['provider', 'model', 'status', 'source'] as const,
    registers,
  });
  const tokens = new Counter({
    name: 'llmdev_tokens_total',
    help: 'Tokens by type. input and output are totals; cached_input and cache_write are parts of input, cache_write_1h (1-hour cache writes) is part of cache_write, reasoning is part of output.',
    labelNames: ['provider', 'model', 'type'] as const,
    registers,
  });
  const cost = new Counter({
    name: 'llmdev_cost_usd_total',
    help: 'Cost in US dollars of priced calls (see llmdev_unpriced_requests_total for calls without a price).',
    labelNames: ['provider', 'model'] as const,
    registers,
  });
  const unpriced = new Counter({
    name: 'llmdev_unpriced_requests_total',
    help: 'Calls whose model has no known price: their cost is not in llmdev_cost_usd_total.',
    labelNames: ['provider', 'model'] as const,
    registers,
  });
  const latency = new Histogram({
    name: 'llmdev_request_duration_seconds',
    help: 'Time from the call reaching the sidecar to its response ending.',
    labelNames: ['provider', 'model'] as const,
    buckets: LATENCY_BUCKETS,
    registers,
  });
  const ttfb = new Histogram({
    name: 'llmdev_time_to_first_byte_seconds',
    help: 'Time from the call reaching the sidecar to the first byte of the provider response.',
    labelNames: ['provider', 'model'] as const,
    buckets: TTFB_BUCKETS,
    registers,
  });
  const cacheHits = new Counter({
    name: 'llmdev_cache_hits_total',
    help: 'Calls answered from the response cache, at no cost.',
    labelNames: ['provider', 'model'] as const,
    registers,
  });
  const saved = new Counter({
    name: 'llmdev_cache_saved_usd_total',
    help: 'US dollars not spent because a response came from the cache.',
    labelNames: ['provider', 'model'] as const,
    registers,
  });
  const ingested = new Counter({
    name: 'llmdev_ingested_records_total',
    help: 'Usage records accepted from clients calling a provider directly (POST /v1/usage).',
    labelNames: ['provider'] as const,
    registers,
  });
  if (options.budgets) budgetGauges(registers, options.budgets);
  if (options.cacheStats) cacheGauges(registers, options.cacheStats);
  if (options.team) teamGauges(registers, options.team);

  /**
   * Counters are summed per batch in plain objects first and passed to prom-client once per label
   * set (its label validation and hashing cost about a microsecond per call); histograms take
   * each value.
   */
  const observeBatch = (records: readonly UsageRecord[]) => {
    const batch = new Map<string, ModelBatch>();
    for (const record of records) {
      const name = model(record.model);
      const key = `${record.provider}\u0000${name}`;
      let sums = batch.get(key);
      if (!sums) {
        sums = emptyBatch(record.provider, name);
        batch.set(key, sums);
      }
      const outcome = `${record.status}\u0000${record.source}`;
      sums.requests.set(outcome, (sums.requests.get(outcome) ?? 0) + 1);
      const { usage } = record;
      sums.tokens.input += usage.inputTokens;
      sums.tokens.output += usage.outputTokens;
      sums.tokens.cached_input += usage.cachedInputTokens;
      sums.tokens.cache_write += usage.cacheWriteTokens;
      sums.tokens.cache_write_1h += usage.cacheWrite1hTokens;
      sums.tokens.reasoning += usage.reasoningTokens;
      if (record.costUsd === null) sums.unpriced++;
      else sums.cost += record.costUsd;
      if (record.latencyMs !== null) latency.observe(sums.labels, record.latencyMs / 1000);
      if (record.ttfbMs !== null) ttfb.observe(sums.labels, record.ttfbMs / 1000);
      if (record.source === 'cache') {
        sums.cacheHits++;
        sums.saved += record.savedUsd ?? 0;
      }
      if (record.source === 'ingest') sums.ingested++;
    }
    for (const sums of batch.values()) {
      const { provider, model: name } = sums.labels;
      for (const [outcome, count] of sums.requests) {
        const split = outcome.indexOf('\u0000');
        const labels = {
          provider,
          model: name,
          status: outcome.slice(0, split),
          source: outcome.slice(split + 1),
        };
        requests.inc(labels, count);
      }
      for (const type of TOKEN_TYPES) {
        const count = sums.tokens[type];
        if (count > 0) tokens.inc({ provider, model: name, type }, count);
      }
      if (sums.cost > 0) cost.inc(sums.labels, sums.cost);
      if (sums.unpriced > 0) unpriced.inc(sums.labels, sums.unpriced);
      if (sums.cacheHits > 0) cacheHits.inc(sums.labels, sums.cacheHits);
      if (sums.saved > 0) saved.inc(sums.labels, sums.saved);
      if (sums.ingested > 0) ingested.inc({ provider }, sums.ingested);
    }
  };

  return {
    observe: observeBatch,
    async handler(ctx) {
      const body = await registry.metrics();
      ctx.res.writeHead(200, {
        'content-type': registry.contentType,
        'content-length': Buffer.byteLength(body),
        'cache-control': 'no-store',
      });
      ctx.res.end(body);
    },
  };
}

/** One batch's sums for one provider and model label. */
interface ModelBatch {
  labels: { provider: string; model: string };
  /** By `status\0source`. */
  requests: Map<string, number>;
  tokens: Record<TokenType, number>;
  cost: number;
  unpriced: number;
  cacheHits: number;
  saved: number;
  ingested: number;
}

function emptyBatch(provider: string, model: string): ModelBatch {
  return {
    labels: { provider, model },
    requests: new Map(),
    tokens: { input: 0, output: 0, cached_input: 0, cache_write: 0, cache_write_1h: 0, reasoning: 0 },
    cost: 0,
    unpriced: 0,
    cacheHits: 0,
    saved: 0,
    ingested: 0,
  };
}

function budgetGauges(registers: Registry[], budgets: () => readonly BudgetGaugeSource[]): void {
  const gauge = (name: string, help: string, value: (budget: BudgetGaugeSource) => number) =>
    new Gauge({
      name,
      help,
      labelNames: ['budget'] as const,
      registers,
      collect() {
        this.reset();
        for (const budget of budgets()) this.set({ budget: budget.name }, value(budget));
      },
    });
  gauge('llmdev_budget_remaining_usd', 'US dollars left in the budget this period.', (b) => b.remainingUsd);
  gauge('llmdev_budget_spent_usd', 'US dollars spent against the budget this period.', (b) => b.spentUsd);
  gauge(
    'llmdev_budget_reserved_usd',
    'US dollars reserved by calls in flight (their worst case).',
    (b) => b.reservedUsd,
  );
  gauge('llmdev_budget_limit_usd', 'The budget limit in US dollars.', (b) => b.limitUsd);
}

function cacheGauges(registers: Registry[], stats: () => CacheStats): void {
  const gauge = (name: string, help: string, field: keyof CacheStats) =>
    new Gauge({
      name,
      help,
      registers,
      collect() {
        this.set(stats()[field]);
      },
    });
  gauge('llmdev_cache_entries', 'Responses stored in the response cache.', 'entries');
  gauge('llmdev_cache_bytes', 'Bytes of responses stored in the response cache.', 'bytes');
  // Counted where the lookup happens (hits are counted from their records); read at scrape time.
  new Counter({
    name: 'llmdev_cache_misses_total',
    help: 'Calls with the response cache on that found no stored answer and went to the provider; with llmdev_cache_hits_total, the hit ratio.',
    registers,
    collect() {
      this.reset();
      this.inc(stats().misses);
    },
  });
}

function teamGauges(registers: Registry[], team: () => TeamGaugeSource): void {
  new Gauge({
    name: 'llmdev_team_backlog_records',
    help: "Usage records stored locally and not yet replicated to the team's PostgreSQL.",
    registers,
    collect() {
      this.set(team().backlog);
    },
  });
  new Gauge({
    name: 'llmdev_team_database_up',
    help: "1 when the last replication to the team's PostgreSQL succeeded, 0 while it fails.",
    registers,
    collect() {
      this.set(team().state === 'ok' ? 1 : 0);
    },
  });
  const counter = (name: string, help: string, field: 'replicated' | 'expired' | 'rejected') =>
    new Counter({
      name,
      help,
      registers,
      collect() {
        this.reset();
        this.inc(team()[field]);
      },
    });
  counter(
    'llmdev_team_replicated_records_total',
    "Usage records sent to the team's PostgreSQL.",
    'replicated',
  );
  counter(
    'llmdev_team_expired_records_total',
    'Queued records that retention deleted locally before they reached the team database.',
    'expired',
  );
  counter(
    'llmdev_team_rejected_records_total',
    'Records the team database refused as data (kept in the local log only).',
    'rejected',
  );
}
