/**
 * The budgets guard: before a call is forwarded, reserve its worst-case cost on every budget it
 * counts for, or refuse it (429 `budget_exceeded`) when a blocking budget cannot take it; release
 * the reservation once the call's record is committed (its actual cost is then in the books).
 *
 * Worst case: input tokens counted with the model's tokenizer (Claude's only approximated by
 * cl100k, so 20% is added), all of them at the model's dearest input rate (1-hour cache writes only
 * when the request asks for that cache), plus the output the call
 * may produce (its max_tokens-style cap × n, else limits.modelMaxOutputTokens / defaultMaxOutputTokens).
 * A call with no cap of its own under a blocking budget is given the assumed one (OUTPUT_CAPPED_HEADER
 * says so), so no call can outspend its reservation. A call billed for input its body does not hold
 * (unbounded-input.ts: previous_response_id, documents from files...) is reserved at the model's
 * configured input ceiling, or under a blocking budget refused (400) when none is configured.
 * Large bodies are counted with bounded work: past the tokenizer's limits, one token per byte.
 */

import { CONFIG_FILE } from '../../config/load.js';
import type { Config } from '../../config/schema.js';
import type { Pricer } from '../../pricing/index.js';
import { estimateInputTokens, requestsHourCache } from '../../usage/estimate.js';
import { assumedOutputCap, outputTokensToReserve, requestedOutputTokens } from '../limits/output-tokens.js';
import type { Admission, Guard, GuardedCall } from '../proxy/guards.js';
import { exceededMessage, tightest, unpricedMessage, warningText } from './figures.js';
import type { BudgetLedger, BudgetStatus } from './ledger.js';
import { inputCeiling, unboundedInputField } from './unbounded-input.js';

/** Claude has no public tokenizer: its input estimate gets this margin so the reservation covers it. */
const APPROXIMATE_INPUT_MARGIN = 1.2;

export const REMAINING_HEADER = 'x-llmdev-budget-remaining-usd';
export const WARNING_HEADER = 'x-llmdev-budget-warning';

export interface BudgetGuardOptions {
  ledger: BudgetLedger;
  pricer: Pick<Pricer, 'maxCostUsd'>;
  limits: Pick<Config['limits'], 'modelMaxOutputTokens' | 'defaultMaxOutputTokens'> &
    Partial<Pick<Config['limits'], 'modelMaxInputTokens' | 'defaultMaxInputTokens'>>;
}

/** The most a call can cost, in USD; null when its model has no price. */
export function worstCaseCostUsd(
  call: Pick<GuardedCall, 'kind' | 'json' | 'provider' | 'request' | 'ts'>,
  pricer: BudgetGuardOptions['pricer'],
  limits: BudgetGuardOptions['limits'],
): number | null {
  const model = call.request.model;
  const counted = estimateInputTokens(call.kind, call.json);
  const estimated =
    call.kind === 'anthropic.messages' ? Math.ceil(counted * APPROXIMATE_INPUT_MARGIN) : counted;
  const ceiling =
    unboundedInputField(call.kind, call.json) === null ? undefined : inputCeiling(model, limits);
  const input = ceiling === undefined ? estimated : Math.max(estimated, ceiling);
  const output = outputTokensToReserve(call.kind, call.json, model, limits);
  return pricer.maxCostUsd(call.provider, model, input, output, call.ts, {
    // Only Anthropic bills 1-hour cache writes: no need to walk other bodies on the hot path.
    hourCacheWrites: call.provider === 'anthropic' && requestsHourCache(call.json),
  });
}

export function budgetGuard({ ledger, pricer, limits }: BudgetGuardOptions): Guard {
  const subjectOf = (call: GuardedCall) => ({
    provider: call.provider,
    model: call.request.model,
    tags: call.request.tags,
  });
  const headersFor = (indices: readonly number[]) => budgetHeaders(ledger, indices);

  return {
    name: 'budgets',
    admit(call): Admission {
      const indices = ledger.matching(subjectOf(call));
      if (indices.length === 0) return {};
      const unbounded = unboundedInputField(call.kind, call.json);
      const blocking = indices.find((index) => ledger.isBlocking(index));
      if (
        unbounded !== null &&
        blocking !== undefined &&
        inputCeiling(call.request.model, limits) === undefined
      ) {
        return {
          rejected: {
            status: 400,
            kind: 'invalid_request',
            code: 'input_not_bounded',
            message: unboundedMessage(unbounded, call.request.model, ledger.status(blocking)?.name ?? ''),
            headers: { ...headersFor(indices), 'x-should-retry': 'false' },
          },
        };
      }
      const amount = worstCaseCostUsd(call, pricer, limits);
      const result = ledger.reserve(indices, amount);
      if (!result.ok) {
        const message =
          result.reason === 'unpriced'
            ? unpricedMessage(result.budget, call.provider, call.request.model)
            : exceededMessage(result.budget, amount ?? 0);
        return {
          rejected: {
            status: 429,
            kind: 'budget_exceeded',
            code: 'budget_exceeded',
            message,
            // Retrying cannot help until spend resets or the limit is raised: stop the SDKs' retries.
            headers: { ...headersFor(indices), 'x-should-retry': 'false' },
          },
        };
      }
      const { reservation } = result;
      const admitted = { settle: () => reservation.release(), headers: headersFor(indices) };
      // Reserved at the assumed cap: under a blocking budget the call must not produce more, so it
      // gets that cap (a call without one could otherwise outspend its reservation).
      const uncapped = requestedOutputTokens(call.kind, call.json) === null;
      if (!uncapped || !indices.some((index) => ledger.isBlocking(index))) return admitted;
      return { ...admitted, outputCap: assumedOutputCap(call.request.model, limits) };
    },
    headers(call) {
      const indices = ledger.matching(subjectOf(call));
      return indices.length === 0 ? undefined : headersFor(indices);
    },
  };
}

function unboundedMessage(field: string, model: string, budget: string): string {
  return (
    `${field}: this call is billed for input that is not in its body (the provider holds it), so llmdev cannot ` +
    `bound what it reserves against the blocking budget ${JSON.stringify(budget)}. Set ` +
    `limits.modelMaxInputTokens[${JSON.stringify(model)}] (e.g. the model's context window) or ` +
    `limits.defaultMaxInputTokens in ${CONFIG_FILE} to reserve that worst case, or send the input in the request.`
  );
}

/** The tightest budget's remaining USD, and the warnings of budgets past their warnAt. */
export function budgetHeaders(
  ledger: Pick<BudgetLedger, 'remaining' | 'status'>,
  indices: readonly number[],
): Record<string, string> {
  const headers: Record<string, string> = {};
  const figures = indices.map((index) => ({ index, ...ledger.remaining(index) }));
  const tight = tightest(figures);
  if (tight) headers[REMAINING_HEADER] = tight.remainingUsd.toFixed(8);
  const warnings: string[] = [];
  for (const { index, level } of figures) {
    if (level !== 'ok') warnings.push(warningText(ledger.status(index) as BudgetStatus, level));
  }
  if (warnings.length > 0) headers[WARNING_HEADER] = headerSafe(warnings.join('; '));
  return headers;
}

/** Header values must be visible ASCII (budget names are free text). */
function headerSafe(text: string): string {
  return text.replace(/[^\x20-\x7e]/g, '?');
}
