/**
 * What users read about team budgets: refusals (429 over the limit, 503 when the team database
 * cannot be reached and the config says fail closed), warnings, and the headers. Pure.
 */
import { CONFIG_FILE } from '../../config/load.js';
import type { TeamBudget } from '../../config/schema.js';
import { budgetLevel, formatUsd, remainingUsd, tightest } from '../../sidecar/budgets/figures.js';
import { describePeriod } from '../../sidecar/budgets/period.js';
import type { WindowFigures } from './books.js';
import type { TeamWindow } from './match.js';

export const TEAM_REMAINING_HEADER = 'x-llmdev-team-budget-remaining-usd';
export const TEAM_WARNING_HEADER = 'x-llmdev-team-budget-warning';

/** A team budget as messages name it, e.g. `team budget "eng" (team.budgets[0])`. */
function named(window: TeamWindow): string {
  const whose = window.subject === '' ? '' : ` for ${window.subject}`;
  return `team budget "${window.budget}" (team.budgets[${window.index}])${whose}`;
}

function resets(window: TeamWindow): string {
  return window.end === null
    ? 'It never resets (period: total).'
    : `It resets at ${new Date(window.end).toISOString()}.`;
}

export function teamExceededMessage(
  budget: TeamBudget,
  window: TeamWindow,
  figures: WindowFigures,
  callUsd: number,
): string {
  return (
    `The ${named(window)} is exceeded: this call could cost up to ${formatUsd(callUsd)}, and the team has ` +
    `spent ${formatUsd(figures.spentUsd)} plus ${formatUsd(figures.reservedUsd)} reserved by calls in flight on all sidecars, ` +
    `of a ${formatUsd(budget.limitUsd)} limit ${describePeriod(budget.period)}. ${resets(window)} ` +
    `To change the limit, edit team.budgets[${window.index}].limitUsd in ${CONFIG_FILE} (every member's copy).`
  );
}

export function teamUnpricedMessage(window: TeamWindow, provider: string, model: string): string {
  return (
    `The ${named(window)} cannot be enforced for ${provider} model ${JSON.stringify(model)}: llmdev has no ` +
    `price for it, so the call's cost is unknown and it is refused rather than counted as $0. Add its prices under ` +
    `pricing.overrides in ${CONFIG_FILE}, or set team.budgets[${window.index}].action: warn.`
  );
}

/** The 503 of fail-closed: what failed, why the call is refused, what to do. */
export function teamUnreachableMessage(window: TeamWindow, reason: string): string {
  return (
    `The ${named(window)} cannot be checked: the team database is unreachable (${reason}). ` +
    `team.whenUnreachable is fail-closed, so calls under blocking team budgets are refused until it answers again; ` +
    `retry later, check the connection with \`llmdev doctor\`, or set team.whenUnreachable: local-cap in ${CONFIG_FILE} ` +
    'to allow calls up to team.localCapUsd per day meanwhile.'
  );
}

/** The 429 of local-cap once this sidecar has admitted its cap while the team database is unreachable. */
export function localCapMessage(
  capUsd: number,
  spentUsd: number,
  reservedUsd: number,
  callUsd: number,
): string {
  return (
    `The team database is unreachable and this sidecar's local cap for team budgets is reached: this call could cost up to ` +
    `${formatUsd(callUsd)}, and ${formatUsd(spentUsd)} is spent plus ${formatUsd(reservedUsd)} reserved today while the ` +
    `database was unreachable, of team.localCapUsd ${formatUsd(capUsd)} per day (UTC). Calls resume when the team ` +
    `database answers again; check it with \`llmdev doctor\`, or raise team.localCapUsd in ${CONFIG_FILE}.`
  );
}

/** The tightest team budget's remaining USD, and the warnings of those past their warnAt. */
export function teamBudgetHeaders(
  budgets: readonly TeamBudget[],
  windows: readonly TeamWindow[],
  figures: readonly WindowFigures[],
): Record<string, string> {
  const headers: Record<string, string> = {};
  const entries = figures.map((figure, position) => {
    const budget = budgets[figure.index] as TeamBudget;
    const limitUsd = budget.limitUsd;
    return {
      budget,
      window: windows[position] as TeamWindow,
      figure,
      remainingUsd: remainingUsd({ limitUsd, ...figure }),
    };
  });
  const tight = tightest(entries);
  if (tight) headers[TEAM_REMAINING_HEADER] = tight.remainingUsd.toFixed(8);
  const warnings = entries.flatMap(({ budget, window, figure }) => {
    const level = budgetLevel(budget, figure.spentUsd);
    if (level === 'ok') return [];
    const state =
      level === 'exceeded'
        ? 'over its limit'
        : `at ${Math.floor((figure.spentUsd / budget.limitUsd) * 100)}% of its limit`;
    return [
      `${named(window)} ${state}: ${formatUsd(figure.spentUsd)} of ${formatUsd(budget.limitUsd)} ${describePeriod(budget.period)}`,
    ];
  });
  // Header values must be visible ASCII (budget names and members are free text).
  if (warnings.length > 0) headers[TEAM_WARNING_HEADER] = warnings.join('; ').replace(/[^\x20-\x7e]/g, '?');
  return headers;
}
