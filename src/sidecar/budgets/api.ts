/** `GET /v1/budgets`: each budget's spent, reserved, remaining, limit, period and reset time. */
import type { Handler } from '../http/context.js';
import { sendJson } from '../http/errors.js';
import type { BudgetLedger, BudgetStatus } from './ledger.js';

/** USD figures rounded to 1e-10, so float sums read as the amounts they are. */
const usd = (value: number) => Math.round(value * 1e10) / 1e10;

export function budgetView(status: BudgetStatus): BudgetStatus {
  return {
    ...status,
    limitUsd: usd(status.limitUsd),
    spentUsd: usd(status.spentUsd),
    reservedUsd: usd(status.reservedUsd),
    remainingUsd: usd(status.remainingUsd),
  };
}

export function budgetsHandler(ledger: Pick<BudgetLedger, 'statuses'>, now: () => Date): Handler {
  return (ctx) => {
    const body = { now: now().toISOString(), budgets: ledger.statuses().map(budgetView) };
    sendJson(ctx.res, 200, JSON.stringify(body));
  };
}
