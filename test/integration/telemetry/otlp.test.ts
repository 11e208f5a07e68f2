/**
 * OTLP/HTTP export against a local HTTP server acting as the collector: one span per call with
 * the GenAI semantic-convention attributes, llmdev's own, and the call's real start and end; a
 * collector that is down never fails a call.
 */
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { eventually, type Harness, startHarness } from '../sidecar/harness.js';

interface OtlpValue {
  stringValue?: string;
  intValue?: string | number;
  doubleValue?: number;
  boolValue?: boolean;
  arrayValue?: { values: OtlpValue[] };
}
interface OtlpSpan {
  name: string;
  kind: number;
  startTimeUnixNano: string;
  endTimeUnixNano: string;
  attributes: { key: string; value: OtlpValue }[];
  status?: { code?: number; message?: string };
}
interface ExportRequest {
  resourceSpans: {
    resource: { attributes: { key: string; value: OtlpValue }[] };
    scopeSpans: { scope: { name: string }; spans: OtlpSpan[] }[];
  }[];
}

/** OTLP JSON attribute values as plain JS values (int64 arrive as strings or numbers). */
function plain(value: OtlpValue): unknown {
  if (value.stringValue !== undefined) return value.stringValue;
  if (value.intValue !== undefined) return Number(value.intValue);
  if (value.doubleValue !== undefined) return value.doubleValue;
  if (value.boolValue !== undefined) return value.boolValue;
  if (value.arrayValue) return value.arrayValue.values.map(plain);
  return undefined;
}

const attributesOf = (list: { key: string; value: OtlpValue }[]) =>
  Object.fromEntries(list.map(({ key, value }) => [key, plain(value)]));

interface Collector {
  url: string;
  requests: { contentType: string | undefined; body: ExportRequest }[];
  spans(): { span: OtlpSpan; attributes: Record<string, unknown>; resource: Record<string, unknown> }[];
  close(): Promise<void>;
}

