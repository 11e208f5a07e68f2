/**
 * The output a request may produce: the cap it asks for (`max_tokens`, `max_completion_tokens`,
 * `max_output_tokens`, by API), times the completions it asks for (`n`, `best_of`). What the
 * per-request cap checks, and what budgets reserve. Pure.
 */
import type { Config } from '../../config/schema.js';
import type { ApiKind } from '../../usage/endpoints.js';

/** Every field that caps output, in any API (the per-request cap checks them all). */
export const OUTPUT_CAP_FIELDS = ['max_tokens', 'max_completion_tokens', 'max_output_tokens'] as const;
export type OutputCapField = (typeof OUTPUT_CAP_FIELDS)[number];

type Json = Readonly<Record<string, unknown>>;

const count = (value: unknown): number | null =>
  typeof value === 'number' && Number.isFinite(value) && value >= 0 ? Math.ceil(value) : null;

/** The output cap the request sets for its API, or null when it sets none. */
export function requestedOutputTokens(kind: ApiKind, body: Json): number | null {
  switch (kind) {
    case 'openai.chat':
      // max_completion_tokens replaced max_tokens (and includes reasoning tokens).
      return count(body.max_completion_tokens) ?? count(body.max_tokens);
    case 'openai.completions':
    case 'anthropic.messages':
      return count(body.max_tokens);
    case 'openai.responses':
      return count(body.max_output_tokens);
    case 'openai.embeddings':
      return 0; // no output tokens
  }
}

/** How many completions the request is billed for: chat `n`; legacy completions `n` or `best_of`. */
export function billedChoices(kind: ApiKind, body: Json): number {
  if (kind !== 'openai.chat' && kind !== 'openai.completions') return 1;
  const n = count(body.n) ?? 1;
  const bestOf = kind === 'openai.completions' ? (count(body.best_of) ?? 1) : 1;
  return Math.max(1, n, bestOf);
}

type OutputLimits = Pick<Config['limits'], 'modelMaxOutputTokens' | 'defaultMaxOutputTokens'>;

/** The cap assumed for a request that sets none: `limits.modelMaxOutputTokens[model]`, else the default. */
export function assumedOutputCap(model: string, limits: OutputLimits): number {
  return limits.modelMaxOutputTokens[model] ?? limits.defaultMaxOutputTokens;
}

/** Output tokens to reserve for a call: its own cap, else the assumed one; times its billed choices. */
export function outputTokensToReserve(
  kind: ApiKind,
  body: Json,
  model: string,
  limits: OutputLimits,
): number {
  const cap = requestedOutputTokens(kind, body) ?? assumedOutputCap(model, limits);
  return cap * billedChoices(kind, body);
}

/** The field that caps output in each API (the current one for chat: it also bounds reasoning). */
const CAP_FIELD: Record<ApiKind, OutputCapField | null> = {
  'openai.chat': 'max_completion_tokens',
  'openai.completions': 'max_tokens',
  'openai.responses': 'max_output_tokens',
  'anthropic.messages': 'max_tokens',
  'openai.embeddings': null,
};

/** `body` with its API's output cap set to `cap` (unchanged when the API has no output). */
export function withOutputCap(kind: ApiKind, body: Readonly<Record<string, unknown>>, cap: number) {
  const field = CAP_FIELD[kind];
  return field === null ? body : { ...body, [field]: cap };
}

/** The first output-cap field above `max`, if any (the per-request cap). */
export function overCap(body: Json, max: number): { field: OutputCapField; value: number } | null {
  for (const field of OUTPUT_CAP_FIELDS) {
    const value = body[field];
    if (typeof value === 'number' && value > max) return { field, value };
  }
  return null;
}
