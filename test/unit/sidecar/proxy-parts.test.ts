import { digestToken } from '../../../src/sidecar/http/middleware/require-token.js';
import { uuidv7 } from '../../../src/sidecar/ids.js';
import type { LiveProvider } from '../../../src/sidecar/providers.js';
import { parseCallRequest, parseTags } from '../../../src/sidecar/proxy/call-request.js';
import { admit, type Guard } from '../../../src/sidecar/proxy/guards.js';
import {
  clientResponseHeaders,
  upstreamRequestHeaders,
  upstreamRequestId,
} from '../../../src/sidecar/proxy/headers.js';

describe('parseCallRequest', () => {
  const body = (json: object) => Buffer.from(JSON.stringify(json));

  it('adds stream_options.include_usage to an OpenAI chat stream that lacks it, and says to hide the chunk', () => {
    const json = { model: 'gpt-4o', stream: true, messages: [], stream_options: { foo: 1 } };
    const parsed = parseCallRequest('openai.chat', json, body(json), {});
    if (!parsed.ok) throw new Error(parsed.message);
    expect(parsed.call.hideUsageChunk).toBe(true);
    expect(JSON.parse(parsed.call.upstreamBody.toString())).toEqual({
      ...json,
      stream_options: { foo: 1, include_usage: true },
    });
    expect(parsed.call.upstreamJson).toEqual(JSON.parse(parsed.call.upstreamBody.toString()));
  });

  it('splices include_usage into the client bytes of a stream without stream_options', () => {
    const raw = Buffer.from(
      ' \n{"model": "gpt-4o", "stream":true,"messages":[{"role":"user","content":"é {"}]}',
    );
    const json = JSON.parse(raw.toString()) as Record<string, unknown>;
    const parsed = parseCallRequest('openai.chat', json, raw, {});
    if (!parsed.ok) throw new Error(parsed.message);
    expect(parsed.call.upstreamBody.toString()).toBe(
      ' \n{"stream_options":{"include_usage":true},"model": "gpt-4o", "stream":true,"messages":[{"role":"user","content":"é {"}]}',
    );
    expect(JSON.parse(parsed.call.upstreamBody.toString())).toEqual(parsed.call.upstreamJson);
    expect(parsed.call.upstreamJson).toEqual({ ...json, stream_options: { include_usage: true } });
    expect(parsed.call.hideUsageChunk).toBe(true);
  });

  it('merges include_usage into stream_options that are null or lack it', () => {
    for (const options of [null, { include_usage: false }]) {
      const json = { model: 'gpt-4o', stream: true, stream_options: options };
      const parsed = parseCallRequest('openai.chat', json, body(json), {});
      if (!parsed.ok) throw new Error(parsed.message);
      expect(JSON.parse(parsed.call.upstreamBody.toString())).toEqual({
        ...json,
        stream_options: { include_usage: true },
      });
    }
  });

  it.each([
    [
      'a client that asked for usage',
      'openai.chat',
      { stream: true, stream_options: { include_usage: true } },
    ],
    ['a non-streaming call', 'openai.chat', { stream: false }],
    ['the Responses API', 'openai.responses', { stream: true }],
    ['Anthropic', 'anthropic.messages', { stream: true }],
  ] as const)('forwards the client bytes unchanged for %s', (_, kind, extra) => {
    const raw = body({ model: 'm', ...extra });
    const parsed = parseCallRequest(kind, JSON.parse(raw.toString()), raw, {});
    expect(parsed.ok && parsed.call.upstreamBody).toBe(raw);
    expect(parsed.ok && parsed.call.hideUsageChunk).toBe(false);
  });

  it('keeps reproducibility parameters, tags and the prompt version', () => {
    const json = {
      model: 'gpt-4o',
      temperature: 0.3,
      top_p: 0.9,
      seed: 42,
      max_tokens: 100,
      messages: ['ignored'],
    };
    const parsed = parseCallRequest('openai.chat', json, body(json), {
      'x-llmdev-tags': 'a=1,b=two words',
      'x-llmdev-prompt': 'summarize@3f2a',
    });
    expect(parsed).toMatchObject({
      ok: true,
      call: {
        model: 'gpt-4o',
        stream: false,
        params: { temperature: 0.3, top_p: 0.9, seed: 42, max_tokens: 100 },
        tags: { a: '1', b: 'two words' },
        promptName: 'summarize',
        promptVersion: '3f2a',
      },
    });
  });

  it('rejects a malformed prompt header', () => {
    expect(parseCallRequest('openai.chat', {}, body({}), { 'x-llmdev-prompt': 'no-version' })).toEqual({
      ok: false,
      message: 'x-llmdev-prompt: expected name@version, got "no-version"',
    });
  });
});