async function startCollector(): Promise<Collector> {
  const requests: Collector['requests'] = [];
  const server: Server = createServer((req, res) => {
    const chunks: Buffer[] = [];
    req.on('data', (chunk: Buffer) => chunks.push(chunk));
    req.on('end', () => {
      if (req.method === 'POST' && req.url === '/v1/traces') {
        requests.push({
          contentType: req.headers['content-type'],
          body: JSON.parse(Buffer.concat(chunks).toString('utf8')) as ExportRequest,
        });
      }
      res.writeHead(200, { 'content-type': 'application/json' });
      res.end('{}');
    });
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  return {
    url: `http://127.0.0.1:${(server.address() as AddressInfo).port}`,
    requests,
    spans: () =>
      requests.flatMap(({ body }) =>
        body.resourceSpans.flatMap((rs) =>
          rs.scopeSpans.flatMap((ss) =>
            ss.spans.map((span) => ({
              span,
              attributes: attributesOf(span.attributes),
              resource: attributesOf(rs.resource.attributes),
            })),
          ),
        ),
      ),
    close: () => new Promise((resolve) => server.close(() => resolve())),
  };
}

let collector: Collector;
let h: Harness;
beforeAll(async () => {
  collector = await startCollector();
  h = await startHarness({ config: { telemetry: { otlpEndpoint: `${collector.url}/v1/traces` } } });
});
afterAll(async () => {
  await h.close();
  await collector.close();
});

const spanOf = (id: string | null) =>
  eventually(
    () => collector.spans().find((s) => s.attributes['llmdev.record_id'] === id),
    `the span of ${id}`,
    10_000,
  );

describe('OTLP export (telemetry.otlpEndpoint)', () => {
  it('sends one CLIENT span per call with GenAI attributes, llmdev attributes and real times', async () => {
    const { response } = await h.openai.chat.completions
      .create(
        {
          model: 'gpt-4o-mini',
          messages: [{ role: 'user', content: 'Summarize' }],
          temperature: 0.2,
          top_p: 0.9,
          max_tokens: 64,
          seed: 7,
          stop: ['END'],
        },
        { headers: { 'x-llmdev-tags': 'team=search,run=42', 'x-llmdev-prompt': 'summarize@3' } },
      )
      .withResponse();
    const id = response.headers.get('x-llmdev-request-id');
    const { span, attributes, resource } = await spanOf(id);
    const record = h.records().find((r) => r.id === id);
    if (!record) throw new Error('record not stored');

    expect(collector.requests[0]?.contentType).toMatch(/^application\/json/);
    expect(span.name).toBe('chat gpt-4o-mini');
    expect(span.kind).toBe(3); // SPAN_KIND_CLIENT
    expect(resource).toMatchObject({ 'service.name': 'llmdev-sidecar', 'llmdev.project': 'sidecar-test' });
    expect(attributes).toMatchObject({
      'gen_ai.operation.name': 'chat',
      'gen_ai.provider.name': 'openai',
      'gen_ai.system': 'openai',
      'gen_ai.request.model': 'gpt-4o-mini',
      'gen_ai.response.model': 'gpt-4o-mini',
      'gen_ai.request.stream': false,
      'gen_ai.usage.input_tokens': record.usage.inputTokens,
      'gen_ai.usage.output_tokens': record.usage.outputTokens,
      'gen_ai.usage.cache_read.input_tokens': record.usage.cachedInputTokens,
      'gen_ai.request.temperature': 0.2,
      'gen_ai.request.top_p': 0.9,
      'gen_ai.request.max_tokens': 64,
      'gen_ai.request.seed': 7,
      'gen_ai.request.stop_sequences': ['END'],
      'gen_ai.prompt.name': 'summarize',
      'http.response.status_code': 200,
      'llmdev.source': 'proxy',
      'llmdev.cache.hit': false,
      'llmdev.cost.unpriced': false,
      'llmdev.prompt.version': '3',
      'llmdev.tag.team': 'search',
      'llmdev.tag.run': '42',
    });
    expect(attributes['llmdev.cost.usd']).toBeCloseTo(record.costUsd ?? Number.NaN, 15);
    expect(record.usage.inputTokens).toBeGreaterThan(0);

    // The call's real start (the record's ts) and end (start + latency), in nanoseconds.
    const start = BigInt(span.startTimeUnixNano);
    const end = BigInt(span.endTimeUnixNano);
    expect(start / 1_000_000n).toBe(BigInt(Date.parse(record.ts)));
    const latencyNs = Number(end - start);
    expect(Math.abs(latencyNs - (record.latencyMs ?? 0) * 1e6)).toBeLessThan(1000);
    expect(latencyNs).toBeGreaterThan(0);
  });

  it('marks failed calls as errors and streams with their time to first chunk', async () => {
    const failed = await h.anthropic.messages
      .create(
        { model: 'claude-sonnet-4-20250514', max_tokens: 20, messages: [{ role: 'user', content: 'Hi' }] },
        { headers: { 'x-fake-scenario': 'error-503' } },
      )
      .catch((error: { headers?: Headers }) => error);
    const failedId = (failed as { headers?: Headers }).headers?.get('x-llmdev-request-id') ?? null;
    const { span, attributes } = await spanOf(failedId);
    expect(span.status?.code).toBe(2); // STATUS_CODE_ERROR
    expect(attributes).toMatchObject({ 'error.type': '503', 'gen_ai.provider.name': 'anthropic' });

    const { response, data: stream } = await h.openai.chat.completions
      .create({ model: 'gpt-4o-mini', stream: true, messages: [{ role: 'user', content: 'Hi' }] })
      .withResponse();
    for await (const _ of stream) {
      // drain
    }
    const streamed = await spanOf(response.headers.get('x-llmdev-request-id'));
    expect(streamed.attributes['gen_ai.request.stream']).toBe(true);
    expect(streamed.attributes['gen_ai.response.time_to_first_chunk']).toEqual(expect.any(Number));
    expect(streamed.span.status?.code ?? 0).toBe(0);
  });
});

describe('a collector that is down', () => {
  it('never fails or delays a call; the export failure is logged once', async () => {
    const down = await startCollector();
    await down.close(); // nothing listens on its port any more
    const harness = await startHarness({ config: { telemetry: { otlpEndpoint: `${down.url}/v1/traces` } } });
    try {
      for (let i = 0; i < 3; i++) {
        const completion = await harness.openai.chat.completions.create({
          model: 'gpt-4o-mini',
          messages: [{ role: 'user', content: `Hi ${i}` }],
        });
        expect(completion.choices[0]?.message.content).toEqual(expect.any(String));
      }
      const warnings = await eventually(
        () => {
          const lines = harness.logs.filter((line) => line.includes('OTLP export failed'));
          return lines.length > 0 && lines;
        },
        'the export warning',
        20_000,
      );
      expect(warnings).toHaveLength(1); // at most one a minute
      expect(JSON.parse(warnings[0] as string)).toMatchObject({
        level: 'warn',
        spans: expect.any(Number),
        error: expect.stringContaining('ECONNREFUSED'),
      });
    } finally {
      await harness.close();
    }
  }, 30_000); // the exporter retries for ~8 s before it gives up on a batch
});
