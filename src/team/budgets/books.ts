/**
 * The team's budget books in Postgres, one SQL function call per step (migration.ts):
 * - reserve: lock the call's windows, reclaim expired leases, check every blocking limit and
 *   reserve the call's worst case on all of them, or on none — one round trip, one transaction;
 * - settle: give the reservation back and spend the actual cost, once per call id;
 * - renew: this sidecar's heartbeat, extending the leases of all its calls in flight.
 * Postgres serializes calls on a window's row lock, so concurrent callers on any number of sidecars
 * each see the reservations of every call admitted before them.
 */
import type { TeamWindow } from './match.js';

/** What the books need of a pg Pool (or Client). */
export interface Queryable {
  query<Row extends object>(text: string, values?: unknown[]): Promise<{ rows: Row[] }>;
}

export interface BookedWindow extends TeamWindow {
  limitUsd: number;
  blocking: boolean;
}

export interface WindowFigures {
  /** Index in team.budgets. */
  index: number;
  spentUsd: number;
  /** Worst case of the calls in flight on every sidecar (this call's included when admitted). */
  reservedUsd: number;
  /** This blocking window cannot take the call: nothing was reserved anywhere. */
  refused: boolean;
}

export interface TeamBooksOptions {
  db: Queryable;
  /** This sidecar process: its reservations are renewed together and expire together. */
  owner: string;
  /** How long a reservation holds without renewal: how soon a dead sidecar's calls are given back. */
  leaseSeconds: number;
}

interface FigureRow {
  budget_index: number;
  spent_usd: string;
  reserved_usd: string;
  refused: boolean;
}

/** Deadlock and serialization failures: the transaction was rolled back whole, so it can run again. */
const RETRYABLE = new Set(['40P01', '40001']);

export class TeamBooks {
  readonly #db: Queryable;
  readonly #owner: string;
  readonly #leaseSeconds: number;

  constructor({ db, owner, leaseSeconds }: TeamBooksOptions) {
    this.#db = db;
    this.#owner = owner;
    this.#leaseSeconds = leaseSeconds;
  }

  get leaseSeconds(): number {
    return this.#leaseSeconds;
  }

  async reserve(
    callId: string,
    windows: readonly BookedWindow[],
    amountUsd: number,
  ): Promise<WindowFigures[]> {
    const { rows } = await this.#run<FigureRow>(
      'SELECT * FROM team_budget_reserve($1, $2, $3, $4, $5, $6, $7, $8, $9)',
      [
        callId,
        this.#owner,
        this.#leaseSeconds,
        amountUsd,
        ...keys(windows),
        windows.map((window) => window.limitUsd),
        windows.map((window) => window.blocking),
      ],
    );
    return rows.map((row) => ({
      index: (windows[row.budget_index] as BookedWindow).index,
      spentUsd: Number(row.spent_usd),
      reservedUsd: Number(row.reserved_usd),
      refused: row.refused,
    }));
  }

  /** Idempotent: a settlement retried after a lost answer counts once. */
  async settle(callId: string, windows: readonly TeamWindow[], costUsd: number): Promise<void> {
    await this.#run('SELECT team_budget_settle($1, $2, $3, $4, $5)', [callId, costUsd, ...keys(windows)]);
  }

  /** Extends the leases of this sidecar's reservations; returns how many it holds. */
  async renew(): Promise<number> {
    const { rows } = await this.#run<{ renewed: number }>('SELECT team_budget_renew($1, $2) AS renewed', [
      this.#owner,
      this.#leaseSeconds,
    ]);
    return rows[0]?.renewed ?? 0;
  }

  async #run<Row extends object>(text: string, values: unknown[]): Promise<{ rows: Row[] }> {
    try {
      return await this.#db.query<Row>(text, values);
    } catch (error) {
      if (!RETRYABLE.has((error as { code?: string }).code ?? '')) throw error;
      return this.#db.query<Row>(text, values);
    }
  }
}

/** The row keys as the SQL functions take them: three parallel arrays. */
function keys(windows: readonly TeamWindow[]): [string[], string[], Date[]] {
  return [
    windows.map((window) => window.budget),
    windows.map((window) => window.subject),
    windows.map((window) => new Date(window.start)),
  ];
}
