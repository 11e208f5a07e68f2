/**
 * Property tests for the input shapes of issue 16 (the findings themselves are replayed against a
 * real sidecar in test/integration/reliability/hostile-input.test.ts): time bounds, bucket counts,
 * duplicate keys and depth in raw JSON, guarded field types, Host names, model-id paths, bounded
 * token counts, and redaction of every stored string.
 */
import fc from 'fast-check';
import { parseTimeBound } from '../../../src/sidecar/api/time-range.js';
import { bucketCount, bucketStarts } from '../../../src/sidecar/dashboard/series.js';
import { allowedHostNames, hostAllowed } from '../../../src/sidecar/http/host-allow.js';
import { scanJson } from '../../../src/sidecar/http/json-scan.js';
import { guardedFieldProblem } from '../../../src/sidecar/limits/guarded-fields.js';
import { MODEL_ID } from '../../../src/sidecar/proxy/routes.js';
import { redactStrings } from '../../../src/sidecar/store/redacted.js';
import { boundedCounter, countTokens } from '../../../src/usage/tokenizer.js';

const NOW = new Date('2025-06-15T12:00:00Z');

describe('time bounds', () => {
  it('never throw; every accepted value is a plain ISO time from 1970 to 9999', () => {
    const value = fc.oneof(
      fc.string(),
      fc
        .tuple(fc.bigInt({ min: 0n, max: 10n ** 15n }), fc.constantFrom('m', 'h', 'd'))
        .map(([n, u]) => `${n}${u}`),
      fc.date({ noInvalidDate: true }).map((d) => d.toISOString()),
      fc
        .tuple(fc.integer({ min: 0, max: 99_999 }), fc.integer({ min: 1, max: 12 }))
        .map(([y, m]) => `${String(y).padStart(4, '0')}-${String(m).padStart(2, '0')}-01`),
    );
    fc.assert(
      fc.property(value, (text) => {
        const parsed = parseTimeBound('since', text, NOW);
        if (parsed.ok) {
          expect(parsed.value).toMatch(/^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}\.\d{3}Z$/);
          expect(parsed.value >= '1970-01-01' && parsed.value <= '9999-12-31T23:59:59.999Z').toBe(true);
        } else expect(parsed.message).toMatch(/^since: expected /);
      }),
      { numRuns: 3000 },
    );
  });

  it('bucketCount is what bucketStarts builds, computed without building it', () => {
    const time = fc.integer({ min: 0, max: 4_000_000_000_000 });
    fc.assert(
      fc.property(
        time,
        fc.integer({ min: -86_400_000, max: 40 * 86_400_000 }),
        fc.constantFrom('hour', 'day'),
        (since, span, bucket) => {
          const [from, to] = [new Date(since), new Date(since + span)];
          expect(bucketCount(from, to, bucket as 'hour' | 'day')).toBe(
            bucketStarts(from, to, bucket as 'hour' | 'day').length,
          );
        },
      ),
      { numRuns: 2000 },
    );
    expect(bucketCount(new Date(0), new Date('9999-12-31T00:00:00Z'), 'hour')).toBe(70_389_504);
  });
});

/** A JSON text built from key/value pairs (duplicates allowed), and whether it has a duplicate. */
type Tree = { text: string; duplicate: boolean; depth: number };
const keyName = fc.constantFrom('model', 'max_tokens', 'a', 'é', 'content');
/** A key as written: plain or with its first letter escaped (`\u006d`), which JSON.parse reads alike. */
const written = (key: string, escaped: boolean) =>
  escaped ? `"\\u${key.charCodeAt(0).toString(16).padStart(4, '0')}${key.slice(1)}"` : JSON.stringify(key);
const tree: fc.Arbitrary<Tree> = fc.letrec<{ node: Tree }>((tie) => ({
  node: fc.oneof(
    { depthSize: 'small', withCrossShrink: true },
    fc
      .oneof(
        fc.integer().map(String),
        fc.string().map((v) => JSON.stringify(v)),
        fc.constant('"a \\" {[,:"'),
      )
      .map((text) => ({ text, duplicate: false, depth: 0 })),
    fc.array(tie('node'), { maxLength: 4 }).map((items) => ({
      text: `[${items.map((i) => i.text).join(',')}]`,
      duplicate: items.some((i) => i.duplicate),
      depth: 1 + Math.max(0, ...items.map((i) => i.depth)),
    })),
    fc.array(fc.tuple(keyName, fc.boolean(), tie('node')), { maxLength: 4 }).map((pairs) => ({
      text: `{${pairs.map(([k, e, v]) => `${written(k, e)}: ${v.text}`).join(', ')}}`,
      duplicate: new Set(pairs.map(([k]) => k)).size < pairs.length || pairs.some(([, , v]) => v.duplicate),
      depth: 1 + Math.max(0, ...pairs.map(([, , v]) => v.depth)),
    })),
  ),
})).node;

