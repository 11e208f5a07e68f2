/**
 * HTTP fuzz of every sidecar endpoint, over raw TCP against `llmdev sidecar` in a child process:
 * malformed, truncated, oversized and wrongly framed bodies, bad JSON, wrong content types, odd
 * methods, missing, wrong and huge headers, and path tricks (`/v1/../`, `%2e%2e`, `//`,
 * absolute-form URLs). Every answer must be the endpoint's success or a 4xx/5xx JSON error; the
 * process must stay up with bounded memory; usage.db must stay consistent: integrity_check ok,
 * every billed answer's record stored once, no record nobody was answered for.
 */
import { jest } from '@jest/globals';
import fc from 'fast-check';
import { webAssets } from '../../../src/sidecar/dashboard/assets.js';
import { PROXY_ROUTES } from '../../../src/sidecar/proxy/routes.js';
import { type FakeProvider, startFakeProvider } from '../../fixtures/fake-provider.js';
import { rawExchange } from './lib/raw-http.js';
import {
  createSidecarProject,
  inspectDatabase,
  rssMb,
  type SidecarProcess,
  type SidecarProject,
  startSidecar,
  TOKEN,
} from './lib/sidecar-process.js';
import { acknowledged, proxiedCall } from './lib/traffic.js';

jest.setTimeout(10 * 60_000);

const MAX_REQUEST_BYTES = 64 * 1024;

interface Endpoint {
  method: string;
  path: string;
  /** A proxied call that is recorded. */
  billed: boolean;
}

const ENDPOINTS: Endpoint[] = [
  ...PROXY_ROUTES.map((r) => ({
    method: r.method,
    path: r.path.replace('/*', '/gpt-4o-mini'),
    billed: r.kind !== null,
  })),
  { method: 'POST', path: '/v1/usage', billed: false },
  { method: 'GET', path: '/v1/usage/summary', billed: false },
  { method: 'GET', path: '/v1/usage/records', billed: false },
  { method: 'GET', path: '/v1/usage/records/0190a8b2-0000-7000-8000-000000000000', billed: false },
  { method: 'GET', path: '/v1/usage/series', billed: false },
  { method: 'GET', path: '/v1/budgets', billed: false },
  { method: 'GET', path: '/v1/events', billed: false },
  { method: 'GET', path: '/metrics', billed: false },
  { method: 'GET', path: '/healthz', billed: false },
  ...webAssets().map((asset) => ({ method: 'GET', path: asset.path, billed: false })),
];
const BILLED = new Set(ENDPOINTS.filter((e) => e.billed).map((e) => e.path));

const text = fc.string({ maxLength: 40 });
const message = fc.record({ role: fc.constantFrom('user', 'assistant', 'system'), content: text });
const VALID_BODIES: Record<string, fc.Arbitrary<unknown>> = {
  '/v1/chat/completions': fc.record(
    {
      model: fc.constantFrom('gpt-4o-mini', 'gpt-4o', 'no-such-model'),
      messages: fc.array(message, { minLength: 1, maxLength: 3 }),
      stream: fc.boolean(),
      max_tokens: fc.integer({ min: -5, max: 200 }),
    },
    { requiredKeys: ['model', 'messages'] },
  ),
  '/v1/responses': fc.record(
    { model: fc.constantFrom('gpt-4o-mini', 'o3'), input: text, stream: fc.boolean() },
    { requiredKeys: ['model'] },
  ),
  '/v1/embeddings': fc.record({ model: fc.constant('text-embedding-3-small'), input: text }),
  '/v1/completions': fc.record(
    { model: fc.constant('gpt-3.5-turbo-instruct'), prompt: text, stream: fc.boolean() },
    { requiredKeys: ['model'] },
  ),
  '/v1/messages': fc.record(
    {
      model: fc.constantFrom('claude-sonnet-4-20250514', 'claude-3-5-haiku-latest'),
      max_tokens: fc.integer({ min: 0, max: 300 }),
      messages: fc.array(message, { maxLength: 3 }),
      stream: fc.boolean(),
    },
    { requiredKeys: ['model', 'messages'] },
  ),
  '/v1/messages/count_tokens': fc.record({
    model: fc.constant('claude-sonnet-4-20250514'),
    messages: fc.array(message),
  }),
  '/v1/usage': fc.oneof(
    fc.record(
      {
        id: fc.string({ minLength: 1, maxLength: 20 }),
        provider: fc.constantFrom('openai', 'anthropic', 'other'),
        model: fc.constantFrom('gpt-4o-mini', ''),
        usage: fc.record({ inputTokens: fc.integer({ min: -1, max: 9999 }), outputTokens: fc.nat(9999) }),
        tags: fc.dictionary(fc.string({ maxLength: 8 }), fc.string({ maxLength: 8 }), { maxKeys: 3 }),
      },
      { requiredKeys: ['provider', 'model', 'usage'] },
    ),
    fc.record({
      records: fc.array(
        fc.record({
          id: fc.uuid(),
          provider: fc.constant('openai'),
          model: fc.constant('gpt-4o-mini'),
          usage: fc.record({ inputTokens: fc.nat(99), outputTokens: fc.nat(99) }),
        }),
        { maxLength: 5 },
      ),
    }),
  ),
};

