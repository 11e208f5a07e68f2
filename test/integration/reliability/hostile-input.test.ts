/**
 * Issue 16's findings, each replayed against a real sidecar (guardrails harness: in front of the
 * fake provider) the way an attacker with a valid token, or a careless client, sent them: a crash
 * from a time range, a rate-limit bypass by junk headers, a budget overshoot by input the body
 * does not hold, duplicate and mistyped guarded fields, path ids with dot-segments, a foreign Host,
 * secrets echoed into stored bytes, and JSON nested 5000 deep. Stall and connection findings:
 * hostile-load.test.ts. The input shapes' property tests are in test/unit/sidecar/hostile-shapes.test.ts.
 */
import type { AddressInfo } from 'node:net';
import { jest } from '@jest/globals';
import { call, type GuardrailsHarness, startGuardrails, TOKEN } from '../guardrails/harness.js';
import { OPENAI_KEY } from '../sidecar/harness.js';
import { rawExchange } from './lib/raw-http.js';

jest.setTimeout(60_000);

const chat = (extra: Record<string, unknown> = {}) => ({
  model: 'gpt-4o-mini',
  messages: [{ role: 'user', content: 'hi' }],
  ...extra,
});

const portOf = (h: GuardrailsHarness) => (h.sidecar.server.address() as AddressInfo).port;

/** A raw request (fetch would normalise `..` and set its own Host). */
const raw = (h: GuardrailsHarness, head: string, body = '') =>
  rawExchange(
    portOf(h),
    Buffer.from(
      `${head}\r\nauthorization: Bearer ${TOKEN}\r\nconnection: close\r\ncontent-length: ${Buffer.byteLength(body)}\r\n\r\n${body}`,
    ),
  );

