/**
 * Which calls a budget counts, and what it is called. Pure.
 * - total: every call;
 * - provider: calls to that provider (`openai`, `anthropic`), mocked ones included;
 * - model: calls to that model id, or a dated snapshot of it (`gpt-4o` counts `gpt-4o-2024-08-06`,
 *   not `gpt-4o-mini`), ignoring case;
 * - tag: calls tagged `key=value` (x-llmdev-tags, or the tags of an ingested record).
 */
import type { Budget } from '../../config/schema.js';

/** What a budget needs to know about a call or a stored record. */
export interface BudgetSubject {
  provider: string;
  model: string;
  tags: Readonly<Record<string, string>>;
}

const DATED_SNAPSHOT = /^-(?:\d{4}-\d{2}-\d{2}|\d{8})$/;

export function budgetMatches(budget: Budget, subject: BudgetSubject): boolean {
  switch (budget.scope) {
    case 'total':
      return true;
    case 'provider':
      return subject.provider === budget.match;
    case 'model':
      return modelMatches(budget.match ?? '', subject.model);
    case 'tag':
      return tagMatches(budget.match ?? '', subject.tags);
  }
}

/** Whether the tags hold `key=value` (a tag budget's match). */
export function tagMatches(match: string, tags: Readonly<Record<string, string>>): boolean {
  const eq = match.indexOf('=');
  return tags[match.slice(0, eq)] === match.slice(eq + 1);
}

export function modelMatches(budgetModel: string, model: string): boolean {
  const wanted = budgetModel.trim().toLowerCase();
  const actual = model.trim().toLowerCase();
  if (actual === wanted) return true;
  return actual.startsWith(wanted) && DATED_SNAPSHOT.test(actual.slice(wanted.length));
}

/** The budget's name in messages: its `name`, else `scope:match:period` (e.g. `model:gpt-4o:day`). */
export function budgetName(budget: Budget): string {
  if (budget.name !== undefined) return budget.name;
  return [budget.scope, ...(budget.scope === 'total' ? [] : [budget.match]), budget.period].join(':');
}