type Framing = 'length' | 'chunked' | 'bad-chunked' | 'truncated' | 'both' | 'bad-length' | 'none';

interface Case {
  method: string;
  target: string;
  path: string;
  headers: [string, string][];
  body: Body;
  framing: Framing;
}

const methodFor = (endpoint: Endpoint) =>
  fc.oneof(
    { weight: 6, arbitrary: fc.constant(endpoint.method) },
    {
      weight: 1,
      arbitrary: fc.constantFrom('GET', 'POST', 'PUT', 'DELETE', 'PATCH', 'OPTIONS', 'HEAD', 'TRACE'),
    },
    { weight: 1, arbitrary: fc.constantFrom('FOO', 'get', 'M-SEARCH', 'PROPFIND', 'G ET') },
  );

const targetFor = (path: string) =>
  fc.oneof(
    { weight: 6, arbitrary: fc.constant(path) },
    { weight: 1, arbitrary: fc.constant(`${path}?limit=2&since=1d&x=%00%ff`) },
    {
      weight: 3,
      arbitrary: fc.constantFrom(
        `/v1/..${path}`,
        `/v1/../..${path}`,
        path.replace('/v1/', '/v1/%2e%2e/v1/'),
        `/%2e%2e${path}`,
        `/${path}`,
        path.replace(/\/(?=[^/]*$)/, '//'),
        `${path}/`,
        `${path}/..`,
        `http://127.0.0.1:1${path}`,
        `http://example.com${path}`,
        '*',
        path.replace('v1', 'V1'),
        path.replace(/\/(?=[^/]*$)/, '%2F'),
        `${path}%00`,
        `${path};x=1`,
        `/${'a'.repeat(9000)}`,
        `/dashboard/../../etc/passwd`,
        `/dashboard/%2e%2e/%2e%2e/etc/passwd`,
        '/\u00e9t\u00e9',
      ),
    },
  );

const headerName = fc.stringMatching(/^[A-Za-z][A-Za-z0-9-]{0,20}$/);
const headerValue = fc.oneof(
  { weight: 4, arbitrary: fc.stringMatching(/^[ -~]{0,40}$/) },
  { weight: 1, arbitrary: fc.string({ unit: 'binary', maxLength: 20 }) },
);

const headersArb = fc.record({
  auth: fc.oneof(
    { weight: 5, arbitrary: fc.constant<[string, string][]>([['authorization', `Bearer ${TOKEN}`]]) },
    { weight: 2, arbitrary: fc.constant<[string, string][]>([['x-api-key', TOKEN]]) },
    {
      weight: 3,
      arbitrary: fc.constantFrom<[string, string][]>(
        [],
        [['authorization', 'Bearer not-the-token-0123456789']],
        [['authorization', `Basic ${TOKEN}`]],
        [['authorization', `Bearer ${'x'.repeat(20_000)}`]],
      ),
    },
  ),
  contentType: fc.constantFrom<[string, string][]>(
    [['content-type', 'application/json']],
    [['content-type', 'application/json']],
    [],
    [['content-type', 'text/plain']],
    [['content-type', 'multipart/form-data; boundary=x']],
    [['content-type', 'application/json; charset=utf-16']],
    [['content-type', 'application/x-www-form-urlencoded']],
  ),
  extra: fc.array(fc.tuple(headerName, headerValue), { maxLength: 4 }),
  many: fc.constantFrom(0, 0, 0, 0, 0, 0, 120),
  tags: fc.constantFrom<[string, string][]>(
    [],
    [['x-llmdev-tags', 'a=b,c']],
    [['x-llmdev-tags', '=,=,,'.repeat(50)]],
    [['x-llmdev-cache', 'on']],
  ),
});

/** A body; a huge one is described by its size, so a failing case prints small. */
type Body = string | Uint8Array | { huge: number };

