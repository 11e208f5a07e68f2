/**
 * Start-up: each budget's committed spend in its current window, summed from usage.db with the
 * same matching rules the ledger applies to new records. One grouped query per (period, scope)
 * however many budgets share it.
 */

import type { Budget } from '../../config/schema.js';
import type { GroupBy, Summary, SummaryQuery } from '../store/queries.js';
import type { BudgetLedger } from './ledger.js';
import { modelMatches } from './match.js';
import { periodWindow } from './period.js';

export interface SpendSource {
  summary(query: SummaryQuery): Summary;
}

const GROUP_BY: Record<Budget['scope'], GroupBy | undefined> = {
  total: undefined,
  provider: 'provider',
  model: 'model',
  tag: 'tag',
};

export function loadSpend(
  ledger: BudgetLedger,
  budgets: readonly Budget[],
  source: SpendSource,
  nowMs: number,
): void {
  const summaries = new Map<string, Summary>();
  for (const [index, budget] of budgets.entries()) {
    const window = periodWindow(budget.period, nowMs);
    const groupBy = GROUP_BY[budget.scope];
    const key = `${budget.period}/${groupBy ?? 'total'}`;
    let summary = summaries.get(key);
    if (!summary) {
      summary = source.summary({
        since: new Date(window.start).toISOString(),
        until: window.end === null ? undefined : new Date(window.end).toISOString(),
        groupBy,
      });
      summaries.set(key, summary);
    }
    ledger.load(index, window.start, spentIn(budget, summary));
  }
}

function spentIn(budget: Budget, summary: Summary): number {
  if (budget.scope === 'total') return summary.totals.costUsd;
  const match = budget.match ?? '';
  let spent = 0;
  for (const group of summary.groups) {
    if (group.key === null) continue;
    const counts = budget.scope === 'model' ? modelMatches(match, group.key) : group.key === match;
    if (counts) spent += group.costUsd;
  }
  return spent;
}
