/**
 * `llmdev budget [--json] [--dir D]`: each budget's spent, reserved, remaining, limit, period and
 * reset time, from the running sidecar (GET /v1/budgets on the host port, with the token from
 * .secrets/; in the workspace through LLMDEV_URL).
 */
import { resolve } from 'node:path';
import { Command } from 'commander';
import type { BudgetStatus } from '../../sidecar/budgets/ledger.js';
import { emit, emitJson, say } from '../output.js';

interface BudgetFlags {
  json?: boolean;
  dir: string;
}

export interface BudgetsAnswer {
  now: string;
  budgets: BudgetStatus[];
}

export function budgetCommand(): Command {
  return new Command('budget')
    .description("each budget's spent, reserved (calls in flight), remaining, limit and reset time")
    .option('--json', 'the budgets as JSON on stdout')
    .option('--dir <dir>', 'project folder (where llmdev.config.yaml is), when run on the host', '.')
    .action(async (flags: BudgetFlags) => {
      const [{ resolveSidecarAccess }, { sidecarFetch, answerError }] = await Promise.all([
        import('../../client/sidecar-access.js'),
        import('../../client/sidecar-api.js'),
      ]);
      const access = await resolveSidecarAccess(resolve(flags.dir));
      const response = await sidecarFetch(access, '/v1/budgets');
      if (!response.ok) throw await answerError(access, response, 'reading the budgets');
      const answer = (await response.json()) as BudgetsAnswer;
      if (flags.json) emitJson(answer);
      else if (answer.budgets.length === 0) {
        say(
          'No budgets configured. Add some under `budgets:` in llmdev.config.yaml (see the llmdev docs: docs/guardrails.md).',
        );
      } else emit(formatBudgets(answer.budgets));
    });
}

const usd = (value: number) => `$${value.toFixed(value !== 0 && Math.abs(value) < 0.01 ? 6 : 4)}`;

function state(budget: BudgetStatus): string {
  if (budget.level === 'exceeded')
    return budget.action === 'block' ? 'EXCEEDED (blocking)' : 'over (warn only)';
  if (budget.level === 'warning')
    return `warning (${Math.floor((budget.spentUsd / budget.limitUsd) * 100)}%)`;
  return 'ok';
}

/** An aligned table, one budget per row. Pure. */
export function formatBudgets(budgets: readonly BudgetStatus[]): string {
  const header = [
    'BUDGET',
    'COUNTS',
    'ACTION',
    'SPENT',
    'RESERVED',
    'REMAINING',
    'LIMIT',
    'RESETS (UTC)',
    'STATE',
  ];
  const rows = budgets.map((budget) => [
    budget.name,
    budget.scope === 'total' ? 'all calls' : `${budget.scope} ${budget.match}`,
    budget.action,
    usd(budget.spentUsd),
    usd(budget.reservedUsd),
    usd(budget.remainingUsd),
    `${usd(budget.limitUsd)}/${budget.period}`,
    budget.resetsAt === null ? 'never' : budget.resetsAt.slice(0, 16).replace('T', ' '),
    state(budget),
  ]);
  const widths = header.map((title, column) =>
    Math.max(title.length, ...rows.map((row) => (row[column] as string).length)),
  );
  const numeric = new Set([3, 4, 5, 6]);
  return [header, ...rows]
    .map((row) =>
      row
        .map((cell, column) => {
          const width = widths[column] as number;
          return numeric.has(column) ? cell.padStart(width) : cell.padEnd(width);
        })
        .join('  ')
        .trimEnd(),
    )
    .join('\n');
}
