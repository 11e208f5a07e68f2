/**
 * `GET /v1/usage/series?since=24h&until=&bucket=hour|day` (token required): cost and requests per
 * model per UTC hour or day, for the dashboard's chart. One indexed summary query per bucket; the
 * most expensive models keep their own series and the rest are summed as `other`, so the chart
 * stays readable however many models were called.
 */
import { parseTimeBound } from '../api/time-range.js';
import type { Handler } from '../http/context.js';
import { sendError, sendJson } from '../http/errors.js';
import type { UsageQueries } from '../store/queries.js';

export const BUCKETS = ['hour', 'day'] as const;
export type Bucket = (typeof BUCKETS)[number];

const BUCKET_MS: Record<Bucket, number> = { hour: 3_600_000, day: 86_400_000 };
export const MAX_BUCKETS = 400;
const DEFAULT_SERIES = 7;
export const OTHER_MODELS = 'other';

export interface ModelSeries {
  model: string;
  costUsd: number[];
  requests: number[];
  unpricedRequests: number[];
}

export interface Series {
  bucket: Bucket;
  /** ISO start of each bucket; each ends where the next starts (the last at `until`). */
  starts: string[];
  until: string;
  series: ModelSeries[];
}

/** How many buckets `bucketStarts` would make, by arithmetic: checked before any is built. Pure. */
export function bucketCount(since: Date, until: Date, bucket: Bucket): number {
  const size = BUCKET_MS[bucket];
  const first = Math.floor(since.getTime() / size) * size;
  return Math.max(0, Math.ceil((until.getTime() - first) / size));
}

/** Bucket starts from `since` rounded down to the bucket, up to `until` (exclusive). Pure. */
export function bucketStarts(since: Date, until: Date, bucket: Bucket): Date[] {
  const size = BUCKET_MS[bucket];
  const starts: Date[] = [];
  for (let t = Math.floor(since.getTime() / size) * size; t < until.getTime(); t += size) {
    starts.push(new Date(t));
  }
  return starts;
}

export function collectSeries(
  queries: UsageQueries,
  starts: readonly Date[],
  until: Date,
  bucket: Bucket,
  maxSeries = DEFAULT_SERIES,
): Series {
  const byModel = new Map<string, ModelSeries>();
  starts.forEach((start, i) => {
    const end = starts[i + 1] ?? until;
    const { groups } = queries.summary({
      since: start.toISOString(),
      until: end.toISOString(),
      groupBy: 'model',
    });
    for (const group of groups) {
      const model = group.key ?? '';
      let series = byModel.get(model);
      if (!series) {
        series = emptySeries(model, starts.length);
        byModel.set(model, series);
      }
      add(series, i, group.costUsd, group.requests, group.unpricedRequests);
    }
  });
  const sum = (values: number[]) => values.reduce((total, value) => total + value, 0);
  // Most expensive first; among equal costs (unpriced or mock calls), the most called.
  const ranked = [...byModel.values()].sort(
    (a, b) => sum(b.costUsd) - sum(a.costUsd) || sum(b.requests) - sum(a.requests),
  );
  const kept = ranked.length > maxSeries ? ranked.slice(0, maxSeries - 1) : ranked;
  const rest = ranked.slice(kept.length);
  if (rest.length > 0) {
    const other = emptySeries(OTHER_MODELS, starts.length);
    for (const series of rest) {
      for (const [i, cost] of series.costUsd.entries()) {
        add(other, i, cost, series.requests[i] ?? 0, series.unpricedRequests[i] ?? 0);
      }
    }
    kept.push(other);
  }
  return {
    bucket,
    starts: starts.map((start) => start.toISOString()),
    until: until.toISOString(),
    series: kept,
  };
}

function emptySeries(model: string, length: number): ModelSeries {
  const zeros = () => new Array<number>(length).fill(0);
  return { model, costUsd: zeros(), requests: zeros(), unpricedRequests: zeros() };
}

function add(series: ModelSeries, i: number, cost: number, requests: number, unpriced: number): void {
  series.costUsd[i] = (series.costUsd[i] ?? 0) + cost;
  series.requests[i] = (series.requests[i] ?? 0) + requests;
  series.unpricedRequests[i] = (series.unpricedRequests[i] ?? 0) + unpriced;
}

export function seriesHandler(queries: UsageQueries, now: () => Date): Handler {
  return (ctx) => {
    const params = new URLSearchParams(ctx.search);
    const at = now();
    const bad = (message: string) =>
      sendError(ctx.res, ctx.format, { status: 400, kind: 'invalid_request', message });
    const since = parseTimeBound('since', params.get('since') || '24h', at);
    if (!since.ok) return bad(since.message);
    const untilText = params.get('until');
    const until = untilText
      ? parseTimeBound('until', untilText, at)
      : { ok: true as const, value: at.toISOString() };
    if (!until.ok) return bad(until.message);
    const bucket = (params.get('bucket') ?? 'hour') as Bucket;
    if (!BUCKETS.includes(bucket)) {
      return bad(`bucket: expected one of ${BUCKETS.join(', ')}, got ${JSON.stringify(bucket)}`);
    }
    const [from, to] = [new Date(since.value), new Date(until.value)];
    const count = bucketCount(from, to, bucket);
    if (count > MAX_BUCKETS) {
      return bad(
        `at most ${MAX_BUCKETS} buckets per query (this range has ${count} ${bucket}s): use bucket=day or a shorter range`,
      );
    }
    const starts = bucketStarts(from, to, bucket);
    const series = collectSeries(queries, starts, new Date(until.value), bucket);
    sendJson(ctx.res, 200, JSON.stringify(series));
  };
}
