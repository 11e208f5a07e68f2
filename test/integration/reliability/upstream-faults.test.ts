/**
 * Every upstream fault against both stock SDKs (retries off), streaming and not: 429/500/503,
 * a provider that never answers or stalls mid-stream (sidecar.upstreamTimeoutSeconds: 1 must end
 * it, long before the SDK's own 20 s timeout), a reset connection, a body or stream cut mid-way.
 * Each time the client gets a well-formed error in its provider's format (or a stream that breaks
 * off), the call is recorded with its status and error, and afterwards no upstream exchange is left
 * open, no connection piles up, and no budget reservation or in-flight count remains.
 * (Single behaviours are tested in test/integration/sidecar/faults.test.ts and
 * test/integration/guardrails/budgets.test.ts; this is the whole matrix, with the leak checks.)
 */
import Anthropic from '@anthropic-ai/sdk';
import { jest } from '@jest/globals';
import OpenAI from 'openai';
import { call, eventually, type Harness, startHarness } from '../sidecar/harness.js';

jest.setTimeout(5 * 60_000);

const FAULTS = ['error-429', 'error-500', 'error-503', 'stall', 'stall-mid', 'reset', 'cut'] as const;
type Fault = (typeof FAULTS)[number];
const CASES = (['openai', 'anthropic'] as const).flatMap((provider) =>
  [false, true].flatMap((stream) => FAULTS.map((fault) => ({ provider, stream, fault }))),
);

/** What the client must see: an SDK error with this status, or a stream that breaks off. */
function expectedClientOutcome(fault: Fault, stream: boolean): number | 'stream breaks' {
  if (fault.startsWith('error-')) return Number(fault.slice(6));
  if (fault === 'stall' || (fault === 'stall-mid' && !stream)) return 504;
  if (fault === 'reset' || (fault === 'cut' && !stream)) return 502;
  return 'stream breaks';
}

/** The status recorded for the call. */
const expectedRecordStatus = (fault: Fault) =>
  fault.startsWith('error-') ? Number(fault.slice(6)) : fault.startsWith('stall') ? 504 : 502;

let h: Harness;
beforeAll(async () => {
  h = await startHarness({
    config: {
      sidecar: { upstreamTimeoutSeconds: 1 },
      budgets: [{ scope: 'total', period: 'month', limitUsd: 1000, action: 'block' }],
    },
  });
});
afterAll(() => h.close());

interface Result {
  outcome: number | 'stream breaks';
  requestId: string | null;
  ms: number;
}

async function runCase(provider: 'openai' | 'anthropic', stream: boolean, fault: Fault): Promise<Result> {
  const options = { headers: { 'x-fake-scenario': fault }, timeout: 20_000, maxRetries: 0 };
  const started = performance.now();
  const done = (outcome: Result['outcome'], requestId: string | null): Result => ({
    outcome,
    requestId,
    ms: performance.now() - started,
  });
  const fromError = (error: unknown): Result => {
    const isApiError = error instanceof OpenAI.APIError || error instanceof Anthropic.APIError;
    if (!isApiError || error.status === undefined) throw error; // a timeout or connection error: the sidecar failed
    // The body is the provider's own error shape, as the SDK parsed it.
    if (provider === 'openai')
      expect((error as InstanceType<typeof OpenAI.APIError>).error).toMatchObject({
        message: expect.any(String),
      });
    else
      expect((error as InstanceType<typeof Anthropic.APIError>).error).toMatchObject({
        type: 'error',
        error: { type: expect.any(String), message: expect.any(String) },
      });
    return done(error.status, error.headers?.get?.('x-llmdev-request-id') ?? null);
  };
  /** A cut stream must break the client's iteration, not end it as if complete. */
  const readToBreak = async (data: AsyncIterable<unknown>, response: Response): Promise<Result> => {
    try {
      for await (const _ of data) {
        // read to the break
      }
    } catch {
      return done('stream breaks', response.headers.get('x-llmdev-request-id'));
    }
    throw new Error('the stream ended normally');
  };
  try {
    if (provider === 'openai') {
      const body = { model: 'gpt-4o-mini', messages: [{ role: 'user' as const, content: `fault ${fault}` }] };
      if (!stream) {
        await h.openai.chat.completions.create(body, options);
        throw new Error('the call succeeded');
      }
      const { data, response } = await h.openai.chat.completions
        .create({ ...body, stream: true }, options)
        .withResponse();
      return await readToBreak(data, response);
    }
    const body = {
      model: 'claude-sonnet-4-20250514',
      max_tokens: 50,
      messages: [{ role: 'user' as const, content: `fault ${fault}` }],
    };
    if (!stream) {
      await h.anthropic.messages.create(body, options);
      throw new Error('the call succeeded');
    }
    const { data, response } = await h.anthropic.messages
      .create({ ...body, stream: true }, options)
      .withResponse();
    return await readToBreak(data, response);
  } catch (error) {
    return fromError(error);
  }
}

it('answers every fault well-formed, records it, and leaves no exchange, connection or reservation behind', async () => {
  const abandonedBefore = h.fake.abandoned();
  const rows: string[] = [];
  for (const { provider, stream, fault } of CASES) {
    const result = await runCase(provider, stream, fault);
    expect({ provider, stream, fault, outcome: result.outcome }).toEqual({
      provider,
      stream,
      fault,
      outcome: expectedClientOutcome(fault, stream),
    });
    expect(result.requestId).toEqual(expect.any(String));
    const record = await eventually(
      () => h.records().find((r) => r.id === result.requestId),
      `the record of ${provider} ${fault}`,
    );
    expect(record).toMatchObject({
      provider,
      stream,
      status: expectedRecordStatus(fault),
      error: expect.any(String),
    });
    if (fault.startsWith('stall')) expect(record.error).toContain('upstreamTimeoutSeconds');
    rows.push(
      `  ${provider.padEnd(9)} ${(stream ? 'stream' : 'json').padEnd(6)} ${fault.padEnd(9)} client: ${String(result.outcome).padEnd(13)} record: ${record.status}  ${result.ms.toFixed(0).padStart(5)} ms`,
    );
  }

  // Every exchange the provider did not finish is closed (none left open to time out later)...
  const cutShort = CASES.filter(({ fault }) => !fault.startsWith('error-')).length;
  await eventually(() => h.fake.abandoned() - abandonedBefore === cutShort, 'the cut exchanges to close');
  // ...and connections do not pile up: sequential calls reuse one kept-alive socket each way.
  const upstreamSockets = h.fake.openConnections();
  const clientSockets = await new Promise<number>((resolve, reject) =>
    h.sidecar.server.getConnections((error, count) => (error ? reject(error) : resolve(count))),
  );
  const budgets = (await (await call(h, '/v1/budgets')).json()) as {
    budgets: { reservedUsd: number; inFlight: number; spentUsd: number }[];
  };
  console.log(
    [
      `upstream faults: ${CASES.length} calls through the stock SDKs (retries off), upstreamTimeoutSeconds 1`,
      ...rows,
      `  after: upstream exchanges closed ${h.fake.abandoned() - abandonedBefore}/${cutShort}; open sockets to the provider ${upstreamSockets}, from the clients ${clientSockets}; budget reserved ${budgets.budgets[0]?.reservedUsd} USD, in flight ${budgets.budgets[0]?.inFlight}`,
    ].join('\n'),
  );
  expect(upstreamSockets).toBeLessThanOrEqual(2);
  expect(clientSockets).toBeLessThanOrEqual(4);
  expect(budgets.budgets).toHaveLength(1);
  expect(budgets.budgets[0]).toMatchObject({ reservedUsd: 0, inFlight: 0 });
});
