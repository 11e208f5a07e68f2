/**
 * Loop detection: the same canonical request (provider, endpoint, body; see cache/request-key.ts)
 * sent more than `limits.loopMaxRepeats` times within `limits.loopWindowSeconds` is refused (429)
 * until the oldest of those repeats leaves the window. Code stuck in a loop re-sends one request;
 * deliberate repeats (sampling the same prompt many times) are what the threshold is for.
 *
 * Memory is bounded: per request digest (never the body), the times of its repeats inside the
 * window (at most loopMaxRepeats); digests are kept in least-recently-seen order and dropped once
 * their window has passed, or when more than MAX_KEYS are tracked.
 */
import { CONFIG_FILE } from '../../config/load.js';
import { requestKey } from '../cache/request-key.js';
import type { Admission, Guard } from '../proxy/guards.js';

export type Repeat = { ok: true } | { ok: false; repeats: number; retryAfterMs: number };

/** Times (epoch ms) a key was admitted, oldest first, from `head` on (a queue without shifting). */
interface Times {
  list: number[];
  head: number;
}

/** Sliding-window counter of repeated keys. */
export class RepeatWindow {
  /** Per key, the times it was admitted within the window; least recently seen first. */
  readonly #seen = new Map<string, Times>();

  constructor(
    readonly maxRepeats: number,
    readonly windowMs: number,
    readonly maxKeys = MAX_KEYS,
  ) {}

  get trackedKeys(): number {
    return this.#seen.size;
  }

  hit(key: string, nowMs: number): Repeat {
    const cutoff = nowMs - this.windowMs;
    let times = this.#seen.get(key);
    if (times) {
      this.#seen.delete(key); // re-inserted below: most recently seen last
      const { list } = times;
      while (times.head < list.length && (list[times.head] as number) <= cutoff) times.head++;
      if (times.head > 64 && times.head * 2 > list.length) times = { list: list.slice(times.head), head: 0 };
    } else {
      times = { list: [], head: 0 };
    }
    this.#seen.set(key, times);
    this.#evict(cutoff);
    const repeats = times.list.length - times.head;
    if (repeats >= this.maxRepeats) {
      const oldest = times.list[times.head] as number;
      return { ok: false, repeats, retryAfterMs: oldest + this.windowMs - nowMs };
    }
    times.list.push(nowMs);
    return { ok: true };
  }

  /** Drops keys not seen within the window (the least recently seen come first), and any over maxKeys. */
  #evict(cutoff: number): void {
    for (const [key, times] of this.#seen) {
      const last = times.list.at(-1);
      const stale = last !== undefined && last <= cutoff;
      if (!stale && this.#seen.size <= this.maxKeys) return;
      this.#seen.delete(key);
    }
  }
}

const MAX_KEYS = 10_000;

export interface LoopGuardOptions {
  loopMaxRepeats: number;
  loopWindowSeconds: number;
  /** Epoch milliseconds. */
  now: () => number;
}

export function loopGuard({ loopMaxRepeats, loopWindowSeconds, now }: LoopGuardOptions): Guard {
  const window = new RepeatWindow(loopMaxRepeats, loopWindowSeconds * 1000);
  return {
    name: 'loop-detection',
    admit(call): Admission {
      const repeat = window.hit(requestKey(call), now());
      if (repeat.ok) return {};
      const seconds = Math.max(1, Math.ceil(repeat.retryAfterMs / 1000));
      return {
        rejected: {
          status: 429,
          kind: 'loop_detected',
          code: 'loop_detected',
          message:
            `This looks like a loop: the same request was already sent ${repeat.repeats} times in the last ${loopWindowSeconds} s, ` +
            `so llmdev refused this repeat (it is allowed again in ${seconds} s). If the repeats are intended, raise ` +
            `limits.loopMaxRepeats (now ${loopMaxRepeats}) or lower limits.loopWindowSeconds (now ${loopWindowSeconds}) in ${CONFIG_FILE}.`,
          // An SDK retrying the same request would only repeat it again.
          headers: { 'retry-after': String(seconds), 'x-should-retry': 'false' },
        },
      };
    },
  };
}
