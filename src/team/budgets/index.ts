/**
 * Team budgets in the sidecar: the books on the team's Postgres, the guard, the settlements queue
 * (fed by the pipeline and by the store's commit listener), and the heartbeat that renews this
 * sidecar's leases. `close()` stops the heartbeat and waits briefly for queued settlements.
 */
import { randomUUID } from 'node:crypto';
import type { Config, TeamConfig } from '../../config/schema.js';
import type { BudgetGuardOptions } from '../../sidecar/budgets/guard.js';
import { BudgetLedger } from '../../sidecar/budgets/ledger.js';
import type { Guard } from '../../sidecar/proxy/guards.js';
import { type Queryable, TeamBooks } from './books.js';
import { teamBudgetGuard } from './guard.js';
import { type SettledRecord, Settlements } from './settlements.js';

/**
 * A live sidecar renews its leases every third of this; a dead one's reservations are given back
 * by the first reserve that touches their windows once it has passed.
 */
export const LEASE_SECONDS = 30;

export interface TeamBudgetsOptions {
  team: Pick<TeamConfig, 'budgets' | 'whenUnreachable' | 'localCapUsd'>;
  member: string;
  db: Queryable;
  pricer: BudgetGuardOptions['pricer'];
  limits: Pick<Config['limits'], 'modelMaxOutputTokens' | 'defaultMaxOutputTokens'>;
  /** Epoch ms (the local cap's day) and monotonic ms (the retry pause). */
  now: () => number;
  clock: () => number;
  /** Told once per outage (not per call) that Postgres failed, and each time a settlement fails. */
  warn: (message: string, fields: Record<string, unknown>) => void;
  /** This process's owner id (default: random). */
  owner?: string;
  leaseSeconds?: number;
}

export interface TeamBudgets {
  guard: Guard;
  /** The store's commit listener. */
  committed(records: readonly SettledRecord[]): void;
  /** Settlements waiting for Postgres. */
  backlog(): number;
  close(timeoutMs: number): Promise<void>;
}

export function createTeamBudgets(options: TeamBudgetsOptions): TeamBudgets {
  const { team, warn } = options;
  const leaseSeconds = options.leaseSeconds ?? LEASE_SECONDS;
  const books = new TeamBooks({ db: options.db, owner: options.owner ?? randomUUID(), leaseSeconds });
  const settlements = new Settlements({
    books,
    // The record of a call settled without one is committed right after (client gone mid-stream).
    graceMs: 30_000,
    retryMs: 1000,
    maxRetryMs: 30_000,
    onError: (error, pending) => warn('team budget settlement failed; retrying', { error, pending }),
  });
  const localCap = new BudgetLedger(
    [
      {
        name: 'team.localCapUsd',
        scope: 'total',
        period: 'day',
        limitUsd: team.localCapUsd,
        action: 'block',
        warnAt: 0.8,
      },
    ],
    { now: options.now },
  );
  let reachable = true;
  const guard = teamBudgetGuard({
    team,
    member: options.member,
    books: {
      reserve: async (...args) => {
        const figures = await books.reserve(...args);
        reachable = true;
        return figures;
      },
    },
    settlements,
    localCap,
    pricer: options.pricer,
    limits: options.limits,
    clock: options.clock,
    retryAfterMs: 2000,
    onUnreachable: (error) => {
      if (reachable) warn(`team database unreachable; team budgets: ${team.whenUnreachable}`, { error });
      reachable = false;
    },
  });
  const heartbeat = setInterval(
    () => books.renew().catch((error: unknown) => warn('team budget lease renewal failed', { error })),
    (leaseSeconds * 1000) / 3,
  );
  heartbeat.unref();
  return {
    guard,
    committed: (records) => settlements.committed(records),
    backlog: () => settlements.backlog,
    async close(timeoutMs) {
      clearInterval(heartbeat);
      await settlements.drain(timeoutMs);
    },
  };
}
