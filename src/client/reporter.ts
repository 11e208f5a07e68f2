/**
 * Direct-mode usage reporting: records go into a bounded in-memory queue and are sent to the
 * sidecar's `POST /v1/usage` in batches by one background worker, so reporting never blocks or
 * fails the call it describes. Failed sends are retried with exponential backoff and jitter (a
 * `retry-after` wins); each record carries a client-made id, so a batch that was stored but whose
 * answer got lost is not stored twice when retried. Beyond the bound the OLDEST records are dropped
 * (counted, with one warning). Pending records are flushed when the process runs out of work
 * (`beforeExit`) and by an explicit `await reporter.flush()` / `close()` (needed before
 * `process.exit()`, which skips `beforeExit`).
 */
import { randomUUID } from 'node:crypto';
import type { z } from 'zod';
import { redact } from '../redact/index.js';
import type { ingestRecordSchema } from '../usage/record.js';
import type { Secret } from './secret.js';

/** A record as the client reports it (the ingest schema's input: defaults may be left out). */
export type UsageReport = z.input<typeof ingestRecordSchema>;

export interface ReporterStats {
  /** Waiting to be sent, including a batch in flight. */
  pending: number;
  /** Acknowledged by the sidecar (stored, or already stored). */
  sent: number;
  /** Dropped because the queue was full. */
  dropped: number;
  /** Refused by the sidecar as invalid (a bug: reported in a warning). */
  rejected: number;
  /** Send attempts that failed and were retried. */
  failedAttempts: number;
}

export interface UsageReporter {
  /** Queues a record; returns at once, never throws. */
  report(record: UsageReport): void;
  /** Sends what is queued now, retrying until it is delivered or `timeoutMs` passes (default 10 s). */
  flush(options?: { timeoutMs?: number }): Promise<ReporterStats>;
  /** Flushes, then stops: later reports are dropped. */
  close(options?: { timeoutMs?: number }): Promise<ReporterStats>;
  stats(): ReporterStats;
}

export interface UsageReporterOptions {
  /** The sidecar, e.g. http://usage-logger:4100. */
  url: string;
  token: Secret;
  fetch?: typeof globalThis.fetch;
  /** Most records held (besides one batch in flight); beyond it the oldest are dropped. Default 10,000. */
  maxQueue?: number;
  /** Most records per request. Default 100. */
  batchSize?: number;
  /** How long reports gather before a send, in ms. Default 200. */
  batchDelayMs?: number;
  /** Backoff: first delay and cap, in ms. Defaults 500 and 30,000. */
  retryInitialMs?: number;
  retryMaxMs?: number;
  /** Per request. Default 10,000 ms. */
  requestTimeoutMs?: number;
  /** Flush when the event loop empties (`beforeExit`), for at most this long. Default 5,000 ms; 0: off. */
  exitFlushMs?: number;
  warn?: (message: string) => void;
  random?: () => number;
  newId?: () => string;
}

interface Queued extends UsageReport {
  id: string;
}

type Outcome = { kind: 'done' } | { kind: 'retry'; afterMs: number | null; reason: string };

