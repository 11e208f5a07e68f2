/**
 * `POST /v1/usage` under fuzz: records and batches with every field valid or not, unknown fields,
 * arbitrary JSON, non-objects. The only answers are 202 `{accepted, duplicates}` (and exactly that
 * many new records stored) or 400 with a message and, for a JSON object, field-level issues.
 */
import { jest } from '@jest/globals';
import fc from 'fast-check';
import { call, type Harness, startHarness } from '../sidecar/harness.js';

jest.setTimeout(120_000);

let h: Harness;
beforeAll(async () => {
  h = await startHarness();
});
afterAll(() => h.close());

const stored = () => h.sidecar.store.queries.summary({}).totals.requests;

const maybe = <T>(valid: fc.Arbitrary<T>, invalid: fc.Arbitrary<unknown>) =>
  fc.oneof({ weight: 30, arbitrary: valid }, { weight: 1, arbitrary: invalid });
const junk = fc.oneof(
  fc.jsonValue({ maxDepth: 2 }),
  fc.constantFrom(-1, 1.5, '', 'x'.repeat(5000), null, [], {}),
);

const usage = fc.record(
  {
    inputTokens: maybe(fc.nat(1e6), junk),
    outputTokens: maybe(fc.nat(1e6), junk),
    cachedInputTokens: maybe(fc.nat(100), junk),
    reasoningTokens: maybe(fc.nat(100), junk),
  },
  { requiredKeys: ['inputTokens', 'outputTokens'] },
);

const record = fc.record(
  {
    id: maybe(fc.uuid(), fc.oneof(fc.string({ maxLength: 3 }), fc.constant('x'.repeat(200)), junk)),
    ts: maybe(
      fc
        .date({ min: new Date('2020-01-01'), max: new Date('2030-01-01'), noInvalidDate: true })
        .map((d) => d.toISOString()),
      fc.string(),
    ),
    provider: maybe(fc.constantFrom('openai', 'anthropic'), fc.string()),
    model: maybe(fc.constantFrom('gpt-4o-mini', 'claude-3-5-haiku-latest', 'unpriced-model'), junk),
    endpoint: maybe(fc.constantFrom('/v1/chat/completions', 'direct'), junk),
    stream: maybe(fc.boolean(), junk),
    usage: maybe(usage, junk),
    latencyMs: maybe(fc.double({ min: 0, max: 1e5, noNaN: true }), junk),
    status: maybe(fc.integer({ min: 100, max: 599 }), fc.integer()),
    error: maybe(fc.string({ maxLength: 50 }), junk),
    estimated: maybe(fc.boolean(), junk),
    tags: maybe(
      fc.dictionary(fc.string({ minLength: 1, maxLength: 10 }), fc.string({ maxLength: 20 }), { maxKeys: 4 }),
      junk,
    ),
    prompt: maybe(fc.constantFrom('summarize@v1', 'a@b'), fc.constantFrom('nope', '@', 'a@b@c', '')),
    params: maybe(
      fc.record(
        { temperature: fc.double({ min: 0, max: 2, noNaN: true }), seed: fc.integer() },
        { requiredKeys: [] },
      ),
      junk,
    ),
  },
  { requiredKeys: ['provider', 'model', 'usage'] },
);
/** Sometimes with a field the schema does not know (refused: the schema is strict). */
const recordArb = fc
  .tuple(record, fc.oneof({ weight: 12, arbitrary: fc.constant(null) }, { weight: 1, arbitrary: junk }))
  .map(([fields, extra]) => (extra === null ? fields : { ...fields, unknownField: extra }));

const body = fc.oneof(
  { weight: 4, arbitrary: recordArb },
  { weight: 3, arbitrary: fc.record({ records: fc.array(recordArb, { minLength: 1, maxLength: 6 }) }) },
  { weight: 1, arbitrary: fc.record({ records: junk }) },
  { weight: 1, arbitrary: fc.jsonValue({ maxDepth: 3 }) },
);

it('answers only 202 (storing exactly the new records) or 400 with field-level messages', async () => {
  const answers = { 202: 0, 400: 0 };
  let tried = 0;
  await fc.assert(
    fc.asyncProperty(body, async (input) => {
      tried++;
      const before = stored();
      const res = await call(h, '/v1/usage', { method: 'POST', body: JSON.stringify(input) });
      expect([202, 400]).toContain(res.status);
      answers[res.status as 202 | 400]++;
      const answer = (await res.json()) as {
        accepted?: number;
        duplicates?: number;
        error?: { message: string; type: string };
        issues?: { path: string; message: string }[];
      };
      if (res.status === 202) {
        expect(answer.accepted).toBeGreaterThan(0);
        expect(stored() - before).toBe((answer.accepted ?? 0) - (answer.duplicates ?? 0));
        return;
      }
      expect(stored()).toBe(before);
      expect(answer.error?.type).toBe('invalid_request_error');
      expect(answer.error?.message.length).toBeGreaterThan(0);
      if (input !== null && typeof input === 'object' && !Array.isArray(input)) {
        expect(answer.issues?.length).toBeGreaterThan(0);
        for (const issue of answer.issues ?? []) {
          expect(typeof issue.path).toBe('string');
          expect(issue.message.length).toBeGreaterThan(0);
        }
      }
    }),
    { numRuns: 1500 },
  );
  console.log(
    `[fuzz] ingest validation: ${tried} bodies, ${answers[202]} accepted (202), ${answers[400]} refused (400)`,
  );
  expect(answers[202]).toBeGreaterThan(0);
});