describe('one sidecar, default limits', () => {
  let h: GuardrailsHarness;
  beforeAll(async () => {
    h = await startGuardrails({
      config: {
        sidecar: { logLevel: 'debug', allowedHosts: ['sidecar.internal'] },
        cache: { enabled: true },
      },
    });
  });
  afterAll(() => h.close());

  it('1: a huge or unparsable time range is a quick 400 naming the allowed range, never a crash', async () => {
    const cases: [string, RegExp][] = [
      ['/v1/usage/series?since=1000-01-01&until=9999-12-31&bucket=hour', /from 1970-01-01 to 9999-12-31/],
      ['/v1/usage/series?since=0000-01-01&bucket=hour', /from 1970-01-01 to 9999-12-31/],
      [
        '/v1/usage/series?since=1970-01-01&until=9999-12-31&bucket=hour',
        /at most 400 buckets .*70389504 hours/,
      ],
      ['/v1/usage/series?since=99999999999d', /at most 36500d/],
      ['/v1/usage/summary?since=99999999999d', /at most 36500d/],
      ['/v1/usage/records?since=99999999999d', /at most 36500d/],
      ['/v1/usage/summary?until=99999-01-01', /expected an ISO date/],
    ];
    const timings: string[] = [];
    for (const [path, message] of cases) {
      const started = performance.now();
      const res = await call(h, path);
      timings.push(`${(performance.now() - started).toFixed(1)} ms`);
      expect([path, res.status]).toEqual([path, 400]);
      expect(((await res.json()) as { error: { message: string } }).error.message).toMatch(message);
    }
    console.log(`[hostile] time-range refusals: ${timings.join(', ')}`);
    expect((await call(h, '/healthz')).status).toBe(200);
  });

  it('5: duplicate keys (top level or nested) and mistyped guarded fields are 400, nothing forwarded', async () => {
    const before = h.fake.received.length;
    const bodies = [
      '{"model":"gpt-4o","max_tokens":100000,"messages":[{"role":"user","content":"hi"}],"model":"gpt-4o-mini","max_tokens":5}',
      '{"model":"gpt-4o-mini","messages":[{"role":"user","content":"a long text","content":"hi"}]}',
      '{"model":"gpt-4o-mini","mod\\u0065l":"gpt-4o","messages":[]}',
    ];
    for (const body of bodies) {
      const { response } = await raw(h, 'POST /v1/chat/completions HTTP/1.1\r\nhost: 127.0.0.1', body);
      expect(response?.status).toBe(400);
      expect(JSON.parse(response?.body.toString() ?? '').error.message).toMatch(
        /^Duplicate key "(model|content)"/,
      );
    }
    for (const [field, value] of [
      ['max_tokens', '1000000'],
      ['max_completion_tokens', 1.5],
      ['model', 42],
      ['stream', 'true'],
      ['n', -1],
    ] as const) {
      const res = await call(h, '/v1/chat/completions', { json: chat({ [field]: value }) });
      expect([field, res.status]).toEqual([field, 400]);
      expect(((await res.json()) as { error: { message: string } }).error.message).toMatch(
        new RegExp(`^${field}: expected`),
      );
    }
    expect(h.fake.received.length).toBe(before);
  });

  it('6: model ids with dot-segments or encoded slashes are 400 and never reach the provider', async () => {
    const before = h.fake.received.length;
    for (const path of [
      '/v1/models/..',
      '/v1/models/..%2Ffiles',
      '/v1/models/%2e%2e',
      '/v1/models/.hidden',
    ]) {
      const { response } = await raw(h, `GET ${path} HTTP/1.1\r\nhost: 127.0.0.1`);
      expect([path, response?.status]).toEqual([path, 400]);
    }
    expect(h.fake.received.length).toBe(before);
    const { response } = await raw(h, 'GET /v1/models/ft:gpt-4o-mini:org::abc.1 HTTP/1.1\r\nhost: 127.0.0.1');
    expect(response?.status).toBe(200);
    expect(h.fake.received.at(-1)?.url).toBe('/v1/models/ft:gpt-4o-mini:org::abc.1');
  });

  it('7: only the hosts the sidecar is reached by are answered; any other Host is 421', async () => {
    const port = portOf(h);
    const statusFor = async (host: string | null) => {
      const hostLine = host === null ? '' : `\r\nhost: ${host}`;
      const version = host === null ? 'HTTP/1.0' : 'HTTP/1.1';
      return (await raw(h, `GET /healthz ${version}${hostLine}`)).response?.status;
    };
    const answered = [
      `127.0.0.1:${port}`,
      `localhost:${port}`,
      'LOCALHOST.',
      `[::1]:${port}`,
      'usage-logger:4100',
      'sidecar.internal',
      '172.18.0.3:4100',
      null, // HTTP/1.0 without Host: the Compose healthcheck
    ];
    for (const host of answered) expect([host, await statusFor(host)]).toEqual([host, 200]);
    for (const host of [
      'evil.example',
      `rebind.attacker.test:${port}`,
      'localhost.evil.example',
      'usage-logger.evil',
    ]) {
      expect([host, await statusFor(host)]).toEqual([host, 421]);
    }
    const { response } = await raw(h, 'GET /metrics HTTP/1.1\r\nhost: evil.example');
    expect(response?.status).toBe(421);
    expect(JSON.parse(response?.body.toString() ?? '').error.message).toMatch(/sidecar\.allowedHosts/);
  });

  it('8: a key echoed by the provider is masked in every stored byte; ingest redacts every field', async () => {
    const res = await call(h, '/v1/chat/completions', {
      json: chat({ messages: [{ role: 'user', content: 'echo' }] }),
      headers: { 'x-fake-scenario': 'echo-key' },
    });
    expect(res.status).toBe(200);
    const stored = h.sidecar.store.db
      .prepare('SELECT body FROM response_cache')
      .all()
      .map((row) => (row as { body: Buffer }).body.toString());
    expect(stored.length).toBeGreaterThan(0);
    for (const body of stored) expect(body).not.toContain(OPENAI_KEY);
    expect(stored.some((body) => body.includes('[redacted]'))).toBe(true);

    const leaked = 'sk-proj-LeakedKeyInAnIngestedRecord0123456789';
    const ingest = await call(h, '/v1/usage', {
      json: {
        provider: 'openai',
        model: `gpt-4o-mini ${TOKEN}`,
        usage: { inputTokens: 1, outputTokens: 1 },
        tags: { run: leaked, [OPENAI_KEY.slice(0, 20)]: 'x' },
        error: `failed with ${OPENAI_KEY}`,
      },
    });
    expect(ingest.status).toBe(202);
    const everything = JSON.stringify(h.records());
    for (const secret of [TOKEN, OPENAI_KEY, leaked]) expect(everything).not.toContain(secret);
    const metrics = await (await call(h, '/metrics')).text();
    for (const secret of [TOKEN, OPENAI_KEY, leaked]) expect(metrics).not.toContain(secret);
  });

  it('9: JSON nested 5000 deep is a 400 on every JSON route, never a stack overflow', async () => {
    const deep = `${'['.repeat(5000)}${']'.repeat(5000)}`;
    for (const [path, body] of [
      ['/v1/chat/completions', `{"model":"gpt-4o-mini","messages":[{"role":"user","content":${deep}}]}`],
      ['/v1/messages', `{"model":"claude-sonnet-4-5","max_tokens":5,"messages":${deep}}`],
      [
        '/v1/usage',
        `{"provider":"openai","model":"m","usage":{"inputTokens":1,"outputTokens":1},"tags":${'{"a":'.repeat(5000)}1${'}'.repeat(5000)}}`,
      ],
    ] as const) {
      const { response } = await raw(h, `POST ${path} HTTP/1.1\r\nhost: 127.0.0.1`, body);
      expect([path, response?.status]).toEqual([path, 400]);
      expect(JSON.parse(response?.body.toString() ?? '').error?.message ?? '').toMatch(
        /nested more than 64 levels/,
      );
    }
    expect(h.logs.join('\n')).not.toMatch(/Maximum call stack/);
  });
});

