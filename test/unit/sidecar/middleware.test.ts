import { chain, type Handler } from '../../../src/sidecar/http/context.js';
import { sendJson } from '../../../src/sidecar/http/errors.js';
import { parseJson } from '../../../src/sidecar/http/middleware/parse-json.js';
import { readBody } from '../../../src/sidecar/http/middleware/read-body.js';
import { digestToken, requireToken } from '../../../src/sidecar/http/middleware/require-token.js';
import { createRouter } from '../../../src/sidecar/http/router.js';
import { type Served, serve, serveRoute } from './serve.js';

const TOKEN = 'unit-token-0123456789abcdef';
const echo: Handler = (ctx) =>
  sendJson(ctx.res, 200, JSON.stringify({ bytes: ctx.body.length, json: ctx.json ?? null }));

let served: Served | undefined;
afterEach(async () => {
  await served?.close();
  served = undefined;
});

const post = (path: string, init: RequestInit = {}) =>
  fetch(`${served?.url}${path}`, { method: 'POST', ...init });

describe('requireToken', () => {
  let current = TOKEN;
  const guard = requireToken({ tokenDigest: () => digestToken(current), howToSet: 'Set THE_VARIABLE.' });

  it.each([
    ['Authorization: Bearer', { authorization: `Bearer ${TOKEN}` }],
    ['Authorization: bearer (any case)', { authorization: `bearer ${TOKEN}` }],
    ['x-api-key', { 'x-api-key': TOKEN }],
    ['a wrong bearer next to a right x-api-key', { authorization: 'Bearer nope', 'x-api-key': TOKEN }],
  ])('admits %s', async (_, headers) => {
    served = await serveRoute(chain([guard], echo));
    expect((await post('/v1/chat/completions', { headers })).status).toBe(200);
  });

  it.each([
    ['nothing', {}, 'No llmdev sidecar access token'],
    ['a wrong token', { authorization: 'Bearer wrong-token' }, 'is not valid'],
    ['a prefix of the token', { 'x-api-key': TOKEN.slice(0, -1) }, 'is not valid'],
    ['another scheme', { authorization: `Basic ${TOKEN}` }, 'No llmdev sidecar access token'],
  ])('rejects %s with 401 in the route format, with the hint', async (_, headers, problem) => {
    served = await serveRoute(chain([guard], echo), '/v1/messages', 'anthropic');
    const res = await post('/v1/messages', { headers });
    expect(res.status).toBe(401);
    const body = (await res.json()) as { type: string; error: { type: string; message: string } };
    expect(body.type).toBe('error');
    expect(body.error.type).toBe('authentication_error');
    expect(body.error.message).toContain(problem);
    expect(body.error.message).toContain('Set THE_VARIABLE.');
  });

  it('reads the current token on every request (SIGHUP rotation)', async () => {
    served = await serveRoute(chain([guard], echo));
    current = 'rotated-token-0123456789abcdef';
    expect(
      (await post('/v1/chat/completions', { headers: { authorization: `Bearer ${TOKEN}` } })).status,
    ).toBe(401);
    expect(
      (await post('/v1/chat/completions', { headers: { authorization: `Bearer ${current}` } })).status,
    ).toBe(200);
    current = TOKEN;
  });
});

describe('readBody', () => {
  it('collects the body into ctx.body', async () => {
    served = await serveRoute(chain([readBody({ maxBytes: 100 })], echo));
    expect(await (await post('/v1/chat/completions', { body: 'x'.repeat(100) })).json()).toEqual({
      bytes: 100,
      json: null,
    });
  });

  it('413 from Content-Length before reading, and from the count when chunked', async () => {
    served = await serveRoute(chain([readBody({ maxBytes: 100 })], echo));
    const declared = await post('/v1/chat/completions', { body: 'x'.repeat(101) });
    expect(declared.status).toBe(413);
    expect(((await declared.json()) as { error: { message: string } }).error.message).toContain(
      'sidecar.maxRequestBytes',
    );
    const chunked = new ReadableStream({
      start(controller) {
        for (let i = 0; i < 5; i++) controller.enqueue(new TextEncoder().encode('y'.repeat(30)));
        controller.close();
      },
    });
    expect(
      (await post('/v1/chat/completions', { body: chunked, duplex: 'half' } as RequestInit)).status,
    ).toBe(413);
  });
});

describe('parseJson', () => {
  it('parses a JSON object into ctx.json', async () => {
    served = await serveRoute(chain([readBody({ maxBytes: 1000 }), parseJson()], echo));
    expect(await (await post('/v1/chat/completions', { body: '{"a":[1]}' })).json()).toEqual({
      bytes: 9,
      json: { a: [1] },
    });
  });

  it.each([
    ['', 'the request has no body'],
    ['{"a":', 'Expected a JSON object as the request body: '],
    ['[1,2]', 'Expected a JSON object as the request body'],
    ['null', 'Expected a JSON object as the request body'],
  ])('400 for %j', async (body, message) => {
    served = await serveRoute(
      chain([readBody({ maxBytes: 1000 }), parseJson()], echo),
      '/v1/messages',
      'anthropic',
    );
    const res = await post('/v1/messages', { body });
    expect(res.status).toBe(400);
    expect(await res.json()).toEqual({
      type: 'error',
      error: { type: 'invalid_request_error', message: expect.stringContaining(message) },
    });
  });
});

describe('router', () => {
  it('matches exact paths, ignores the query, answers 404/405 and turns a throwing handler into a 500', async () => {
    const errors: unknown[] = [];
    served = await serve(
      createRouter(
        [
          {
            method: 'GET',
            path: '/ok',
            format: 'openai',
            handler: (ctx) => sendJson(ctx.res, 200, JSON.stringify({ search: ctx.search })),
          },
          {
            method: 'GET',
            path: '/boom',
            format: 'openai',
            handler: () => Promise.reject(new Error('kaput')),
          },
        ],
        (error) => errors.push(error),
      ),
    );
    expect(await (await fetch(`${served.url}/ok?x=1`)).json()).toEqual({ search: '?x=1' });
    expect((await fetch(`${served.url}/ok/`)).status).toBe(404);
    const wrong = await post('/ok');
    expect(wrong.status).toBe(405);
    expect(wrong.headers.get('allow')).toBe('GET');
    const boom = await fetch(`${served.url}/boom`);
    expect(boom.status).toBe(500);
    expect(((await boom.json()) as { error: { type: string } }).error.type).toBe('server_error');
    expect(errors).toHaveLength(1);
  });
});
