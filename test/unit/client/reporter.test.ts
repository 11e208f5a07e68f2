/**
 * The direct-mode usage queue, against a scripted network (the sidecar's real ingest is covered by
 * test/integration/client/direct.test.ts): batching, retries with backoff, retry-after, the bound
 * (oldest dropped, one warning), permanent refusals, and that reporting never blocks.
 */
import { createUsageReporter, retryAfterMs, type UsageReport } from '../../../src/client/reporter.js';
import { Secret } from '../../../src/client/secret.js';

const TOKEN = new Secret('llmdev-token-0123456789abcdef', 'test');

interface Sent {
  ids: string[];
  authorization: string | null;
}

/** A network that answers each POST with the next scripted step (the last one repeats). */
function network(...steps: (number | 'down' | 'hang' | { status: number; retryAfter: string })[]) {
  const sent: Sent[] = [];
  let call = 0;
  const fetch = async (_url: string | URL | Request, init?: RequestInit): Promise<Response> => {
    const step = steps[Math.min(call++, steps.length - 1)];
    const body = JSON.parse(String(init?.body)) as { records: { id: string }[] };
    const headers = new Headers(init?.headers);
    if (step === 'down') throw new TypeError('fetch failed', { cause: { code: 'ECONNREFUSED' } });
    if (step === 'hang') return new Promise<Response>(() => {});
    sent.push({ ids: body.records.map((r) => r.id), authorization: headers.get('authorization') });
    if (typeof step === 'object') {
      return new Response('{}', { status: step.status, headers: { 'retry-after': step.retryAfter } });
    }
    const status = step ?? 202;
    const text = status === 400 ? '{"error":{"message":"Invalid usage record: usage: required"}}' : '{}';
    return new Response(text, { status });
  };
  return { fetch: fetch as typeof globalThis.fetch, sent, calls: () => call };
}

const record = (n: number): UsageReport => ({
  id: `rec-${n}`,
  provider: 'openai',
  model: 'gpt-4o-mini',
  usage: { inputTokens: n, outputTokens: 1 },
});

function reporter(fetch: typeof globalThis.fetch, options: Record<string, unknown> = {}) {
  const warnings: string[] = [];
  const r = createUsageReporter({
    url: 'http://sidecar.test:4100/',
    token: TOKEN,
    fetch,
    batchDelayMs: 1,
    retryInitialMs: 5,
    retryMaxMs: 40,
    exitFlushMs: 0,
    warn: (message) => warnings.push(message),
    ...options,
  });
  return { r, warnings };
}

