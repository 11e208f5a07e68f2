/**
 * Access to the sidecar: every route but /healthz needs the token (401 in the client's API format
 * saying how to set it), the request size limit (413), and routing limits (404/405).
 */
import { request } from 'node:http';
import Anthropic from '@anthropic-ai/sdk';
import OpenAI from 'openai';
import { call, type Harness, OPENAI_KEY, startHarness, TOKEN } from './harness.js';

let h: Harness;
beforeAll(async () => {
  h = await startHarness({ config: { sidecar: { maxRequestBytes: 4096 } } });
});
afterAll(() => h.close());

const CHAT = { model: 'gpt-4o-mini', messages: [{ role: 'user' as const, content: 'Hi' }] };
const MESSAGE = {
  model: 'claude-sonnet-4-20250514',
  max_tokens: 10,
  messages: [{ role: 'user' as const, content: 'Hi' }],
};

describe('the access token', () => {
  it('no token: 401 in OpenAI format on OpenAI routes, telling how to set OPENAI_API_KEY', async () => {
    const res = await fetch(`${h.url}/v1/chat/completions`, { method: 'POST', body: JSON.stringify(CHAT) });
    expect(res.status).toBe(401);
    expect(await res.json()).toEqual({
      error: {
        type: 'invalid_request_error',
        code: 'invalid_api_key',
        param: null,
        message: expect.stringMatching(
          /^No llmdev sidecar access token .*OPENAI_API_KEY must be the sidecar token/,
        ),
      },
    });
  });

  it('no token: 401 in Anthropic format on Anthropic routes, telling how to set ANTHROPIC_API_KEY', async () => {
    const res = await fetch(`${h.url}/v1/messages`, { method: 'POST', body: JSON.stringify(MESSAGE) });
    expect(res.status).toBe(401);
    expect(await res.json()).toEqual({
      type: 'error',
      error: {
        type: 'authentication_error',
        message: expect.stringContaining('ANTHROPIC_API_KEY must be the sidecar token'),
      },
    });
  });

  it('OpenAI SDK with a wrong token: AuthenticationError with our message; nothing forwarded', async () => {
    const client = new OpenAI({
      apiKey: 'sk-not-the-sidecar-token-xxxxxxxx',
      baseURL: `${h.url}/v1`,
      maxRetries: 0,
    });
    const error = await client.chat.completions.create(CHAT).catch((e: unknown) => e);
    expect(error).toBeInstanceOf(OpenAI.AuthenticationError);
    expect((error as Error).message).toContain('sidecar access token in the request is not valid');
    expect(h.fake.received).toHaveLength(0);
  });

  it('Anthropic SDK with a wrong token: AuthenticationError in Anthropic format', async () => {
    const client = new Anthropic({
      apiKey: 'sk-ant-not-the-sidecar-token-xxxxxxxx',
      baseURL: h.url,
      maxRetries: 0,
    });
    const error = await client.messages.create(MESSAGE).catch((e: unknown) => e);
    expect(error).toBeInstanceOf(Anthropic.AuthenticationError);
    expect((error as InstanceType<typeof Anthropic.AuthenticationError>).error).toMatchObject({
      type: 'error',
      error: {
        type: 'authentication_error',
        message: expect.stringContaining('ANTHROPIC_API_KEY must be the sidecar token'),
      },
    });
  });

  it('accepts the token as x-api-key or Authorization: Bearer on any route, and never echoes it', async () => {
    const bearer = await call(h, '/v1/usage/summary');
    expect(bearer.status).toBe(200);
    const apiKey = await fetch(`${h.url}/v1/usage/summary`, { headers: { 'x-api-key': TOKEN } });
    expect(apiKey.status).toBe(200);
    const ingest = await fetch(`${h.url}/v1/usage/records`, {
      headers: { authorization: 'Bearer wrong-token-xxxxxxxxxxxxx' },
    });
    expect(ingest.status).toBe(401);
    expect(await ingest.text()).not.toContain('wrong-token');
  });

  it('/healthz needs no token and reveals no secret', async () => {
    const res = await fetch(`${h.url}/healthz`);
    expect(res.status).toBe(200);
    const text = await res.text();
    expect(JSON.parse(text)).toMatchObject({
      status: 'ok',
      database: 'ok',
      providers: { openai: expect.stringMatching(/^live/) },
    });
    expect(text).not.toContain(TOKEN);
    expect(text).not.toContain(OPENAI_KEY);
  });

  it('never writes a key or the token to the log', async () => {
    await h.openai.chat.completions
      .create(CHAT, { headers: { 'x-fake-scenario': 'error-401' } })
      .catch(() => undefined);
    const logs = h.logs.join('');
    expect(logs).toContain('call failed');
    expect(logs).not.toContain(TOKEN);
    expect(logs).not.toContain(OPENAI_KEY);
  });
});

describe('limits and routing', () => {
  it('413 when the body is larger than sidecar.maxRequestBytes, in the API format', async () => {
    const big = { ...MESSAGE, messages: [{ role: 'user', content: 'x'.repeat(5000) }] };
    const res = await call(h, '/v1/messages', { json: big });
    expect(res.status).toBe(413);
    expect(await res.json()).toMatchObject({
      type: 'error',
      error: { type: 'request_too_large', message: expect.stringContaining('maxRequestBytes') },
    });
  });

  it('413 also without Content-Length (chunked upload)', async () => {
    const body = new ReadableStream({
      start(controller) {
        for (let i = 0; i < 10; i++) controller.enqueue(new TextEncoder().encode('x'.repeat(1000)));
        controller.close();
      },
    });
    const res = await fetch(`${h.url}/v1/chat/completions`, {
      method: 'POST',
      headers: { authorization: `Bearer ${TOKEN}` },
      body,
      duplex: 'half',
    } as RequestInit);
    expect(res.status).toBe(413);
  });

  it('400 for a body that is not a JSON object', async () => {
    const res = await call(h, '/v1/chat/completions', { method: 'POST', body: '{"model": ' });
    expect(res.status).toBe(400);
    expect(((await res.json()) as { error: { message: string } }).error.message).toContain(
      'Expected a JSON object',
    );
  });

  it('404 for unknown paths (no path tricks), 405 for a wrong method', async () => {
    for (const path of [
      '/v1/../healthz',
      '/v1/chat/completions/',
      '/%2e%2e/etc/passwd',
      '/v1/files',
      '//v1/messages',
    ]) {
      expect(await rawStatus(path)).toBe(404);
    }
    const wrong = await call(h, '/v1/chat/completions');
    expect(wrong.status).toBe(405);
    expect(wrong.headers.get('allow')).toBe('POST');
  });
});

/** The status for a literal request path (fetch would normalize `..` away). */
function rawStatus(path: string): Promise<number> {
  return new Promise((resolve, reject) => {
    const req = request(`${h.url}${path}`, { method: 'POST', headers: { authorization: `Bearer ${TOKEN}` } });
    req.path = path;
    req.on('response', (res) => {
      res.resume();
      resolve(res.statusCode ?? 0);
    });
    req.on('error', reject);
    req.end('{}');
  });
}
