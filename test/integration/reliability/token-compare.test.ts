/**
 * The access token is compared in constant time: whatever the presented token's length, the
 * middleware compares two 32-byte SHA-256 digests with crypto.timingSafeEqual (never `===`, never
 * an early exit on the first header), and its verdict is timingSafeEqual's. Checked by watching the
 * calls node:crypto receives; no timing is measured.
 */
import { jest } from '@jest/globals';

const crypto = await import('node:crypto');
const timingSafeEqual = jest.fn(crypto.timingSafeEqual);
jest.unstable_mockModule('node:crypto', () => ({ ...crypto, default: crypto, timingSafeEqual }));
const { digestToken, requireToken } = await import('../../../src/sidecar/http/middleware/require-token.js');

const TOKEN = 'the-real-token-0123456789abcdef';

function attempt(headers: Record<string, string>): boolean {
  let passed = false;
  const ctx = {
    req: { headers },
    res: { writeHead: () => undefined, end: () => undefined },
    format: 'openai',
  } as unknown as Parameters<ReturnType<typeof requireToken>>[0];
  void requireToken({ tokenDigest: () => digestToken(TOKEN), howToSet: '' })(ctx, async () => {
    passed = true;
  });
  return passed;
}

it.each([
  ['the token', { authorization: `Bearer ${TOKEN}` }, true, 1],
  ['as x-api-key', { 'x-api-key': TOKEN }, true, 1],
  ['a one-character token', { authorization: 'Bearer x' }, false, 1],
  ['a token one character short', { authorization: `Bearer ${TOKEN.slice(0, -1)}` }, false, 1],
  ['a 10 kB token', { authorization: `Bearer ${'y'.repeat(10_000)}` }, false, 1],
  ['non-ASCII', { authorization: 'Bearer jeton-\u00e9\u00e8-\u{1f511}' }, false, 1],
  ['a wrong header and the right one', { authorization: 'Bearer wrong', 'x-api-key': TOKEN }, true, 2],
  ['the right header and a wrong one', { authorization: `Bearer ${TOKEN}`, 'x-api-key': 'wrong' }, true, 2],
])('%s: timingSafeEqual on two 32-byte digests decides', (_, headers, accepted, comparisons) => {
  timingSafeEqual.mockClear();
  expect(attempt(headers)).toBe(accepted);
  expect(timingSafeEqual).toHaveBeenCalledTimes(comparisons);
  for (const [a, b] of timingSafeEqual.mock.calls) {
    expect([(a as Buffer).length, (b as Buffer).length]).toEqual([32, 32]);
  }
  expect(timingSafeEqual.mock.results.some((r) => r.value === true)).toBe(accepted);
});

it('no token at all: nothing to compare, refused', () => {
  timingSafeEqual.mockClear();
  expect(attempt({})).toBe(false);
  expect(timingSafeEqual).not.toHaveBeenCalled();
});
