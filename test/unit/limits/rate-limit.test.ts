import { MAX_BUCKETS, rateLimitGuard, TokenBucket } from '../../../src/sidecar/limits/rate-limit.js';
import { admit } from '../../../src/sidecar/proxy/guards.js';
import { guardedCall } from '../../helpers/guarded-call.js';

describe('TokenBucket', () => {
  it('lets a burst up to capacity through, then refills at the rate', () => {
    const bucket = new TokenBucket(3, 3 / 60_000, 0); // 3 per minute
    expect([bucket.take(0), bucket.take(0), bucket.take(0)].every((t) => t.ok)).toBe(true);
    expect(bucket.take(0)).toEqual({ ok: false, retryAfterMs: 20_000 });
    expect(bucket.take(19_999).ok).toBe(false);
    expect(bucket.take(20_000 + 19_999 + 1).ok).toBe(true);
    expect(bucket.full(1_000_000)).toBe(true);
  });

  it('a clock stepping back refills nothing', () => {
    const bucket = new TokenBucket(1, 1 / 1000, 10_000);
    expect(bucket.take(10_000).ok).toBe(true);
    expect(bucket.take(5_000).ok).toBe(false);
  });
});

describe('rateLimitGuard', () => {
  const chat = (caller: string, headers: Record<string, string> = {}) =>
    guardedCall('openai.chat', { model: 'gpt-4o-mini', messages: [] }, { caller, headers });

  it('429 rate_limit_exceeded with retry-after once a caller passes requestsPerMinute', async () => {
    let now = 0;
    const guard = rateLimitGuard({ requestsPerMinute: 2, now: () => now });
    expect(await admit([guard], chat('a', { authorization: 'Bearer junk-1' }))).toEqual({ settles: [] });
    // Keyed by the token auth matched (the caller), not by headers a client can vary.
    expect(await admit([guard], chat('a', { authorization: 'Bearer junk-2' }))).toEqual({ settles: [] });
    const refused = await admit([guard], chat('a', { authorization: 'Bearer junk-3' }));
    expect(refused).toEqual({
      rejected: {
        status: 429,
        kind: 'rate_limited',
        code: 'rate_limit_exceeded',
        message:
          'Rate limit: more than 2 requests per minute with this llmdev access token (limits.requestsPerMinute in llmdev.config.yaml). Retry in 30 s, or raise limits.requestsPerMinute.',
        headers: { 'retry-after': '30', 'retry-after-ms': '30000' },
      },
    });
    // Another caller (token) has its own bucket.
    expect(await admit([guard], chat('b'))).toEqual({ settles: [] });
    now = 30_000;
    expect(await admit([guard], chat('a'))).toEqual({ settles: [] });
  });

  it(`keeps at most ${MAX_BUCKETS} buckets: past the bound the oldest caller's is dropped`, async () => {
    const guard = rateLimitGuard({ requestsPerMinute: 1, now: () => 0 });
    const spent = async (caller: string) => 'rejected' in (await admit([guard], chat(caller)));
    // Every caller spends its one request, so no bucket is full and none is swept early.
    for (let caller = 0; caller < MAX_BUCKETS; caller++) expect(await spent(`c${caller}`)).toBe(false);
    expect(await spent('c0')).toBe(true); // MAX_BUCKETS buckets: c0's is still held
    expect(await spent(`c${MAX_BUCKETS}`)).toBe(false); // one more: c0's bucket (the oldest) goes
    expect(await spent('c1')).toBe(true);
    expect(await spent('c0')).toBe(false); // forgotten, so c0 starts afresh
  });
});