const bodyFor = (path: string): fc.Arbitrary<Body> =>
  fc.oneof(
    { weight: 5, arbitrary: (VALID_BODIES[path] ?? fc.constant({})).map((v) => JSON.stringify(v)) },
    { weight: 2, arbitrary: fc.jsonValue({ maxDepth: 3 }).map((v) => JSON.stringify(v) ?? '') },
    {
      weight: 2,
      arbitrary: fc.constantFrom(
        '{',
        '{"model": ',
        '[1,2',
        'null',
        '"x"',
        '{"model":"gpt-4o-mini","messages":[',
        '\u0000\u0001',
        '',
      ),
    },
    { weight: 1, arbitrary: fc.uint8Array({ maxLength: 200 }) },
    {
      weight: 1,
      arbitrary: fc
        .integer({ min: MAX_REQUEST_BYTES + 1, max: 4 * MAX_REQUEST_BYTES })
        .map((huge) => ({ huge })),
    },
  );

const bytesOf = (body: Body): Buffer =>
  typeof body === 'string'
    ? Buffer.from(body)
    : body instanceof Uint8Array
      ? Buffer.from(body)
      : Buffer.alloc(body.huge, 'x');

/** Billed routes weigh more: their path (guards, upstream, commit) is where consistency matters. */
const endpointArb = fc.oneof(
  { weight: 1, arbitrary: fc.constantFrom(...ENDPOINTS) },
  { weight: 1, arbitrary: fc.constantFrom(...ENDPOINTS.filter((e) => e.billed)) },
);

const caseArb: fc.Arbitrary<Case> = endpointArb.chain((endpoint) =>
  fc.record({
    method: methodFor(endpoint),
    target: targetFor(endpoint.path),
    path: fc.constant(endpoint.path),
    headers: headersArb.map(({ auth, contentType, extra, many, tags }) => [
      ...auth,
      ...contentType,
      ...tags,
      ...extra.filter(
        ([name]) => !/^(content-length|transfer-encoding|connection|host|expect|upgrade)$/i.test(name),
      ),
      ...Array.from({ length: many }, (_, i): [string, string] => [`x-filler-${i}`, 'y'.repeat(100)]),
    ]),
    body: bodyFor(endpoint.path),
    framing: fc.constantFrom<Framing>(
      'length',
      'length',
      'length',
      'length',
      'length',
      'length',
      'chunked',
      'chunked',
      'bad-chunked',
      'truncated',
      'both',
      'bad-length',
      'none',
    ),
  }),
);

function encode(c: Case): { bytes: Buffer; endAfterWrite: boolean } {
  const lines = [`${c.method} ${c.target} HTTP/1.1`, 'host: 127.0.0.1', 'connection: close'];
  for (const [name, value] of c.headers) lines.push(`${name}: ${value}`);
  let body = bytesOf(c.body);
  switch (c.framing) {
    case 'length':
      lines.push(`content-length: ${body.length}`);
      break;
    case 'chunked':
      lines.push('transfer-encoding: chunked');
      body = Buffer.concat([
        Buffer.from(`${body.length.toString(16)}\r\n`),
        body,
        Buffer.from('\r\n0\r\n\r\n'),
      ]);
      break;
    case 'bad-chunked':
      lines.push('transfer-encoding: chunked');
      body = Buffer.concat([Buffer.from('zz\r\n'), body, Buffer.from('\r\n0\r\n\r\n')]);
      break;
    case 'truncated':
      lines.push(`content-length: ${body.length + 100}`);
      break;
    case 'both':
      lines.push(`content-length: ${body.length}`, 'transfer-encoding: chunked');
      break;
    case 'bad-length':
      lines.push('content-length: 12abc');
      break;
    case 'none':
      body = Buffer.alloc(0);
      break;
  }
  return {
    bytes: Buffer.concat([Buffer.from(`${lines.join('\r\n')}\r\n\r\n`, 'latin1'), body]),
    endAfterWrite: c.framing === 'truncated',
  };
}

/** A JSON error in either provider's shape. */
function isJsonError(body: Buffer): boolean {
  try {
    const parsed = JSON.parse(body.toString('utf8')) as { error?: unknown; type?: unknown };
    return (typeof parsed.error === 'object' && parsed.error !== null) || parsed.type === 'error';
  } catch {
    return false;
  }
}

let fake: FakeProvider;
let project: SidecarProject;
let sidecar: SidecarProcess;
let port: number;