export function createUsageReporter(options: UsageReporterOptions): UsageReporter {
  const maxQueue = Math.max(1, options.maxQueue ?? 10_000);
  const batchSize = Math.min(Math.max(1, options.batchSize ?? 100), maxQueue);
  const batchDelayMs = options.batchDelayMs ?? 200;
  const retryInitialMs = options.retryInitialMs ?? 500;
  const retryMaxMs = options.retryMaxMs ?? 30_000;
  const requestTimeoutMs = options.requestTimeoutMs ?? 10_000;
  const exitFlushMs = options.exitFlushMs ?? 5000;
  const doFetch = options.fetch ?? globalThis.fetch;
  const random = options.random ?? Math.random;
  const newId = options.newId ?? randomUUID;
  const endpoint = `${options.url.replace(/\/+$/, '')}/v1/usage`;
  const warn = (message: string) =>
    (options.warn ?? ((text) => process.emitWarning(text, 'LlmdevUsageWarning')))(
      redact(`llmdev: ${message}`, [options.token.reveal()]),
    );

  let queue: Queued[] = [];
  let inFlight = 0;
  const stats = { sent: 0, dropped: 0, rejected: 0, failedAttempts: 0 };
  let failures = 0;
  let warnedFull = false;
  let warnedDown = false;
  let closed = false;
  let urgent = 0; // flushes waiting: sleep with ref'd timers and skip the gathering delay
  let lastRetryAfter: number | null = null;
  let running = false;
  let wake: (() => void) | null = null;
  let timer: NodeJS.Timeout | null = null;
  const idle: (() => void)[] = [];

  const snapshot = (): ReporterStats => ({ pending: queue.length + inFlight, ...stats });

  const sleep = (ms: number) =>
    new Promise<void>((resolve) => {
      wake = () => {
        if (timer) clearTimeout(timer);
        timer = null;
        wake = null;
        resolve();
      };
      timer = setTimeout(() => wake?.(), ms);
      if (urgent === 0) timer.unref();
    });

  const backoffMs = () => {
    const ceiling = Math.min(retryMaxMs, retryInitialMs * 2 ** Math.min(failures - 1, 30));
    return ceiling / 2 + (random() * ceiling) / 2; // "equal jitter": never hammers, never waits forever
  };

  async function send(batch: Queued[]): Promise<Outcome> {
    let response: Response;
    try {
      response = await doFetch(endpoint, {
        method: 'POST',
        headers: {
          authorization: `Bearer ${options.token.reveal()}`,
          'content-type': 'application/json',
        },
        body: JSON.stringify({ records: batch }),
        signal: AbortSignal.timeout(requestTimeoutMs),
      });
    } catch (error) {
      const cause = (error as { cause?: { code?: string; message?: string } }).cause;
      return {
        kind: 'retry',
        afterMs: null,
        reason: cause?.code ?? cause?.message ?? (error as Error).message,
      };
    }
    const text = await response.text().catch(() => '');
    if (response.status === 202 || response.ok) {
      stats.sent += batch.length;
      return { kind: 'done' };
    }
    if (response.status === 408 || response.status === 429 || response.status >= 500) {
      return {
        kind: 'retry',
        afterMs: retryAfterMs(response.headers.get('retry-after')),
        reason: `HTTP ${response.status}`,
      };
    }
    // 400 (invalid record), 401 (wrong token), 413...: retrying cannot help.
    stats.rejected += batch.length;
    warn(
      `the sidecar refused ${batch.length} usage record(s) with HTTP ${response.status}: ${errorMessage(text)}`,
    );
    return { kind: 'done' };
  }

  async function work(): Promise<void> {
    // After close() (once its flush is over) the worker stops; what is left stays counted as pending.
    while (queue.length > 0 && !(closed && urgent === 0)) {
      if (failures > 0) await sleep(lastRetryAfter ?? backoffMs());
      else if (urgent === 0 && batchDelayMs > 0) await sleep(batchDelayMs);
      if (queue.length === 0) break;
      const batch = queue.splice(0, batchSize);
      inFlight = batch.length;
      const outcome = await send(batch);
      inFlight = 0;
      if (outcome.kind === 'done') {
        if (warnedDown) warnedDown = false;
        failures = 0;
        lastRetryAfter = null;
        continue;
      }
      // Back at the front: these are the oldest, and the bound still holds.
      queue = [...batch, ...queue];
      trim();
      failures++;
      stats.failedAttempts++;
      lastRetryAfter = outcome.afterMs === null ? null : Math.min(outcome.afterMs, retryMaxMs);
      if (!warnedDown) {
        warnedDown = true;
        warn(
          `cannot report usage to ${endpoint} (${outcome.reason}); ${queue.length} record(s) kept, retrying in the background`,
        );
      }
    }
    for (const resolve of idle.splice(0)) resolve();
  }

  function kick(): void {
    if (running) return;
    running = true;
    void work().finally(() => {
      running = false;
      if (queue.length > 0 && !closed) kick(); // reports that arrived as the worker finished
    });
  }

  function trim(): void {
    // A batch in flight cannot be recalled (it may get stored), and it holds the oldest records:
    // dropping from the queue meanwhile would drop newer ones. So only the queue is bounded; a
    // failed batch comes back at its front and is trimmed first.
    const excess = queue.length - maxQueue;
    if (excess <= 0) return;
    stats.dropped += queue.splice(0, excess).length;
    if (!warnedFull) {
      warnedFull = true;
      warn(
        `usage queue full (${maxQueue} records): dropping the oldest while the sidecar is unreachable; see reporter.stats().dropped`,
      );
    }
  }

  async function flush({ timeoutMs = 10_000 }: { timeoutMs?: number } = {}): Promise<ReporterStats> {
    if (queue.length === 0 && inFlight === 0) return snapshot();
    urgent++;
    let deadline: NodeJS.Timeout | undefined;
    try {
      kick();
      wake?.(); // skip a gathering delay or backoff wait in progress: try now
      await Promise.race([
        new Promise<void>((resolve) => idle.push(resolve)),
        new Promise<void>((resolve) => {
          deadline = setTimeout(resolve, timeoutMs);
        }),
      ]);
    } finally {
      clearTimeout(deadline);
      urgent--;
      if (urgent === 0) timer?.unref(); // a backoff wait left over must not hold the process open
    }
    return snapshot();
  }

  const onBeforeExit = () => {
    process.off('beforeExit', onBeforeExit); // once: an unreachable sidecar must not hold the exit forever
    if (queue.length > 0 || inFlight > 0) {
      void flush({ timeoutMs: exitFlushMs }).then((result) => {
        if (result.pending > 0) {
          warn(`${result.pending} usage record(s) could not be reported before exit (sidecar unreachable)`);
        }
      });
    }
  };
  if (exitFlushMs > 0) process.on('beforeExit', onBeforeExit);

  return {
    report(record) {
      if (closed) {
        stats.dropped++;
        return;
      }
      queue.push({ ...record, id: record.id ?? newId() });
      trim();
      kick();
    },
    flush,
    async close(flushOptions) {
      closed = true;
      const result = await flush(flushOptions);
      process.off('beforeExit', onBeforeExit);
      wake?.();
      return result;
    },
    stats: snapshot,
  };
}

/** `retry-after` in seconds or as an HTTP date, in ms; null when absent or unreadable. */
export function retryAfterMs(header: string | null, now: number = Date.now()): number | null {
  if (header === null || header.trim() === '') return null;
  const seconds = Number(header);
  if (Number.isFinite(seconds)) return Math.max(0, seconds * 1000);
  const at = Date.parse(header);
  return Number.isNaN(at) ? null : Math.max(0, at - now);
}

function errorMessage(text: string): string {
  try {
    const body = JSON.parse(text) as { error?: { message?: string } };
    if (typeof body.error?.message === 'string') return body.error.message;
  } catch {
    // not JSON: the text itself
  }
  return text.slice(0, 300) || '(no message)';
}
