/**
 * The team budgets guard: before a call is forwarded, reserve its worst case (the local budget
 * guard's worstCaseCostUsd) on every team budget window it counts for, in one round trip to the
 * team's Postgres, or refuse it (429 `budget_exceeded`) when a blocking one cannot take it. The
 * settlement (actual cost, reservation given back) is sent after the response, off its path.
 *
 * When Postgres cannot be reached (or answers an error) and the call counts for a blocking team
 * budget, team.whenUnreachable decides: fail-closed refuses it (503 `budget_unavailable`), local-cap
 * admits it against this sidecar's own daily cap (team.localCapUsd), kept in a local ledger. Either
 * way its settlement is queued, so the team's books get the spend once Postgres is back. After a
 * failure, the guard does not wait on Postgres again for `retryAfterMs` (a black-holed server would
 * otherwise add its connect timeout to every call).
 */
import type { Config, TeamBudget, TeamConfig } from '../../config/schema.js';
import { type BudgetGuardOptions, worstCaseCostUsd } from '../../sidecar/budgets/guard.js';
import type { BudgetLedger } from '../../sidecar/budgets/ledger.js';
import type { ApiError } from '../../sidecar/http/errors.js';
import { assumedOutputCap, requestedOutputTokens } from '../../sidecar/limits/output-tokens.js';
import type { Admission, Guard, GuardedCall } from '../../sidecar/proxy/guards.js';
import type { BookedWindow, TeamBooks } from './books.js';
import { type TeamWindow, teamWindows } from './match.js';
import {
  localCapMessage,
  teamBudgetHeaders,
  teamExceededMessage,
  teamUnpricedMessage,
  teamUnreachableMessage,
} from './messages.js';
import type { Settlements } from './settlements.js';

export interface TeamBudgetGuardOptions {
  team: Pick<TeamConfig, 'budgets' | 'whenUnreachable' | 'localCapUsd'>;
  member: string;
  books: Pick<TeamBooks, 'reserve'>;
  settlements: Pick<Settlements, 'open' | 'settle' | 'abandon'>;
  /** The local cap's books (one budget: team.localCapUsd per day), for local-cap. */
  localCap: BudgetLedger;
  pricer: BudgetGuardOptions['pricer'];
  limits: Pick<Config['limits'], 'modelMaxOutputTokens' | 'defaultMaxOutputTokens'>;
  /** Why Postgres failed, logged (the caller decides how loudly). */
  onUnreachable: (error: unknown) => void;
  /** Monotonic ms. */
  clock: () => number;
  retryAfterMs: number;
}

export function teamBudgetGuard(options: TeamBudgetGuardOptions): Guard {
  const { team, member, books, settlements, localCap, pricer, limits } = options;
  let downUntil = Number.NEGATIVE_INFINITY;
  let lastReason = 'not tried yet';

  const refuse = (status: number, kind: ApiError['kind'], message: string, headers = {}): Admission => ({
    rejected: { status, kind, code: kind, message, headers: { ...headers, 'x-should-retry': 'false' } },
  });

  /** Admitted: settled through the queue; under a blocking budget, an uncapped call gets the assumed cap. */
  const admitted = (
    call: GuardedCall,
    windows: readonly BookedWindow[],
    headers?: Record<string, string>,
  ) => {
    settlements.open(call.id, windows);
    const admission = {
      settle: (record: Parameters<Settlements['settle']>[1]) => settlements.settle(call.id, record),
      ...(headers && { headers }),
    };
    const uncapped = requestedOutputTokens(call.kind, call.json) === null;
    if (!uncapped || !windows.some((window) => window.blocking)) return admission;
    return { ...admission, outputCap: assumedOutputCap(call.request.model, limits) };
  };

  /** `tried`: a reserve failed on the way, so Postgres may hold it after all (see abandon). */
  const unreachable = (
    call: GuardedCall,
    windows: BookedWindow[],
    amount: number,
    tried: boolean,
  ): Admission => {
    const abandon = () => {
      if (tried) settlements.abandon(call.id, windows);
    };
    const blocking = windows.find((window) => window.blocking);
    if (!blocking) return admitted(call, windows);
    if (team.whenUnreachable === 'fail-closed') {
      abandon();
      // Retrying soon may find the database back: let the SDKs retry after a pause.
      const message = teamUnreachableMessage(blocking, lastReason);
      return {
        rejected: {
          status: 503,
          kind: 'budget_unavailable',
          code: 'budget_unavailable',
          message,
          headers: { 'retry-after': '5' },
        },
      };
    }
    const result = localCap.reserve([0], amount);
    if (!result.ok) {
      abandon();
      const { spentUsd, reservedUsd } = result.budget;
      return refuse(429, 'budget_exceeded', localCapMessage(team.localCapUsd, spentUsd, reservedUsd, amount));
    }
    const local = admitted(call, windows);
    return {
      ...local,
      settle: (record) => {
        if (record) localCap.commit([record]);
        result.reservation.release();
        local.settle(record);
      },
    };
  };

  return {
    name: 'team-budgets',
    async admit(call) {
      const subject = { member, model: call.request.model, tags: call.request.tags };
      const windows = teamWindows(team.budgets, subject, call.ts.getTime()).map((window) =>
        book(team.budgets, window),
      );
      if (windows.length === 0) return {};
      const amount = worstCaseCostUsd(call, pricer, limits);
      if (amount === null) {
        const blocking = windows.find((window) => window.blocking);
        if (blocking)
          return refuse(
            429,
            'budget_exceeded',
            teamUnpricedMessage(blocking, call.provider, call.request.model),
          );
      }
      const worst = amount ?? 0;
      if (options.clock() < downUntil) return unreachable(call, windows, worst, false);
      let figures: Awaited<ReturnType<TeamBooks['reserve']>>;
      try {
        figures = await books.reserve(call.id, windows, worst);
      } catch (error) {
        downUntil = options.clock() + options.retryAfterMs;
        lastReason = reasonOf(error);
        options.onUnreachable(error);
        return unreachable(call, windows, worst, true);
      }
      const headers = teamBudgetHeaders(team.budgets, windows, figures);
      const refusedAt = figures.findIndex((figure) => figure.refused);
      if (refusedAt >= 0) {
        const window = windows[refusedAt] as BookedWindow;
        const figure = figures[refusedAt] as (typeof figures)[number];
        const budget = team.budgets[window.index] as TeamBudget;
        return refuse(429, 'budget_exceeded', teamExceededMessage(budget, window, figure, worst), headers);
      }
      return admitted(call, windows, headers);
    },
  };
}

function book(budgets: readonly TeamBudget[], window: TeamWindow): BookedWindow {
  const budget = budgets[window.index] as TeamBudget;
  return { ...window, limitUsd: budget.limitUsd, blocking: budget.action === 'block' };
}

/** A short cause for messages: the socket or SQLSTATE code and the driver's message (never a secret). */
function reasonOf(error: unknown): string {
  const code = (error as { code?: unknown }).code;
  const message = error instanceof Error ? error.message : String(error);
  return typeof code === 'string' && !message.includes(code) ? `${code}: ${message}` : message;
}
