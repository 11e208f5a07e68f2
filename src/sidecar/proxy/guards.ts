/**
 * The admission seam of the pipeline (parse → auth → ADMIT → forward → extract → price → commit →
 * SETTLE). A guard looks at a call before anything is forwarded and either
 * - rejects it with an error in the client's API format (budget exceeded, rate limited, loop...),
 * - answers it itself (a response cache hit: nothing is forwarded), or
 * - admits it, optionally with response headers, a request to capture the response body the client
 *   gets, and a `settle` callback run once the call's record is committed (or the call failed to
 *   record), e.g. to turn a budget reservation into actual spend.
 * Guards run in order; when one rejects or answers, those already admitted are settled with null so
 * nothing stays reserved, and the guards after it still add their informational headers (e.g. the
 * budget remaining), so every response carries them.
 */
import type { ProviderName } from '../../config/schema.js';
import type { ApiKind } from '../../usage/endpoints.js';
import type { TokenUsage, UsageRecord } from '../../usage/record.js';
import type { ApiError } from '../http/errors.js';
import type { ProviderMode } from '../providers.js';
import type { CallRequest } from './call-request.js';

/** What guards see of a call. */
export interface GuardedCall {
  id: string;
  ts: Date;
  provider: ProviderName;
  mode: ProviderMode;
  kind: ApiKind;
  /** The API path, e.g. `/v1/chat/completions`. */
  endpoint: string;
  request: CallRequest;
  /** The request body as the client sent it. */
  json: Record<string, unknown>;
  /** Who is calling: the digest of the access token auth matched; per-caller limits key by it. */
  caller: string;
  /** The request headers (`x-llmdev-cache`...). */
  headers: Readonly<Record<string, string | string[] | undefined>>;
}

/** The response a client got, byte for byte, when the exchange completed (captured on request). */
export interface CapturedResponse {
  status: number;
  contentType: string;
  body: Buffer;
}

/**
 * null record: the call ended without a stored record. `response`: what the client received,
 * only when a guard asked to capture it and the exchange completed.
 */
export type Settle = (record: UsageRecord | null, response?: CapturedResponse) => void;

/** A guard's own answer to a call (a cache hit), recorded as a call from `source`. */
export interface GuardAnswer {
  source: 'cache';
  status: number;
  contentType: string;
  body: Buffer;
  usage: TokenUsage;
  estimated: boolean;
  responseModel: string | null;
  systemFingerprint: string | null;
  /** What the original call cost: the hit's `saved_usd` (null when it was unpriced). */
  savedUsd: number | null;
  headers: Record<string, string>;
}

export type Admission =
  | { rejected: ApiError }
  | { answer: GuardAnswer }
  | {
      settle?: Settle | undefined;
      headers?: Record<string, string> | undefined;
      capture?: boolean;
      /** The call must not produce more output tokens than this: the request sets no cap, so one is set. */
      outputCap?: number;
    };

export interface Guard {
  readonly name: string;
  admit(call: GuardedCall): Admission | Promise<Admission>;
  /** Headers for a call this guard never admitted because an earlier guard rejected or answered it. */
  headers?(call: GuardedCall): Record<string, string> | undefined;
}

export type AdmissionResult =
  | { rejected: ApiError }
  | { answer: GuardAnswer }
  | { settles: Settle[]; headers?: Record<string, string>; capture?: boolean; outputCap?: number };

export async function admit(guards: readonly Guard[], call: GuardedCall): Promise<AdmissionResult> {
  const settles: Settle[] = [];
  let headers: Record<string, string> | undefined;
  let capture = false;
  let outputCap: number | undefined;
  for (const [position, guard] of guards.entries()) {
    const pending = guard.admit(call);
    // Most guards answer synchronously: no extra turn of the microtask queue for them.
    const admission = pending instanceof Promise ? await pending : pending;
    if ('rejected' in admission || 'answer' in admission) {
      for (const settle of settles) settle(null);
      const extra = { ...headers, ...laterHeaders(guards, position, call) };
      if (Object.keys(extra).length === 0) return admission;
      if ('answer' in admission) {
        const { answer } = admission;
        return { answer: { ...answer, headers: { ...extra, ...answer.headers } } };
      }
      const { rejected } = admission;
      return { rejected: { ...rejected, headers: { ...extra, ...rejected.headers } } };
    }
    if (admission.settle) settles.push(admission.settle);
    if (admission.headers) headers = { ...headers, ...admission.headers };
    if (admission.capture) capture = true;
    if (admission.outputCap !== undefined) outputCap = Math.min(outputCap ?? Infinity, admission.outputCap);
  }
  return headers || capture || outputCap !== undefined
    ? {
        settles,
        ...(headers && { headers }),
        ...(capture && { capture }),
        ...(outputCap !== undefined && { outputCap }),
      }
    : { settles };
}

function laterHeaders(guards: readonly Guard[], position: number, call: GuardedCall): Record<string, string> {
  let headers: Record<string, string> = {};
  for (const guard of guards.slice(position + 1)) {
    const extra = guard.headers?.(call);
    if (extra) headers = { ...headers, ...extra };
  }
  return headers;
}
