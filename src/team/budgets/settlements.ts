/**
 * Settling team reservations off the response path. A call's settlement carries the cost of its
 * committed record, whichever comes first: the pipeline's settle callback or the store's commit
 * listener (a client that hangs up mid-stream is settled with null before its record, with the
 * estimated cost, is committed). A call whose record never comes is settled at $0 after a grace
 * period. Settlements that fail (Postgres unreachable) are retried until they land: the sidecar's
 * heartbeat keeps their reservations meanwhile, and the spend is booked when the database is back.
 */
import type { UsageRecord } from '../../usage/record.js';
import type { TeamWindow } from './match.js';

/** What settlements need of the books. */
export interface Settler {
  settle(callId: string, windows: readonly TeamWindow[], costUsd: number): Promise<void>;
}

/** What settlements read of a committed usage record (the local cap files it as a local ledger does). */
export type SettledRecord = Pick<UsageRecord, 'id' | 'ts' | 'costUsd' | 'provider' | 'model' | 'tags'>;

export interface SettlementsOptions {
  books: Settler;
  /** How long a call settled without a record waits for its record before it is settled at $0. */
  graceMs: number;
  /** First retry delay after a failed settlement; doubled on each failure up to maxRetryMs. */
  retryMs: number;
  maxRetryMs: number;
  onError: (error: unknown, pending: number) => void;
  /** Also told of each settled record (the local cap's books, for calls admitted without Postgres). */
  onSettled?: (callId: string, record: SettledRecord | null) => void;
}

interface Open {
  windows: readonly TeamWindow[];
  grace?: NodeJS.Timeout;
}

export class Settlements {
  readonly #options: SettlementsOptions;
  readonly #open = new Map<string, Open>();
  /** Settlements not yet in Postgres, by call id: cost and windows. */
  readonly #pending = new Map<string, { windows: readonly TeamWindow[]; costUsd: number }>();
  /** Call ids whose settlement is on its way to Postgres. */
  readonly #sending = new Set<string>();
  #retryDelay: number;
  #retryTimer: NodeJS.Timeout | undefined;
  #idle: (() => void)[] = [];

  constructor(options: SettlementsOptions) {
    this.#options = options;
    this.#retryDelay = options.retryMs;
  }

  /** Settlements waiting for Postgres (a figure for status and metrics). */
  get backlog(): number {
    return this.#pending.size;
  }

  /** A call was admitted with reservations on `windows`. */
  open(callId: string, windows: readonly TeamWindow[]): void {
    this.#open.set(callId, { windows });
  }

  /** The pipeline's settle: with the call's committed record, or null when it ended without one (yet). */
  settle(callId: string, record: SettledRecord | null): void {
    if (record) {
      this.committed([record]);
      return;
    }
    const open = this.#open.get(callId);
    if (!open || open.grace) return;
    open.grace = setTimeout(() => this.#close(callId, null), this.#options.graceMs);
    open.grace.unref();
  }

  /**
   * Settles at $0 a call that will not run but may hold a reservation (a reserve whose answer was
   * lost): otherwise this sidecar's heartbeat would keep renewing it.
   */
  abandon(callId: string, windows: readonly TeamWindow[]): void {
    this.open(callId, windows);
    this.#close(callId, null);
  }

  /** The store's commit listener. */
  committed(records: readonly SettledRecord[]): void {
    for (const record of records) if (this.#open.has(record.id)) this.#close(record.id, record);
  }

  /** Resolves once every settlement has landed, or after `timeoutMs`. */
  async drain(timeoutMs: number): Promise<void> {
    for (const callId of [...this.#open.keys()]) this.#close(callId, null);
    if (this.#pending.size === 0) return;
    clearTimeout(this.#retryTimer);
    this.#flush();
    await new Promise<void>((resolve) => {
      const timer = setTimeout(resolve, timeoutMs);
      this.#idle.push(() => {
        clearTimeout(timer);
        resolve();
      });
    });
    clearTimeout(this.#retryTimer);
  }

  #close(callId: string, record: SettledRecord | null): void {
    const open = this.#open.get(callId);
    if (!open) return;
    clearTimeout(open.grace);
    this.#open.delete(callId);
    this.#options.onSettled?.(callId, record);
    this.#pending.set(callId, { windows: open.windows, costUsd: Math.max(0, record?.costUsd ?? 0) });
    if (this.#retryTimer === undefined) this.#send(callId);
  }

  #send(callId: string): void {
    const settlement = this.#pending.get(callId);
    if (!settlement || this.#sending.has(callId)) return;
    this.#sending.add(callId);
    this.#options.books.settle(callId, settlement.windows, settlement.costUsd).then(
      () => {
        this.#pending.delete(callId);
        this.#retryDelay = this.#options.retryMs;
        this.#done(callId);
      },
      (error: unknown) => {
        this.#options.onError(error, this.#pending.size);
        this.#scheduleRetry();
        this.#done(callId);
      },
    );
  }

  /** After a failure, one timer retries the whole backlog (not one timer per call). */
  #scheduleRetry(): void {
    if (this.#retryTimer !== undefined) return;
    this.#retryTimer = setTimeout(() => {
      this.#retryTimer = undefined;
      this.#flush();
    }, this.#retryDelay);
    this.#retryTimer.unref();
    this.#retryDelay = Math.min(this.#retryDelay * 2, this.#options.maxRetryMs);
  }

  #flush(): void {
    for (const callId of this.#pending.keys()) this.#send(callId);
  }

  #done(callId: string): void {
    this.#sending.delete(callId);
    if (this.#pending.size === 0) for (const resolve of this.#idle.splice(0)) resolve();
  }
}
