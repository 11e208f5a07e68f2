import fc from 'fast-check';
import { canonicalForm, requestKey } from '../../../src/sidecar/cache/request-key.js';
import { guardedCall } from '../../helpers/guarded-call.js';

/** The same object with its keys in reverse insertion order, at every depth. */
function reversed(value: unknown): unknown {
  if (Array.isArray(value)) return value.map(reversed);
  if (value === null || typeof value !== 'object') return value;
  return Object.fromEntries(
    Object.entries(value)
      .reverse()
      .map(([key, item]) => [key, reversed(item)]),
  );
}

describe('canonicalForm', () => {
  it('sorts keys at every depth, keeps array order, length-prefixes strings', () => {
    expect(canonicalForm({ b: 1, a: { d: [3, { z: true, y: 'ab' }], c: null }, u: undefined })).toBe(
      '{s1:a{s1:cns1:d[d3;{s1:ys2:abs1:zt}]}s1:bd1;}',
    );
  });

  it('property: the same value in any key order encodes alike', () => {
    fc.assert(
      fc.property(fc.jsonValue(), (value) => {
        expect(canonicalForm(reversed(value))).toBe(canonicalForm(value));
      }),
    );
  });

  it('property: different values never encode alike', () => {
    const json = fc.jsonValue({ maxDepth: 3 });
    fc.assert(
      fc.property(json, json, (a, b) => {
        expect(canonicalForm(a) === canonicalForm(b)).toBe(canonicalEqual(a, b));
      }),
    );
    // Strings that would collide if they were only concatenated.
    expect(canonicalForm(['ab', 'c'])).not.toBe(canonicalForm(['a', 'bc']));
    expect(canonicalForm({ a: 's1:b' })).not.toBe(canonicalForm({ 'a"': 'b' }));
  });
});

/** Equal as JSON values, ignoring key order (what the encoding is meant to identify). */
function canonicalEqual(a: unknown, b: unknown): boolean {
  const sorted = (value: unknown): unknown => {
    if (Array.isArray(value)) return value.map(sorted);
    if (value === null || typeof value !== 'object') return value;
    return Object.fromEntries(
      Object.keys(value)
        .sort()
        .map((key) => [key, sorted((value as Record<string, unknown>)[key])]),
    );
  };
  return JSON.stringify(sorted(a)) === JSON.stringify(sorted(b));
}

describe('requestKey', () => {
  const body = { model: 'claude-sonnet-4-5', max_tokens: 10, messages: [{ role: 'user', content: 'hi' }] };

  it('is the same for the same request, whatever the key order, token or llmdev headers', () => {
    const a = guardedCall('anthropic.messages', body, {
      headers: { 'x-api-key': 'one', 'anthropic-version': '2023-06-01' },
    });
    const b = guardedCall('anthropic.messages', reversed(body) as Record<string, unknown>, {
      headers: {
        'x-api-key': 'two',
        'anthropic-version': '2023-06-01',
        'x-llmdev-tags': 'a=b',
        'x-llmdev-cache': 'on',
      },
    });
    expect(requestKey(a)).toMatch(/^[0-9a-f]{64}$/);
    expect(requestKey(b)).toBe(requestKey(a));
  });

  it('stays the same across versions (cached answers stored in usage.db are keyed by it)', () => {
    const json = {
      model: 'claude-sonnet-4-5',
      max_tokens: 10,
      system: 'be brief',
      messages: [
        { role: 'user', content: [{ type: 'text', text: 'hi é', cache_control: { type: 'ephemeral' } }] },
      ],
      metadata: { user_id: 'u', b: 1, a: [true, null, 2.5] },
    };
    const call = guardedCall('anthropic.messages', json, { headers: { 'anthropic-version': '2023-06-01' } });
    expect(requestKey(call)).toBe('8316c90addae4b924e938d4af6bb8e22ef326212886b3686f55aaffc064533ae');
  });

  it('sorts keys as Array.prototype.sort does, small objects and large', () => {
    const keys = [
      'b',
      'B',
      'a',
      '_',
      'é',
      'aa',
      '10',
      '9',
      'Z',
      ...Array.from({ length: 20 }, (_, i) => `k${i}`),
    ];
    for (const count of [3, 9, keys.length]) {
      const object = Object.fromEntries(keys.slice(0, count).map((key) => [key, 1]));
      const expected = `{${[...keys.slice(0, count)]
        .sort()
        .map((key) => `s${key.length}:${key}d1;`)
        .join('')}}`;
      expect(canonicalForm(object)).toBe(expected);
    }
  });

  it('differs by body, endpoint and the headers that change the answer', () => {
    const base = requestKey(guardedCall('anthropic.messages', body));
    expect(requestKey(guardedCall('anthropic.messages', { ...body, max_tokens: 11 }))).not.toBe(base);
    expect(
      requestKey(guardedCall('anthropic.messages', body, { headers: { 'anthropic-beta': 'x' } })),
    ).not.toBe(base);
    const mocked = { ...guardedCall('anthropic.messages', body), mode: 'mock' as const };
    expect(requestKey(mocked)).not.toBe(base);
    const chat = { model: 'gpt-4o', messages: body.messages };
    expect(requestKey(guardedCall('openai.chat', chat))).not.toBe(
      requestKey(guardedCall('openai.responses', chat)),
    );
  });
});
