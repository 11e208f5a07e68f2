/**
 * The response cache as a guard. Active for a call when `cache.enabled` (config) or the request
 * says `x-llmdev-cache: on`; `x-llmdev-cache: off` bypasses it. Every request is cacheable when
 * the cache is on, whatever its temperature: in development, getting the same answer again for the
 * same request is the point (switch it off per request where it is not).
 * - hit: the stored bytes are replayed as they were sent (a stream as the same SSE events), and
 *   the call is recorded with source `cache`, cost 0 and `saved_usd` = what the original cost;
 *   nothing is forwarded, nothing reserved against budgets (this guard runs before them).
 * - miss: the call goes on; once its record is committed, a complete 2xx response (the exact
 *   bytes the client got) is stored under the request's key.
 */
import type { Logger } from '../log.js';
import type { Guard, GuardedCall } from '../proxy/guards.js';
import { requestKey } from './request-key.js';
import type { ResponseCache } from './store.js';

export const CACHE_HEADER = 'x-llmdev-cache';

export interface CacheGuardOptions {
  cache: ResponseCache;
  /** `cache.enabled`: on unless a request says off. */
  enabled: boolean;
  /** Epoch milliseconds. */
  now: () => number;
  log: Logger;
}

/** Whether the cache applies to this call: the request's `x-llmdev-cache: on|off`, else the config. */
export function cacheWanted(header: string | string[] | undefined, enabled: boolean): boolean {
  const value = typeof header === 'string' ? header.trim().toLowerCase() : '';
  if (value === 'on') return true;
  if (value === 'off') return false;
  return enabled;
}

export function cacheGuard({ cache, enabled, now, log }: CacheGuardOptions): Guard {
  return {
    name: 'cache',
    admit(call: GuardedCall) {
      if (!cacheWanted(call.headers[CACHE_HEADER], enabled)) return {};
      const key = requestKey(call);
      const hit = cache.get(key, now());
      if (hit) {
        return {
          answer: {
            source: 'cache',
            status: hit.status,
            contentType: hit.contentType,
            body: hit.body,
            usage: hit.usage,
            estimated: hit.estimated,
            responseModel: hit.model,
            systemFingerprint: hit.systemFingerprint,
            savedUsd: hit.costUsd,
            headers: { [CACHE_HEADER]: 'hit' },
          },
        };
      }
      return {
        headers: { [CACHE_HEADER]: 'miss' },
        capture: true,
        settle(record, response) {
          if (!record || !response || record.status >= 300 || record.error !== null) return;
          try {
            cache.put(
              {
                key,
                recordId: record.id,
                provider: record.provider,
                // What a hit reports as its response model: the one the provider answered with.
                model: record.responseModel ?? record.model,
                status: response.status,
                contentType: response.contentType,
                body: response.body,
                usage: record.usage,
                estimated: record.estimated,
                systemFingerprint: record.systemFingerprint,
                costUsd: record.costUsd,
              },
              now(),
            );
          } catch (error) {
            log.error('response cache: could not store an entry', { id: record.id, error });
          }
        },
      };
    },
  };
}
