/**
 * The guard chain the sidecar runs before forwarding a call, cheapest refusals first:
 *   output cap (400) → rate limit (429) → response cache (a hit answers; it costs nothing, so it
 *   is neither counted as a loop nor reserved) → loop detection (429) → budgets (reserve or 429).
 * Also wires the budget books to usage.db: spend loaded at start, then kept from every commit.
 */
import type { Config } from '../../config/schema.js';
import type { Pricer } from '../../pricing/index.js';
import { warningText } from '../budgets/figures.js';
import { budgetGuard } from '../budgets/guard.js';
import { BudgetLedger } from '../budgets/ledger.js';
import { loadSpend } from '../budgets/load-spend.js';
import { cacheGuard } from '../cache/guard.js';
import { openResponseCache, type ResponseCache } from '../cache/store.js';
import type { Logger } from '../log.js';
import type { Guard } from '../proxy/guards.js';
import type { UsageStore } from '../store/index.js';
import { loopGuard } from './loop-detector.js';
import { outputCapGuard } from './output-cap.js';
import { rateLimitGuard } from './rate-limit.js';

export interface GuardrailsOptions {
  config: Pick<Config, 'budgets' | 'limits' | 'cache'>;
  store: Pick<UsageStore, 'db' | 'queries' | 'writer'>;
  pricer: Pick<Pricer, 'maxCostUsd'>;
  log: Logger;
  now: () => Date;
  /** Masks secrets in response-cache bodies before they are stored. */
  redact?: (text: string) => string;
}

export interface Guardrails {
  guards: Guard[];
  budgets: BudgetLedger;
  cache: ResponseCache;
}

const MB = 1024 * 1024;

export function createGuardrails({ config, store, pricer, log, now, redact }: GuardrailsOptions): Guardrails {
  const nowMs = () => now().getTime();
  const { budgets, limits, cache: cacheConfig } = config;
  const ledger = new BudgetLedger(budgets, {
    now: nowMs,
    onCrossing: (status, level) =>
      log.warn(level === 'exceeded' ? 'budget limit reached' : 'budget warning', {
        budget: status.name,
        index: status.index,
        action: status.action,
        spentUsd: status.spentUsd,
        limitUsd: status.limitUsd,
        resetsAt: status.resetsAt,
        message: warningText(status, level),
      }),
  });
  loadSpend(ledger, budgets, store.queries, nowMs());
  store.writer.onCommit((records) => ledger.commit(records));

  const cache = openResponseCache(store.db, {
    ttlMs: cacheConfig.ttlSeconds * 1000,
    maxBytes: cacheConfig.maxMegabytes * MB,
    ...(redact && { redact }),
  });
  const guards: Guard[] = [
    outputCapGuard(limits.maxOutputTokens),
    rateLimitGuard({ requestsPerMinute: limits.requestsPerMinute, now: nowMs }),
    cacheGuard({ cache, enabled: cacheConfig.enabled, now: nowMs, log }),
    loopGuard({ ...limits, now: nowMs }),
  ];
  if (budgets.length > 0) guards.push(budgetGuard({ ledger, pricer, limits }));
  return { guards, budgets: ledger, cache };
}
