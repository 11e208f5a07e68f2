/**
 * The request fields kept with every usage record for reproducibility: the sampling and length
 * parameters that change an answer. One list for the sidecar (proxied calls) and the client
 * (direct-mode reports), so both record the same thing.
 */
import type { RequestParams } from './record.js';

export const PARAM_KEYS = [
  'temperature',
  'top_p',
  'top_k',
  'seed',
  'max_tokens',
  'max_completion_tokens',
  'max_output_tokens',
  'frequency_penalty',
  'presence_penalty',
  'stop',
  'stop_sequences',
  'n',
  'reasoning_effort',
  'reasoning',
  'thinking',
  'service_tier',
] as const;

/** The reproducibility parameters present in a request body (absent ones are left out). */
export function pickParams(body: Readonly<Record<string, unknown>>): RequestParams {
  const params: Record<string, unknown> = {};
  for (const key of PARAM_KEYS) if (body[key] !== undefined) params[key] = body[key];
  return params as RequestParams;
}
