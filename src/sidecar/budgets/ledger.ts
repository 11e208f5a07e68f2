/**
 * The budgets' books: committed spend per budget and period window, and the worst-case cost of
 * calls in flight. Check-and-reserve is ONE synchronous step (`reserve`), and the sidecar runs on
 * one event loop, so concurrent calls can never together pass a blocking limit: each sees the
 * reservations of all calls admitted before it.
 *
 * Spend comes only from committed records (the store's commit listener), filed by each record's
 * time into its window, so a call that started before midnight counts for the day it started.
 * At start-up, spend is loaded from usage.db; reservations live in memory only, so a restart
 * neither forgets spend nor keeps a reservation of a call that died with the old process.
 */
import type { Budget } from '../../config/schema.js';
import {
  type BudgetFigures,
  type BudgetLevel,
  budgetLevel,
  crossedLevel,
  type DescribedBudget,
  remainingUsd,
  wouldExceed,
} from './figures.js';
import { type BudgetSubject, budgetMatches, budgetName } from './match.js';
import { periodWindow, windowStart } from './period.js';

export interface BudgetStatus extends DescribedBudget {
  scope: Budget['scope'];
  match: string | null;
  action: Budget['action'];
  warnAt: number;
  remainingUsd: number;
  /** Calls matching this budget that are in flight now. */
  inFlight: number;
  /** ISO start of the current window (1970-01-01 for period total). */
  windowStart: string;
  level: BudgetLevel;
}

export interface Reservation {
  /** Gives the reserved amount back (idempotent): the call's record, if any, is committed by now. */
  release(): void;
}

export type ReserveResult =
  | { ok: true; reservation: Reservation }
  /** `unpriced`: the call's worst case is unknown and this blocking budget cannot allow it. */
  | { ok: false; budget: BudgetStatus; reason: 'exceeded' | 'unpriced' };

export interface LedgerOptions {
  /** Epoch milliseconds. */
  now: () => number;
  /** Called once when committed spend crosses a budget's warnAt or its limit in the current window. */
  onCrossing?: (status: BudgetStatus, level: Exclude<BudgetLevel, 'ok'>) => void;
}

interface Book {
  index: number;
  budget: Budget;
  name: string;
  /** Committed spend by window start. Only the current window and later ones are kept. */
  spent: Map<number, number>;
  /** The current window, [start, end): recomputed only once the clock leaves it. */
  currentStart: number;
  currentEnd: number;
  reserved: number;
  inFlight: number;
}

/** A record as the ledger files it. */
export interface SpendRecord extends BudgetSubject {
  ts: string;
  costUsd: number | null;
}

export class BudgetLedger {
  readonly #books: Book[];
  readonly #now: () => number;
  readonly #onCrossing: LedgerOptions['onCrossing'];