describe('parseTags', () => {
  it('parses k=v pairs, tolerating spaces and empty items', () => {
    expect(parseTags(' team = search ,, env=dev ')).toEqual({ team: 'search', env: 'dev' });
    expect(parseTags(undefined)).toEqual({});
  });
  it.each(['novalue', '=x', 'bad key=1'])('rejects %j', (header) => {
    expect(parseTags(header)).toMatch(/^x-llmdev-tags: expected key=value pairs/);
  });
  it('caps the number of tags', () => {
    expect(parseTags(Array.from({ length: 33 }, (_, i) => `k${i}=v`).join(','))).toBe(
      'x-llmdev-tags: at most 32 tags',
    );
  });
});

describe('headers', () => {
  const openai: LiveProvider = {
    name: 'openai',
    mode: 'live',
    key: 'sk-real',
    baseUrl: new URL('https://api.openai.com/v1'),
  };
  const anthropic: LiveProvider = {
    name: 'anthropic',
    mode: 'live',
    key: 'sk-ant-real',
    baseUrl: new URL('https://api.anthropic.com'),
  };
  const incoming = {
    host: 'usage-logger:4100',
    authorization: 'Bearer sidecar-token',
    'x-api-key': 'sidecar-token',
    cookie: 'a=b',
    connection: 'keep-alive',
    'content-length': '999',
    'accept-encoding': 'gzip, br',
    'x-llmdev-tags': 'a=b',
    'x-llmdev-prompt': 'p@1',
    'anthropic-version': '2023-06-01',
    'anthropic-beta': 'x',
    'openai-organization': 'org-1',
    'user-agent': 'sdk',
  };

  it('upstream: the real key replaces the client credentials; x-llmdev-* and hop-by-hop headers dropped', () => {
    expect(upstreamRequestHeaders(incoming, openai, 12)).toEqual({
      authorization: 'Bearer sk-real',
      'content-length': 12,
      'accept-encoding': 'identity',
      'anthropic-version': '2023-06-01',
      'anthropic-beta': 'x',
      'openai-organization': 'org-1',
      'user-agent': 'sdk',
    });
    const toAnthropic = upstreamRequestHeaders(incoming, anthropic, null);
    expect(toAnthropic['x-api-key']).toBe('sk-ant-real');
    expect(toAnthropic.authorization).toBeUndefined();
    expect(toAnthropic['content-length']).toBeUndefined();
  });

  it('back to the client: hop-by-hop headers and cookies dropped, ours added', () => {
    const out = clientResponseHeaders(
      {
        'content-type': 'application/json',
        'set-cookie': ['x'],
        'transfer-encoding': 'chunked',
        'content-length': '5',
        'x-request-id': 'r1',
      },
      { 'x-llmdev-request-id': 'id' },
    );
    expect(out).toEqual({
      'content-type': 'application/json',
      'x-request-id': 'r1',
      'x-llmdev-request-id': 'id',
    });
    expect(upstreamRequestId({ 'request-id': 'req_a' })).toBe('req_a');
    expect(upstreamRequestId({})).toBeNull();
  });
});

describe('admit', () => {
  const call = {} as Parameters<typeof admit>[1];
  it('collects settle callbacks of admitting guards', async () => {
    const settled: string[] = [];
    const guards: Guard[] = [
      { name: 'a', admit: () => ({ settle: () => settled.push('a') }) },
      { name: 'b', admit: async () => ({}) },
    ];
    const result = await admit(guards, call);
    if (!('settles' in result)) throw new Error('not admitted');
    for (const settle of result.settles) settle(null);
    expect(settled).toEqual(['a']);
  });

  it('stops at a rejection and releases what earlier guards reserved', async () => {
    const released: unknown[] = [];
    const rejected = { status: 429, kind: 'invalid_request', message: 'over budget' } as const;
    const guards: Guard[] = [
      { name: 'reserve', admit: () => ({ settle: (record) => released.push(record) }) },
      { name: 'block', admit: () => ({ rejected }) },
      { name: 'never', admit: () => Promise.reject(new Error('not reached')) },
    ];
    expect(await admit(guards, call)).toEqual({ rejected });
    expect(released).toEqual([null]);
  });
});

describe('digestToken', () => {
  it('is a fixed-length SHA-256, so comparing digests leaks no length', () => {
    expect(digestToken('a')).toHaveLength(32);
    expect(digestToken('a'.repeat(1000))).toHaveLength(32);
  });
});

describe('uuidv7', () => {
  it('is a version-7 UUID that sorts by creation time', () => {
    const early = uuidv7(1_700_000_000_000);
    const late = uuidv7(1_700_000_000_001);
    expect(early).toMatch(/^[0-9a-f]{8}-[0-9a-f]{4}-7[0-9a-f]{3}-[89ab][0-9a-f]{3}-[0-9a-f]{12}$/);
    expect(early < late).toBe(true);
    expect(early.slice(0, 13)).toBe('018bcfe5-6800');
    expect(new Set(Array.from({ length: 1000 }, () => uuidv7())).size).toBe(1000);
  });
});