describe('2: the rate limit follows the token that matched, not the headers', () => {
  let h: GuardrailsHarness;
  beforeAll(async () => {
    h = await startGuardrails({ config: { limits: { requestsPerMinute: 5 } } });
  });
  afterAll(() => h.close());

  it('x-api-key: TOKEN with a fresh junk Authorization each time still gets 429 after 5', async () => {
    const statuses: number[] = [];
    for (let i = 0; i < 12; i++) {
      const res = await fetch(`${h.url}/v1/chat/completions`, {
        method: 'POST',
        headers: {
          'x-api-key': TOKEN,
          authorization: `Bearer junk-${i}`,
          'content-type': 'application/json',
        },
        body: JSON.stringify(chat({ messages: [{ role: 'user', content: `hi ${i}` }] })),
      });
      statuses.push(res.status);
    }
    expect(statuses).toEqual([200, 200, 200, 200, 200, 429, 429, 429, 429, 429, 429, 429]);
  });
});

describe('3: a blocking budget and input the body does not hold', () => {
  const budgets = [{ scope: 'total', period: 'total', limitUsd: 0.02, action: 'block', name: 'tiny' }];

  it('without an input ceiling: refused 400 naming the field, nothing forwarded', async () => {
    const h = await startGuardrails({ config: { budgets } });
    try {
      const before = h.fake.received.length;
      const cases: [string, unknown, RegExp][] = [
        [
          '/v1/responses',
          { model: 'gpt-4o-mini', previous_response_id: 'resp_1', input: 'go on', max_output_tokens: 16 },
          /^previous_response_id: /,
        ],
        [
          '/v1/responses',
          { model: 'gpt-4o-mini', conversation: 'conv_1', input: 'go on', max_output_tokens: 16 },
          /^conversation: /,
        ],
        [
          '/v1/responses',
          { model: 'gpt-4o-mini', prompt: { id: 'pmpt_1' }, max_output_tokens: 16 },
          /^prompt: /,
        ],
        [
          '/v1/chat/completions',
          chat({
            messages: [{ role: 'user', content: [{ type: 'file', file: { file_id: 'file-1' } }] }],
            max_tokens: 5,
          }),
          /^messages\[0\]\.content\[0\] \(file\)/,
        ],
        [
          '/v1/messages',
          {
            model: 'claude-sonnet-4-5',
            max_tokens: 5,
            messages: [
              {
                role: 'user',
                content: [{ type: 'document', source: { type: 'url', url: 'https://example.com/a.pdf' } }],
              },
            ],
          },
          /^messages\[0\]\.content\[0\] \(document, source url\)/,
        ],
      ];
      for (const [path, json, message] of cases) {
        const res = await call(h, path, {
          json,
          headers: path === '/v1/messages' ? { 'anthropic-version': '2023-06-01' } : {},
        });
        expect([path, res.status]).toEqual([path, 400]);
        const body = (await res.json()) as { error: { message: string } };
        expect(body.error.message).toMatch(message);
        expect(body.error.message).toMatch(/limits\.modelMaxInputTokens/);
      }
      expect(h.fake.received.length).toBe(before);
    } finally {
      await h.close();
    }
  });

  it('with a ceiling: 20 concurrent previous_response_id calls are reserved at it, so the budget holds', async () => {
    const h = await startGuardrails({
      config: { budgets, limits: { modelMaxInputTokens: { 'gpt-4o-mini': 128_000 } } },
    });
    try {
      // 128k input at gpt-4o-mini's $0.15/M is $0.0192: one such call fits the $0.02 budget at a time.
      // The first call is held 3 s upstream, so all 20 arrive while its reservation stands.
      const results = await Promise.all(
        Array.from({ length: 20 }, (_, i) =>
          call(h, '/v1/responses', {
            json: {
              model: 'gpt-4o-mini',
              previous_response_id: `resp_${i}`,
              input: 'go on',
              max_output_tokens: 16,
            },
            headers: { 'x-fake-scenario': 'slow', 'x-fake-delay-ms': '3000' },
          }).then((res) => res.status),
        ),
      );
      const admitted = results.filter((status) => status === 200).length;
      console.log(
        `[hostile] 20 concurrent previous_response_id calls: ${admitted} admitted, ${20 - admitted} refused`,
      );
      expect(admitted).toBe(1);
      expect(results.filter((status) => status === 429).length).toBe(19);
      const [tiny] = await h.budgets();
      expect(tiny?.spentUsd).toBeLessThanOrEqual(0.02);
    } finally {
      await h.close();
    }
  });
});
