// @ts-check
// biome-ignore-all lint/correctness/noUnusedVariables: the script files share one scope (see state.js)
/**
 * The llmdev dashboard in the browser: signs in with the sidecar token (kept in sessionStorage, or
 * localStorage when asked; sent only as an Authorization header, never in a URL), loads summaries,
 * the cost series, budgets and recent records from the sidecar's API, then follows new records live
 * over `GET /v1/events` (read with fetch so the token stays in a header; polling when the stream is
 * unavailable). Everything is rendered with DOM methods and textContent, never as HTML text, and the
 * page's Content-Security-Policy allows no inline script or style.
 *
 * The script is these plain files (no imports: they share one scope), concatenated in the order of
 * SCRIPT_FILES in scripts/dashboard-assets.ts into the one module the page loads; this one holds the
 * data types, settings and the page's state.
 */

/** @typedef {{inputTokens: number, outputTokens: number, cachedInputTokens: number, cacheWriteTokens: number, reasoningTokens: number}} TokenUsage */
/**
 * @typedef {{id: string, ts: string, provider: string, model: string, endpoint: string, stream: boolean,
 *   source: string, usage: TokenUsage, costUsd: number | null, savedUsd: number | null,
 *   latencyMs: number | null, ttfbMs: number | null, status: number, error: string | null,
 *   estimated: boolean, tags: Record<string, string>, promptName: string | null,
 *   promptVersion: string | null}} UsageRecord
 */
/**
 * @typedef {{requests: number, inputTokens: number, outputTokens: number, cachedInputTokens: number,
 *   cacheWriteTokens: number, reasoningTokens: number, costUsd: number, savedUsd: number,
 *   unpricedRequests: number, estimatedRequests: number, errorRequests: number}} Totals
 */
/** @typedef {{totals: Totals}} Summary */
/** @typedef {{model: string, costUsd: number[], requests: number[], unpricedRequests: number[]}} ModelSeries */
/** @typedef {{bucket: 'hour' | 'day', starts: string[], until: string, series: ModelSeries[]}} Series */
/**
 * A budget as `GET /v1/budgets` reports it.
 * @typedef {{name: string, limitUsd: number, spentUsd: number, reservedUsd: number, remainingUsd: number,
 *   period: string, resetsAt: string | null, action: string, level: string}} Budget
 */

const TOKEN_KEY = 'llmdev.sidecarToken';
const MAX_RECORDS = 500;
const MAX_ROWS = 200;
/** After a live record, everything is reloaded (budgets, chart) at most this often. */
const REFRESH_AFTER_LIVE_MS = 10_000;
const POLL_MS = 5_000;
const STALE_MS = 60_000;
/** @type {Record<string, {label: string, bucket: 'hour' | 'day'}>} */
const RANGES = {
  '24h': { label: 'last 24 hours', bucket: 'hour' },
  '7d': { label: 'last 7 days', bucket: 'day' },
  '30d': { label: 'last 30 days', bucket: 'day' },
};
const SVG_NS = 'http://www.w3.org/2000/svg';
/** @type {Record<string, string>} */
const PERIODS = { day: 'per UTC day', month: 'per UTC month', total: 'all time' };

const state = {
  token: '',
  range: '24h',
  /** @type {UsageRecord[]} newest first */
  records: [],
  /** @type {Totals | null} */ today: null,
  /** @type {Totals | null} */ month: null,
  /** @type {Totals | null} */ period: null,
  /** @type {AbortController | null} */ events: null,
  /** @type {ReturnType<typeof setInterval> | null} */ poll: null,
  /** @type {ReturnType<typeof setTimeout> | null} */ refreshTimer: null,
  lastRefresh: 0,
  /** Records may have been missed (the stream broke): reload on reconnect. */
  missed: false,
  /** @type {Set<string>} ids to highlight once rendered */
  fresh: new Set(),
};

class Unauthorized extends Error {}
