/**
 * Which team budgets a call counts for, and the Postgres window each one books it in. Pure.
 * - team: every call of every member;
 * - member: the calls of the member named in `match`, or, without `match`, each member's own calls
 *   against a limit of their own (the window's subject is the member);
 * - model / tag: as local budgets (a model id or a dated snapshot of it; a key=value tag).
 */
import { type TeamBudget, teamBudgetName } from '../../config/schema.js';
import { modelMatches, tagMatches } from '../../sidecar/budgets/match.js';
import { periodWindow } from '../../sidecar/budgets/period.js';

export interface TeamSubject {
  member: string;
  model: string;
  tags: Readonly<Record<string, string>>;
}

/** One budget window a call is booked in: the key of its Postgres row. */
export interface TeamWindow {
  /** Index in team.budgets. */
  index: number;
  /** The budget's name, the row's first key: renaming a budget starts it afresh. */
  budget: string;
  /** The member for a per-member budget, else ''. */
  subject: string;
  /** Epoch ms. */
  start: number;
  /** Epoch ms the window ends; null for period total. */
  end: number | null;
}

export function teamBudgetMatches(budget: TeamBudget, subject: TeamSubject): boolean {
  switch (budget.scope) {
    case 'team':
      return true;
    case 'member':
      return budget.match === undefined || budget.match === subject.member;
    case 'model':
      return modelMatches(budget.match ?? '', subject.model);
    case 'tag':
      return tagMatches(budget.match ?? '', subject.tags);
  }
}

/** The windows a call made at `atMs` is booked in (Postgres locks them in its own key order). */
export function teamWindows(
  budgets: readonly TeamBudget[],
  subject: TeamSubject,
  atMs: number,
): TeamWindow[] {
  const windows: TeamWindow[] = [];
  for (const [index, budget] of budgets.entries()) {
    if (!teamBudgetMatches(budget, subject)) continue;
    const { start, end } = periodWindow(budget.period, atMs);
    const perMember = budget.scope === 'member' && budget.match === undefined;
    windows.push({
      index,
      budget: teamBudgetName(budget),
      subject: perMember ? subject.member : '',
      start,
      end,
    });
  }
  return windows;
}
