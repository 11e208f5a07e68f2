/**
 * Budget arithmetic and wording: what remains, whether a reservation fits, which budget is the
 * tightest, when to warn, and the messages users read. Pure.
 */

import { CONFIG_FILE } from '../../config/load.js';
import type { Budget } from '../../config/schema.js';
import { describePeriod } from './period.js';

export interface BudgetFigures {
  limitUsd: number;
  /** Committed spend in the current window. */
  spentUsd: number;
  /** Worst-case cost of the calls in flight. */
  reservedUsd: number;
}

/** Float sums of many small costs drift by ~1e-18; never let that refuse a call that fits exactly. */
const EPSILON_USD = 1e-12;

export function remainingUsd({ limitUsd, spentUsd, reservedUsd }: BudgetFigures): number {
  return Math.max(0, limitUsd - spentUsd - reservedUsd);
}

/** Whether reserving `amountUsd` more would let spend pass the limit if every call cost its worst case. */
export function wouldExceed(figures: BudgetFigures, amountUsd: number): boolean {
  return figures.spentUsd + figures.reservedUsd + amountUsd > figures.limitUsd + EPSILON_USD;
}

export type BudgetLevel = 'ok' | 'warning' | 'exceeded';

/** `exceeded` once committed spend reaches the limit, `warning` from `warnAt` of it. */
export function budgetLevel(budget: Pick<Budget, 'limitUsd' | 'warnAt'>, spentUsd: number): BudgetLevel {
  if (spentUsd >= budget.limitUsd - EPSILON_USD) return 'exceeded';
  if (spentUsd >= budget.limitUsd * budget.warnAt - EPSILON_USD) return 'warning';
  return 'ok';
}

/** The level a commit moved spend into, if it crossed a threshold (each is crossed once per window). */
export function crossedLevel(
  budget: Pick<Budget, 'limitUsd' | 'warnAt'>,
  before: number,
  after: number,
): Exclude<BudgetLevel, 'ok'> | null {
  const level = budgetLevel(budget, after);
  return level !== 'ok' && level !== budgetLevel(budget, before) ? level : null;
}

/** The entry with the least remaining. */
export function tightest<T extends { remainingUsd: number }>(entries: readonly T[]): T | undefined {
  let best: T | undefined;
  for (const entry of entries) if (best === undefined || entry.remainingUsd < best.remainingUsd) best = entry;
  return best;
}

/** `$5`, `$0.0048`, `$0.00000084`: up to 8 decimals, no trailing zeros. */
export function formatUsd(usd: number): string {
  const fixed = Math.max(0, usd).toFixed(8);
  return `$${fixed.replace(/\.?0+$/, '')}`;
}

/** The path of a budget's setting in the config file, e.g. `budgets[0].limitUsd`. */
export function budgetKey(index: number, field: keyof Budget): string {
  return `budgets[${index}].${field}`;
}

export interface DescribedBudget extends BudgetFigures {
  index: number;
  name: string;
  period: Budget['period'];
  /** ISO time the budget resets; null for period total. */
  resetsAt: string | null;
}

function resets(budget: DescribedBudget): string {
  return budget.resetsAt === null ? 'It never resets (period: total).' : `It resets at ${budget.resetsAt}.`;
}

/** The 429 message of a call refused because its worst case would pass a blocking budget. */
export function exceededMessage(budget: DescribedBudget, callUsd: number): string {
  return (
    `Budget "${budget.name}" (budgets[${budget.index}]) exceeded: this call could cost up to ${formatUsd(callUsd)}, ` +
    `and ${formatUsd(budget.spentUsd)} is spent plus ${formatUsd(budget.reservedUsd)} reserved by calls in flight, ` +
    `of a ${formatUsd(budget.limitUsd)} limit ${describePeriod(budget.period)}. ${resets(budget)} ` +
    `To change the limit, edit ${budgetKey(budget.index, 'limitUsd')} in ${CONFIG_FILE}.`
  );
}

/** The 429 message of a call to a model without a price under a blocking budget. */
export function unpricedMessage(budget: DescribedBudget, provider: string, model: string): string {
  return (
    `Budget "${budget.name}" (budgets[${budget.index}]) cannot be enforced for ${provider} model ${JSON.stringify(model)}: ` +
    `llmdev has no price for it, so the call's cost is unknown and it is refused rather than counted as $0. ` +
    `Add its prices under pricing.overrides in ${CONFIG_FILE} ` +
    `(e.g. ${JSON.stringify(model)}: {inputPerMTok: 1, outputPerMTok: 4}), or set ${budgetKey(budget.index, 'action')}: warn.`
  );
}

/** One budget's warning: header text and log line. */
export function warningText(budget: DescribedBudget, level: Exclude<BudgetLevel, 'ok'>): string {
  const share = budget.limitUsd > 0 ? Math.floor((budget.spentUsd / budget.limitUsd) * 100) : 100;
  const state = level === 'exceeded' ? 'over its limit' : `at ${share}% of its limit`;
  const when = budget.resetsAt === null ? 'never resets' : `resets ${budget.resetsAt}`;
  return `budget "${budget.name}" (budgets[${budget.index}]) ${state}: ${formatUsd(budget.spentUsd)} of ${formatUsd(budget.limitUsd)} ${describePeriod(budget.period)}, ${when}`;
}