describe('scanJson', () => {
  it('finds a duplicate key at any level (escaped spellings too) exactly when there is one', () => {
    fc.assert(
      fc.property(tree, (t) => {
        JSON.parse(t.text); // the scan only ever sees what JSON.parse accepted
        const problem = scanJson(Buffer.from(t.text), 1000);
        expect(problem?.kind === 'duplicate').toBe(t.duplicate);
      }),
      { numRuns: 3000 },
    );
  });

  it('refuses nesting past the limit, and nothing within it', () => {
    fc.assert(
      fc.property(tree, fc.integer({ min: 1, max: 6 }), (t, max) => {
        const problem = scanJson(Buffer.from(t.text), max);
        if (t.depth > max) expect(problem?.kind === 'depth' || problem?.kind === 'duplicate').toBe(true);
        else expect(problem?.kind).not.toBe('depth');
      }),
      { numRuns: 3000 },
    );
    expect(scanJson(Buffer.from(`${'['.repeat(100_000)}${']'.repeat(100_000)}`), 64)).toMatchObject({
      kind: 'depth',
    });
  });
});

describe('guarded fields', () => {
  it('an output cap is accepted only as a whole number, 0 or more (or absent, or null)', () => {
    fc.assert(
      fc.property(
        fc.constantFrom('max_tokens', 'max_completion_tokens', 'max_output_tokens', 'n'),
        fc.jsonValue(),
        (field, value) => {
          const ok = value === null || (typeof value === 'number' && Number.isInteger(value) && value >= 0);
          expect(guardedFieldProblem({ [field]: value }) === null).toBe(ok);
        },
      ),
      { numRuns: 2000 },
    );
  });
});

describe('Host names', () => {
  const names = allowedHostNames('usage-logger', ['sidecar.internal']);
  it('any port of an allowed name or an IP literal is answered; other names never are', () => {
    const label = fc.stringMatching(/^[a-z][a-z0-9-]{0,10}$/);
    fc.assert(
      fc.property(
        fc.array(label, { minLength: 1, maxLength: 4 }),
        fc.option(fc.integer({ min: 1, max: 65535 })),
        (labels, port) => {
          const name = labels.join('.');
          const suffix = port === null ? '' : `:${port}`;
          const expected = names.has(name);
          expect(hostAllowed(`${name}${suffix}`, names)).toBe(expected);
          expect(hostAllowed(`${name.toUpperCase()}${suffix}`, names)).toBe(expected);
          expect(hostAllowed(`localhost${suffix}`, names)).toBe(true);
        },
      ),
      { numRuns: 2000 },
    );
    fc.assert(
      fc.property(fc.ipV4(), fc.ipV6(), (v4, v6) => {
        expect(hostAllowed(`${v4}:4100`, names)).toBe(true);
        expect(hostAllowed(`[${v6}]:4100`, names)).toBe(true);
      }),
    );
  });
});

describe('model ids in paths', () => {
  it('never match a dot-segment, a slash or a percent-encoding', () => {
    fc.assert(
      fc.property(fc.string({ maxLength: 40 }), (text) => {
        if (MODEL_ID.test(text)) {
          expect(text).not.toMatch(/[/%\\]/);
          expect(text === '.' || text === '..' || text.startsWith('.')).toBe(false);
        }
      }),
      { numRuns: 3000 },
    );
    for (const id of ['gpt-4.1', 'ft:gpt-4o-mini:org::abc', 'claude-sonnet-4-5-20250929'])
      expect(MODEL_ID.test(id)).toBe(true);
  });
});

describe('bounded token counts', () => {
  it('equal the exact count within the limits, and are never below it past them', () => {
    const text = fc.oneof(
      fc.string({ maxLength: 300 }),
      fc.string({ unit: 'grapheme', maxLength: 300 }),
      fc.stringMatching(/^[a-z]{0,2000}$/),
    );
    fc.assert(
      fc.property(
        fc.array(text, { maxLength: 6 }),
        fc.integer({ min: 0, max: 2000 }),
        fc.integer({ min: 0, max: 600 }),
        (texts, chars, mergedChars) => {
          const unlimited = boundedCounter('o200k_base', { chars: Infinity, mergedChars: Infinity });
          const bounded = boundedCounter('o200k_base', { chars, mergedChars });
          for (const t of texts) {
            const exact = countTokens(t, 'o200k_base');
            expect(unlimited(t)).toBe(exact);
            expect(bounded(t)).toBeGreaterThanOrEqual(exact);
          }
        },
      ),
      { numRuns: 300 },
    );
  });
});

describe('redaction of stored strings', () => {
  const secret = 'sk-proj-StoredSecretValue0123456789abcdef';
  const redact = (text: string) => text.split(secret).join('[redacted]');
  it('no secret survives anywhere in a record: values, keys, nested lists', () => {
    const withSecret = fc.string({ maxLength: 8 }).map((s) => `${s}${secret}${s}`);
    const leaf = fc.oneof(
      fc.string({ maxLength: 8 }),
      withSecret,
      fc.integer(),
      fc.boolean(),
      fc.constant(null),
    );
    const value = fc.letrec<{ v: unknown }>((tie) => ({
      v: fc.oneof(
        { depthSize: 'small' },
        leaf,
        fc.array(tie('v'), { maxLength: 3 }),
        fc.dictionary(fc.oneof(fc.string({ maxLength: 6 }), withSecret), tie('v'), { maxKeys: 3 }),
      ),
    })).v;
    fc.assert(
      fc.property(value, (v) => {
        const out = JSON.stringify(redactStrings(v, redact)) ?? '';
        expect(out).not.toContain(secret);
      }),
      { numRuns: 2000 },
    );
  });
});
