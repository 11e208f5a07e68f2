/**
 * The admission seam of the pipeline (parse → auth → ADMIT → forward → extract → price → commit →
 * SETTLE). A guard looks at a call before anything is forwarded and either rejects it with an
 * error in the client's API format (budget exceeded, rate limited, loop detected...) or admits it,
 * optionally returning a `settle` callback run once the call's record is committed (or the call
 * failed to record), e.g. to turn a budget reservation into actual spend. Guards run in order;
 * when one rejects, those already admitted are settled with null so nothing stays reserved.
 */
import type { ProviderName } from '../../config/schema.js';
import type { ApiKind } from '../../usage/endpoints.js';
import type { UsageRecord } from '../../usage/record.js';
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
  request: CallRequest;
  /** The request body as the client sent it. */
  json: Record<string, unknown>;
}

/** null: the call ended without a stored record. */
export type Settle = (record: UsageRecord | null) => void;

export type Admission = { rejected: ApiError } | { settle?: Settle | undefined };

export interface Guard {
  readonly name: string;
  admit(call: GuardedCall): Admission | Promise<Admission>;
}

export type AdmissionResult = { rejected: ApiError } | { settles: Settle[] };

export async function admit(guards: readonly Guard[], call: GuardedCall): Promise<AdmissionResult> {
  const settles: Settle[] = [];
  for (const guard of guards) {
    const admission = await guard.admit(call);
    if ('rejected' in admission) {
      for (const settle of settles) settle(null);
      return admission;
    }
    if (admission.settle) settles.push(admission.settle);
  }
  return { settles };
}