beforeAll(async () => {
  fake = await startFakeProvider({ recordLimit: 0 });
  project = await createSidecarProject(fake.url, { maxRequestBytes: MAX_REQUEST_BYTES });
  sidecar = await startSidecar(project);
  port = Number(new URL(sidecar.url).port);
});
afterAll(async () => {
  await sidecar?.kill9();
  await fake?.close();
  await project?.remove();
});

it('answers every fuzzed request with success or a JSON error, stays up, keeps memory and usage.db sound', async () => {
  const billedIds = new Set<string>();
  const calls = async (count: number) => {
    for (let i = 0; i < count; i++) {
      const outcome = await proxiedCall(sidecar.url, undefined, i % 2 ? 'chat' : 'messages-stream');
      expect(acknowledged(outcome)).toBe(true);
      if (outcome.id) billedIds.add(outcome.id);
    }
  };
  await calls(300); // warm-up (JIT, encodings, connection pools) before the baseline
  const rssBefore = rssMb(sidecar.pid);
  const statuses = new Map<number, number>();
  let ingested = 0;
  let closedWithoutAnswer = 0;
  let tried = 0;

  await fc.assert(
    fc.asyncProperty(caseArb, async (c) => {
      tried++;
      const { bytes, endAfterWrite } = encode(c);
      const exchange = await rawExchange(port, bytes, {
        endAfterWrite,
        headersSuffice: c.target === '/v1/events',
      });
      expect(exchange.timedOut).toBe(false);
      if (!exchange.response) {
        // Only a request the client itself cut short may go unanswered.
        expect(c.framing).toBe('truncated');
        closedWithoutAnswer++;
        return;
      }
      const { status, headers, body } = exchange.response;
      statuses.set(status, (statuses.get(status) ?? 0) + 1);
      expect(status).toBeGreaterThanOrEqual(200);
      expect(status).toBeLessThan(600);
      expect(status < 300 || status >= 400).toBe(true);
      if (status >= 400 && c.method !== 'HEAD') {
        expect(headers['content-type']).toMatch(/^application\/json/);
        expect(isJsonError(body)).toBe(true);
      }
      const id = headers['x-llmdev-request-id'];
      const routed = c.target.split('?')[0] ?? '';
      if (id && BILLED.has(routed)) billedIds.add(id);
      if (status === 202 && routed === '/v1/usage') {
        const { accepted, duplicates } = JSON.parse(body.toString()) as {
          accepted: number;
          duplicates: number;
        };
        ingested += accepted - duplicates;
      }
      expect(sidecar.child.exitCode).toBeNull();
    }),
    { numRuns: 1500 },
  );

  // Raw garbage: never a hang, never a crash.
  let garbage = 0;
  await fc.assert(
    fc.asyncProperty(fc.uint8Array({ minLength: 1, maxLength: 600 }), async (bytes) => {
      garbage++;
      // Sent, then the write side closed: the server sees all there will be.
      const exchange = await rawExchange(port, Buffer.from(bytes), { endAfterWrite: true });
      if (exchange.response) expect(isJsonError(exchange.response.body)).toBe(true);
      else expect(exchange.timedOut).toBe(false);
    }),
    { numRuns: 200 },
  );

  await calls(300); // still serving normally
  const rssAfter = rssMb(sidecar.pid);
  expect((await fetch(`${sidecar.url}/healthz`)).status).toBe(200);

  await sidecar.stop();
  const { integrity, ids } = inspectDatabase(project.databaseFile);
  const stored = new Set(ids);
  const missing = [...billedIds].filter((id) => !stored.has(id));
  console.log(
    [
      `HTTP fuzz: ${tried} requests over ${ENDPOINTS.length} endpoints + ${garbage} of raw bytes`,
      `  statuses: ${[...statuses.entries()]
        .sort(([a], [b]) => a - b)
        .map(([s, n]) => `${s}×${n}`)
        .join(' ')}; closed unanswered (client cut its own request): ${closedWithoutAnswer}`,
      `  sidecar RSS: ${rssBefore.toFixed(1)} MB before, ${rssAfter.toFixed(1)} MB after; still up: yes`,
      `  usage.db: integrity_check ${integrity}; ${ids.length} records = ${billedIds.size} answered billed calls (600 plain calls included) + ${ingested} ingested; missing: ${missing.length}`,
    ].join('\n'),
  );
  expect(integrity).toBe('ok');
  expect(missing).toEqual([]);
  // Proxied-call records are exactly the billed answers; the rest are the ingested records.
  expect(ids.length).toBe(billedIds.size + ingested);
  expect(rssAfter).toBeLessThan(rssBefore + 64);
});
