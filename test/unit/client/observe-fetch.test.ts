/**
 * The direct-mode fetch, against scripted provider answers (wire fixtures): what goes to the
 * provider, what the caller gets back (unchanged), and the usage record for each kind of answer.
 */
import { createObservingFetch } from '../../../src/client/observe-fetch.js';
import type { UsageReport } from '../../../src/client/reporter.js';
import { wireText } from '../../fixtures/wire/index.js';

interface Upstream {
  url: string;
  headers: Headers;
  body: string;
}

function provider(answer: () => Response) {
  const received: Upstream[] = [];
  const fetch = async (input: string | URL | Request, init?: RequestInit) => {
    received.push({ url: String(input), headers: new Headers(init?.headers), body: String(init?.body) });
    return answer();
  };
  return { fetch: fetch as typeof globalThis.fetch, received };
}

function observed(answer: () => Response, prov: 'openai' | 'anthropic' = 'openai') {
  const upstream = provider(answer);
  const reports: UsageReport[] = [];
  let t = 0;
  const fetch = createObservingFetch({
    provider: prov,
    report: (r) => reports.push(r),
    fetch: upstream.fetch,
    clock: () => (t += 10),
    now: () => new Date('2025-06-01T12:00:00Z'),
    knownSecrets: ['sk-proj-theRealKey0123456789abcdefgh'],
  });
  return { fetch, reports, received: upstream.received };
}

const sse = (text: string, chunkSize = 7) =>
  new ReadableStream<Uint8Array>({
    start(controller) {
      const bytes = new TextEncoder().encode(text);
      for (let i = 0; i < bytes.length; i += chunkSize) controller.enqueue(bytes.slice(i, i + chunkSize));
      controller.close();
    },
  });

const jsonHeaders = { 'content-type': 'application/json' };
const sseHeaders = { 'content-type': 'text/event-stream' };
const chatBody = (extra: Record<string, unknown> = {}) =>
  JSON.stringify({
    model: 'gpt-4o',
    messages: [{ role: 'user', content: 'Hi' }],
    temperature: 0.3,
    seed: 7,
    ...extra,
  });

async function until<T>(check: () => T | undefined): Promise<T> {
  for (let i = 0; i < 200; i++) {
    const value = check();
    if (value !== undefined) return value;
    await new Promise((resolve) => setTimeout(resolve, 5));
  }
  throw new Error('timed out');
}