describe('usage reporter', () => {
  it('sends in batches with the token, each record with its client id', async () => {
    const net = network(202);
    const { r } = reporter(net.fetch, { batchSize: 100 });
    for (let i = 0; i < 250; i++) r.report(record(i));
    r.report({
      provider: 'anthropic',
      model: 'claude-haiku-4-5',
      usage: { inputTokens: 1, outputTokens: 1 },
    });
    const stats = await r.flush();
    expect(stats).toEqual({ pending: 0, sent: 251, dropped: 0, rejected: 0, failedAttempts: 0 });
    expect(net.sent.map((batch) => batch.ids.length)).toEqual([100, 100, 51]);
    expect(net.sent[0]?.authorization).toBe(`Bearer ${TOKEN.reveal()}`);
    const ids = net.sent.flatMap((batch) => batch.ids);
    expect(new Set(ids).size).toBe(251);
    expect(ids.at(-1)).toMatch(/^[0-9a-f-]{36}$/); // a generated UUID when the caller gave none
  });

  it('retries a failed send with the same ids until it is delivered, warning once', async () => {
    const net = network('down', 503, 'down', 202);
    const { r, warnings } = reporter(net.fetch);
    r.report(record(1));
    r.report(record(2));
    const stats = await r.flush();
    expect(stats).toMatchObject({ pending: 0, sent: 2, failedAttempts: 3 });
    expect(net.sent.map((batch) => batch.ids)).toEqual([
      ['rec-1', 'rec-2'],
      ['rec-1', 'rec-2'],
    ]);
    expect(warnings).toEqual([
      'llmdev: cannot report usage to http://sidecar.test:4100/v1/usage (ECONNREFUSED); 2 record(s) kept, retrying in the background',
    ]);
  });

  it('waits what retry-after says instead of its own backoff', async () => {
    // Own backoff would wait 30 s (random() = 1 at a 30 s initial delay): far past the flush timeout.
    const net = network({ status: 429, retryAfter: '0.02' }, 202);
    const { r } = reporter(net.fetch, { retryInitialMs: 30_000, retryMaxMs: 30_000, random: () => 1 });
    r.report(record(1));
    const stats = await r.flush({ timeoutMs: 5000 });
    expect(stats).toMatchObject({ pending: 0, sent: 1, failedAttempts: 1 });
  });

  it('keeps at most maxQueue records while the sidecar is down: drops the oldest, warns once', async () => {
    let up = false;
    const net = network(202);
    const fetch: typeof globalThis.fetch = (url, init) =>
      up ? net.fetch(url, init) : Promise.reject(new TypeError('fetch failed'));
    const { r, warnings } = reporter(fetch, { maxQueue: 3, batchSize: 2 });
    for (let i = 1; i <= 7; i++) r.report(record(i));
    await r.flush({ timeoutMs: 50 });
    expect(r.stats()).toMatchObject({ pending: 3, dropped: 4, sent: 0 });
    expect(warnings.filter((w) => w.includes('queue full'))).toHaveLength(1);
    up = true;
    expect(await r.flush()).toMatchObject({ pending: 0, sent: 3, dropped: 4 });
    expect(net.sent.flatMap((batch) => batch.ids).sort()).toEqual(['rec-5', 'rec-6', 'rec-7']);
  });

  it('drops the oldest even when reports arrive while a batch is in flight and then fails', async () => {
    let failInFlight: (() => void) | undefined;
    let up = false;
    const net = network(202);
    const fetch: typeof globalThis.fetch = (url, init) => {
      if (up) return net.fetch(url, init);
      return new Promise<Response>((_resolve, reject) => {
        failInFlight = () => reject(new TypeError('fetch failed'));
      });
    };
    const { r } = reporter(fetch, { maxQueue: 5, batchSize: 5, retryInitialMs: 10_000 });
    for (let i = 0; i < 5; i++) r.report(record(i));
    while (!failInFlight) await new Promise((resolve) => setTimeout(resolve, 1));
    for (let i = 5; i < 8; i++) r.report(record(i)); // rec-0..4 are out: these are the newest
    failInFlight();
    await new Promise((resolve) => setTimeout(resolve, 5));
    expect(r.stats()).toMatchObject({ pending: 5, dropped: 3 });
    up = true;
    expect(await r.flush()).toMatchObject({ pending: 0, sent: 5, dropped: 3 });
    expect(net.sent.flatMap((batch) => batch.ids).sort()).toEqual([
      'rec-3',
      'rec-4',
      'rec-5',
      'rec-6',
      'rec-7',
    ]);
  });
  it('does not retry what the sidecar refuses as invalid, and says why', async () => {
    const net = network(400);
    const { r, warnings } = reporter(net.fetch);
    r.report(record(1));
    expect(await r.flush()).toMatchObject({ pending: 0, sent: 0, rejected: 1, failedAttempts: 0 });
    expect(net.calls()).toBe(1);
    expect(warnings).toEqual([
      'llmdev: the sidecar refused 1 usage record(s) with HTTP 400: Invalid usage record: usage: required',
    ]);
  });

  it('never blocks the caller: report returns at once even when the sidecar hangs', async () => {
    const net = network('hang');
    const { r } = reporter(net.fetch, { requestTimeoutMs: 60_000 });
    for (let i = 0; i < 1000; i++) r.report(record(i));
    expect(r.stats().pending).toBe(1000);
    expect((await r.flush({ timeoutMs: 20 })).pending).toBe(1000);
  });

  it('drops reports after close, and close flushes first', async () => {
    const net = network(202);
    const { r } = reporter(net.fetch);
    r.report(record(1));
    expect(await r.close()).toMatchObject({ sent: 1, pending: 0 });
    r.report(record(2));
    expect(r.stats()).toMatchObject({ sent: 1, dropped: 1, pending: 0 });
  });

  it('never puts the token in a warning', async () => {
    const leaky: typeof globalThis.fetch = async () =>
      new Response(JSON.stringify({ error: { message: `bad token ${TOKEN.reveal()}` } }), { status: 401 });
    const { r, warnings } = reporter(leaky);
    r.report(record(1));
    await r.flush();
    expect(warnings.join('\n')).not.toContain(TOKEN.reveal());
    expect(warnings.join('\n')).toContain('HTTP 401: bad token [redacted]');
  });
});

describe('retryAfterMs', () => {
  it('reads seconds and HTTP dates', () => {
    expect(retryAfterMs('2')).toBe(2000);
    expect(retryAfterMs('0.5')).toBe(500);
    expect(retryAfterMs('Wed, 21 Oct 2015 07:28:05 GMT', Date.parse('Wed, 21 Oct 2015 07:28:00 GMT'))).toBe(
      5000,
    );
    expect(retryAfterMs(null)).toBeNull();
    expect(retryAfterMs('soon')).toBeNull();
  });
});