  constructor(budgets: readonly Budget[], options: LedgerOptions) {
    this.#now = options.now;
    this.#onCrossing = options.onCrossing;
    this.#books = budgets.map((budget, index) => ({
      index,
      budget,
      name: budgetName(budget),
      spent: new Map(),
      currentStart: Number.NaN,
      currentEnd: Number.NaN,
      reserved: 0,
      inFlight: 0,
    }));
  }

  get size(): number {
    return this.#books.length;
  }

  /** Sets a budget's committed spend in the window that starts at `start` (loading at start-up). */
  load(index: number, start: number, spentUsd: number): void {
    const book = this.#books[index];
    if (book) book.spent.set(start, spentUsd);
  }

  /** Files committed records into the windows of the budgets they count for. */
  commit(records: readonly SpendRecord[]): void {
    const now = this.#now();
    for (const record of records) {
      const cost = record.costUsd;
      if (cost === null || !(cost > 0)) continue;
      const at = Date.parse(record.ts);
      for (const book of this.#books) {
        if (!budgetMatches(book.budget, record)) continue;
        const current = this.#current(book, now);
        const start = at >= current && at < book.currentEnd ? current : windowStart(book.budget.period, at);
        if (start < current) continue; // an old window: no longer counts
        const before = book.spent.get(start) ?? 0;
        book.spent.set(start, before + cost);
        if (start !== current || !this.#onCrossing) continue;
        const level = crossedLevel(book.budget, before, before + cost);
        if (level) this.#onCrossing(this.#status(book, now), level);
      }
    }
  }

  /** Whether the budget refuses calls (action block) rather than only warning. */
  isBlocking(index: number): boolean {
    return this.#books[index]?.budget.action === 'block';
  }

  /** Indices of the budgets a call counts for. */
  matching(subject: BudgetSubject): number[] {
    const indices: number[] = [];
    for (const book of this.#books) if (budgetMatches(book.budget, subject)) indices.push(book.index);
    return indices;
  }

  /**
   * Reserves `amountUsd` (the call's worst case; null when its model is unpriced) on each of
   * `indices`, or nothing if a blocking budget among them cannot take it. One synchronous step.
   */
  reserve(indices: readonly number[], amountUsd: number | null): ReserveResult {
    const now = this.#now();
    const books = indices.map((index) => this.#books[index] as Book);
    for (const book of books) {
      if (book.budget.action !== 'block') continue;
      if (amountUsd === null) return { ok: false, budget: this.#status(book, now), reason: 'unpriced' };
      if (wouldExceed(this.#figures(book, now), amountUsd)) {
        return { ok: false, budget: this.#status(book, now), reason: 'exceeded' };
      }
    }
    const amount = amountUsd ?? 0;
    for (const book of books) {
      book.reserved += amount;
      book.inFlight++;
    }
    let released = false;
    return {
      ok: true,
      reservation: {
        release: () => {
          if (released) return;
          released = true;
          for (const book of books) {
            book.inFlight--;
            // Exactly zero when nothing is in flight, whatever the float residue of the sums.
            book.reserved = book.inFlight === 0 ? 0 : Math.max(0, book.reserved - amount);
          }
        },
      },
    };
  }

  /** What remains of a budget now (the cheap part of `status`, for response headers). */
  remaining(index: number): { remainingUsd: number; level: BudgetLevel } {
    const book = this.#books[index] as Book;
    const figures = this.#figures(book, this.#now());
    return { remainingUsd: remainingUsd(figures), level: budgetLevel(book.budget, figures.spentUsd) };
  }

  status(index: number): BudgetStatus | undefined {
    const book = this.#books[index];
    return book && this.#status(book, this.#now());
  }

  statuses(): BudgetStatus[] {
    const now = this.#now();
    return this.#books.map((book) => this.#status(book, now));
  }

  /** The current window's start; drops windows that have ended. */
  #current(book: Book, now: number): number {
    if (now >= book.currentStart && now < book.currentEnd) return book.currentStart;
    const { start, end } = periodWindow(book.budget.period, now);
    book.currentStart = start;
    book.currentEnd = end ?? Number.POSITIVE_INFINITY;
    for (const key of book.spent.keys()) if (key < start) book.spent.delete(key);
    return start;
  }

  #figures(book: Book, now: number): BudgetFigures {
    const start = this.#current(book, now);
    return {
      limitUsd: book.budget.limitUsd,
      spentUsd: book.spent.get(start) ?? 0,
      reservedUsd: book.reserved,
    };
  }

  #status(book: Book, now: number): BudgetStatus {
    const figures = this.#figures(book, now);
    const { budget, currentStart, currentEnd } = book;
    return {
      index: book.index,
      name: book.name,
      scope: budget.scope,
      match: budget.match ?? null,
      period: budget.period,
      action: budget.action,
      warnAt: budget.warnAt,
      ...figures,
      remainingUsd: remainingUsd(figures),
      inFlight: book.inFlight,
      windowStart: new Date(currentStart).toISOString(),
      resetsAt: Number.isFinite(currentEnd) ? new Date(currentEnd).toISOString() : null,
      level: budgetLevel(budget, figures.spentUsd),
    };
  }
}