describe('observing fetch', () => {
  it('passes a JSON answer through and reports its exact usage, tags, prompt and params', async () => {
    const { fetch, reports, received } = observed(
      () => new Response(wireText('openai-chat.json'), { headers: jsonHeaders }),
    );
    const response = await fetch('https://api.openai.com/v1/chat/completions', {
      method: 'POST',
      headers: {
        authorization: 'Bearer sk-proj-theRealKey0123456789abcdefgh',
        'x-llmdev-tags': 'feature=search,run=7',
        'x-llmdev-prompt': 'summarize@3+1a2b3c4d',
      },
      body: chatBody(),
    });
    expect(await response.text()).toBe(wireText('openai-chat.json'));
    const [report] = await until(() => (reports.length > 0 ? reports : undefined));
    expect(report).toEqual({
      ts: '2025-06-01T12:00:00.000Z',
      provider: 'openai',
      model: 'gpt-4o',
      endpoint: '/v1/chat/completions',
      stream: false,
      usage: {
        inputTokens: 1234,
        outputTokens: 56,
        cachedInputTokens: 1024,
        cacheWriteTokens: 0,
        cacheWrite1hTokens: 0,
        reasoningTokens: 0,
      },
      latencyMs: expect.any(Number),
      ttfbMs: 10,
      status: 200,
      estimated: false,
      tags: { feature: 'search', run: '7' },
      prompt: 'summarize@3+1a2b3c4d',
      params: { temperature: 0.3, seed: 7 },
      systemFingerprint: 'fp_07871e2ad8',
      responseModel: 'gpt-4o-2024-08-06',
    });
    // The provider never sees our headers; it gets the caller's body and key unchanged.
    const [sent] = received;
    expect([...(sent?.headers.keys() ?? [])].filter((name) => name.startsWith('x-llmdev-'))).toEqual([]);
    expect(sent?.headers.get('authorization')).toBe('Bearer sk-proj-theRealKey0123456789abcdefgh');
    expect(sent?.body).toBe(chatBody());
  });

  it('asks an OpenAI stream for usage and hides the usage chunk from a caller who did not', async () => {
    const { fetch, reports, received } = observed(
      () => new Response(sse(wireText('openai-chat-stream.sse')), { headers: sseHeaders }),
    );
    const response = await fetch('https://api.openai.com/v1/chat/completions', {
      method: 'POST',
      body: chatBody({ stream: true }),
    });
    const text = await response.text();
    expect(JSON.parse(received[0]?.body ?? '{}').stream_options).toEqual({ include_usage: true });
    expect(text).not.toContain('"prompt_tokens"');
    expect(text).toContain('data: [DONE]');
    const expected = wireText('openai-chat-stream.sse')
      .split('\n\n')
      .filter((event) => !event.includes('"prompt_tokens"'))
      .join('\n\n');
    expect(text).toBe(expected);
    expect(reports).toHaveLength(1);
    expect(reports[0]).toMatchObject({
      stream: true,
      status: 200,
      estimated: false,
      usage: { inputTokens: 1234, outputTokens: 56, cachedInputTokens: 1024 },
      systemFingerprint: 'fp_07871e2ad8',
      responseModel: 'gpt-4o-2024-08-06',
    });
  });

  it('passes a stream through byte for byte when the caller asked for usage itself', async () => {
    const { fetch, reports, received } = observed(
      () => new Response(sse(wireText('openai-chat-stream.sse')), { headers: sseHeaders }),
    );
    const body = chatBody({ stream: true, stream_options: { include_usage: true } });
    const response = await fetch('https://api.openai.com/v1/chat/completions', { method: 'POST', body });
    expect(await response.text()).toBe(wireText('openai-chat-stream.sse'));
    expect(received[0]?.body).toBe(body);
    expect(reports[0]?.usage).toMatchObject({ inputTokens: 1234, outputTokens: 56 });
  });

  it('reads Anthropic stream usage (cache reads included in input)', async () => {
    const { fetch, reports } = observed(
      () => new Response(sse(wireText('anthropic-messages-stream.sse'), 5), { headers: sseHeaders }),
      'anthropic',
    );
    const response = await fetch('https://api.anthropic.com/v1/messages', {
      method: 'POST',
      body: JSON.stringify({ model: 'claude-sonnet-4-5', max_tokens: 300, stream: true, messages: [] }),
    });
    expect(await response.text()).toBe(wireText('anthropic-messages-stream.sse'));
    expect(reports[0]).toMatchObject({
      provider: 'anthropic',
      endpoint: '/v1/messages',
      params: { max_tokens: 300 },
      usage: { inputTokens: 2360, cachedInputTokens: 1888, outputTokens: 120 },
      estimated: false,
    });
  });

  it('a stream the caller abandons is recorded (499, estimated), and the provider stream is cancelled', async () => {
    let cancelled = false;
    const endless = new ReadableStream<Uint8Array>({
      start(controller) {
        const first = wireText('openai-chat-stream.sse').split('\n\n').slice(0, 3).join('\n\n');
        controller.enqueue(new TextEncoder().encode(`${first}\n\n`));
      },
      cancel() {
        cancelled = true;
      },
    });
    const { fetch, reports } = observed(() => new Response(endless, { headers: sseHeaders }));
    const response = await fetch('https://api.openai.com/v1/chat/completions', {
      method: 'POST',
      body: chatBody({ stream: true }),
    });
    const reader = response.body?.getReader();
    await reader?.read();
    await reader?.cancel();
    expect(cancelled).toBe(true);
    expect(reports[0]).toMatchObject({ status: 499, estimated: true, error: 'the stream was cancelled' });
    expect(reports[0]?.usage.inputTokens).toBeGreaterThan(0);
  });

  it('reports a provider error with its status and message, secrets masked, and returns it unchanged', async () => {
    const error = JSON.stringify({
      error: {
        message: 'Incorrect API key provided: sk-proj-theRealKey0123456789abcdefgh',
        type: 'invalid_request_error',
      },
    });
    const { fetch, reports } = observed(() => new Response(error, { status: 401, headers: jsonHeaders }));
    const response = await fetch('https://api.openai.com/v1/chat/completions', {
      method: 'POST',
      body: chatBody(),
    });
    expect(response.status).toBe(401);
    expect(await response.text()).toBe(error);
    const [report] = await until(() => (reports.length > 0 ? reports : undefined));
    expect(report).toMatchObject({
      status: 401,
      error: 'Incorrect API key provided: [redacted]',
      usage: { inputTokens: 0, outputTokens: 0 },
    });
  });

  it('a connection failure is reported and rethrown to the SDK (which may retry)', async () => {
    const reports: UsageReport[] = [];
    const fetch = createObservingFetch({
      provider: 'openai',
      report: (r) => reports.push(r),
      fetch: () => Promise.reject(new TypeError('fetch failed', { cause: { code: 'ECONNRESET' } })),
    });
    await expect(
      fetch('https://api.openai.com/v1/chat/completions', { method: 'POST', body: chatBody() }),
    ).rejects.toThrow('fetch failed');
    expect(reports[0]).toMatchObject({ status: 502, error: 'TypeError: fetch failed: ECONNRESET' });
  });

  it('unbilled calls pass through unrecorded, without our headers', async () => {
    const { fetch, reports, received } = observed(
      () => new Response('{"data":[]}', { headers: jsonHeaders }),
    );
    await fetch('https://api.openai.com/v1/models', { headers: { 'x-llmdev-tags': 'a=1' } });
    expect(received[0]?.headers.has('x-llmdev-tags')).toBe(false);
    await new Promise((resolve) => setTimeout(resolve, 20));
    expect(reports).toEqual([]);
  });
});
