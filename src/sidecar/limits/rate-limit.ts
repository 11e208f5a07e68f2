/**
 * Per-caller request rate limit (`limits.requestsPerMinute`; the caller is the access token auth
 * matched, never a raw header): a token bucket holding up to a
 * minute's worth of requests, refilled continuously, so a burst up to the limit passes and a
 * runaway loop is held to the rate. A refused call gets 429 with `retry-after` (seconds) and
 * `retry-after-ms`, which the OpenAI and Anthropic SDKs honour when they retry.
 */
import { CONFIG_FILE } from '../../config/load.js';
import type { Admission, Guard } from '../proxy/guards.js';

export type Take = { ok: true } | { ok: false; retryAfterMs: number };

export class TokenBucket {
  #tokens: number;
  #updated: number;

  constructor(
    readonly capacity: number,
    readonly perMs: number,
    nowMs: number,
  ) {
    this.#tokens = capacity;
    this.#updated = nowMs;
  }

  take(nowMs: number): Take {
    this.#refill(nowMs);
    if (this.#tokens >= 1) {
      this.#tokens -= 1;
      return { ok: true };
    }
    return { ok: false, retryAfterMs: Math.ceil((1 - this.#tokens) / this.perMs) };
  }

  /** Full again: as good as a new bucket, so it can be forgotten. */
  full(nowMs: number): boolean {
    this.#refill(nowMs);
    return this.#tokens >= this.capacity;
  }

  #refill(nowMs: number): void {
    const elapsed = Math.max(0, nowMs - this.#updated); // a clock stepping back refills nothing
    this.#tokens = Math.min(this.capacity, this.#tokens + elapsed * this.perMs);
    this.#updated = nowMs;
  }
}

export interface RateLimitOptions {
  requestsPerMinute: number;
  /** Epoch milliseconds. */
  now: () => number;
}

/** Buckets kept before full ones are swept (one per valid token: a handful at most). */
const SWEEP_AT = 64;
/** Hard bound on buckets: past it the least recently created go, whatever their state. */
export const MAX_BUCKETS = 1024;

export function rateLimitGuard({ requestsPerMinute, now }: RateLimitOptions): Guard {
  const buckets = new Map<string, TokenBucket>();
  const perMs = requestsPerMinute / 60_000;
  return {
    name: 'rate-limit',
    admit(call): Admission {
      const at = now();
      const key = call.caller;
      let bucket = buckets.get(key);
      if (!bucket) {
        if (buckets.size >= SWEEP_AT) {
          for (const [other, old] of buckets) if (old.full(at)) buckets.delete(other);
        }
        for (const oldest of buckets.keys()) {
          if (buckets.size < MAX_BUCKETS) break;
          buckets.delete(oldest);
        }
        bucket = new TokenBucket(requestsPerMinute, perMs, at);
        buckets.set(key, bucket);
      }
      const taken = bucket.take(at);
      if (taken.ok) return {};
      const seconds = Math.max(1, Math.ceil(taken.retryAfterMs / 1000));
      return {
        rejected: {
          status: 429,
          kind: 'rate_limited',
          code: 'rate_limit_exceeded',
          message:
            `Rate limit: more than ${requestsPerMinute} requests per minute with this llmdev access token ` +
            `(limits.requestsPerMinute in ${CONFIG_FILE}). Retry in ${seconds} s, or raise limits.requestsPerMinute.`,
          headers: { 'retry-after': String(seconds), 'retry-after-ms': String(taken.retryAfterMs) },
        },
      };
    },
  };
}
