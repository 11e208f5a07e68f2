/**
 * What the sidecar keeps for replay and serves at `GET /v1/usage/records/<id>`: the request body as
 * sent, the answer's text (streamed or not, capped like bodies, secrets masked), the sampling
 * params, prompt version and fingerprint; nothing when `sidecar.storeBodies` is off; deleted with
 * the record by retention.
 */
import { capText } from '../../../src/sidecar/proxy/record.js';
import { call, type Harness, startHarness } from '../sidecar/harness.js';

interface StoredCallBody {
  record: {
    id: string;
    params: Record<string, unknown>;
    promptName: string | null;
    systemFingerprint: string | null;
  };
  requestBody: unknown;
  responseText: string | null;
}

const ask = (content: string) => ({
  model: 'gpt-4o-mini',
  messages: [{ role: 'user' as const, content }],
  temperature: 0.7,
  seed: 11,
});

async function stored(h: Harness, id: string): Promise<{ status: number; body: StoredCallBody }> {
  const res = await call(h, `/v1/usage/records/${encodeURIComponent(id)}`);
  return { status: res.status, body: (await res.json()) as StoredCallBody };
}

describe('GET /v1/usage/records/<id>', () => {
  let h: Harness;
  beforeAll(async () => {
    h = await startHarness({ config: { sidecar: { maxStoredBodyBytes: 4096 } } });
  });
  afterAll(() => h.close());

  it('returns the record with the request as sent and the answer text, JSON and streamed', async () => {
    const { data, response } = await h.openai.chat.completions
      .create(ask('Hi'), { headers: { 'x-llmdev-prompt': 'hi@1' } })
      .withResponse();
    const id = response.headers.get('x-llmdev-request-id') as string;
    const { status, body } = await stored(h, id);
    expect(status).toBe(200);
    expect(body.requestBody).toEqual(ask('Hi'));
    expect(body.responseText).toBe(data.choices[0]?.message.content);
    expect(body.record).toMatchObject({
      id,
      params: { temperature: 0.7, seed: 11 },
      promptName: 'hi',
      systemFingerprint: data.system_fingerprint,
    });

    const { data: stream, response: streamed } = await h.openai.chat.completions
      .create({ ...ask('Hi'), stream: true })
      .withResponse();
    let text = '';
    for await (const chunk of stream) text += chunk.choices[0]?.delta.content ?? '';
    const streamedCall = await stored(h, streamed.headers.get('x-llmdev-request-id') as string);
    expect(streamedCall.body.responseText).toBe(text);
    // The body as the client sent it, not the one with include_usage added for upstream.
    expect(streamedCall.body.requestBody).toEqual({ ...ask('Hi'), stream: true });
  });

  it('caps the answer text like bodies, and masks key-shaped strings in both', async () => {
    const key = 'sk-proj-leakedKeyInAPrompt0123456789abcdefgh';
    const { response } = await h.openai.chat.completions.create(ask(`my key is ${key}`)).withResponse();
    const { body } = await stored(h, response.headers.get('x-llmdev-request-id') as string);
    expect(JSON.stringify(body)).not.toContain(key);
    expect(JSON.stringify(body.requestBody)).toContain('[redacted]');
    expect(capText('héllo wörld', 2)).toBe('h');
    expect(capText('héllo', 3)).toBe('hé');
    expect(capText('hello', 10)).toBe('hello');
  });

  it('404 for an unknown id, 401 without the token, and only one path segment matches', async () => {
    expect((await stored(h, 'no-such-id')).status).toBe(404);
    expect((await call(h, '/v1/usage/records/')).status).toBe(404);
    expect((await call(h, '/v1/usage/records/a/b')).status).toBe(404);
    expect((await fetch(`${h.url}/v1/usage/records/x`)).status).toBe(401);
    // The list route is unchanged.
    expect((await call(h, '/v1/usage/records?limit=1')).status).toBe(200);
  });

  it('retention deletes the stored text with its record', async () => {
    const { response } = await h.openai.chat.completions.create(ask('old')).withResponse();
    const id = response.headers.get('x-llmdev-request-id') as string;
    expect((await stored(h, id)).body.responseText).not.toBeNull();
    await h.sidecar.store.purge('9999-01-01T00:00:00.000Z');
    expect((await stored(h, id)).status).toBe(404);
    const left = h.sidecar.store.db.prepare('SELECT COUNT(*) AS n FROM response_texts').get() as {
      n: number;
    };
    expect(left.n).toBe(0);
  });
});

describe('with sidecar.storeBodies off', () => {
  let h: Harness;
  beforeAll(async () => {
    h = await startHarness({ config: { sidecar: { storeBodies: false } } });
  });
  afterAll(() => h.close());

  it('keeps neither the request nor the answer, but still the params, prompt and fingerprint', async () => {
    const { data, response } = await h.openai.chat.completions
      .create(ask('Hi'), { headers: { 'x-llmdev-prompt': 'hi@1' } })
      .withResponse();
    const { body } = await stored(h, response.headers.get('x-llmdev-request-id') as string);
    expect(body).toMatchObject({ requestBody: null, responseText: null });
    expect(body.record).toMatchObject({
      params: { temperature: 0.7, seed: 11 },
      promptName: 'hi',
      systemFingerprint: data.system_fingerprint,
    });
  });
});

describe('with a small sidecar.maxStoredBodyBytes', () => {
  let h: Harness;
  beforeAll(async () => {
    h = await startHarness({ config: { sidecar: { maxStoredBodyBytes: 12 } } });
  });
  afterAll(() => h.close());

  it('skips a larger request body and keeps the start of the answer', async () => {
    const { data, response } = await h.openai.chat.completions.create(ask('Hi')).withResponse();
    const { body } = await stored(h, response.headers.get('x-llmdev-request-id') as string);
    const answer = data.choices[0]?.message.content ?? '';
    expect(Buffer.byteLength(answer)).toBeGreaterThan(12);
    expect(body.requestBody).toBeNull();
    expect(Buffer.byteLength(body.responseText ?? '')).toBeLessThanOrEqual(12);
    expect(answer.startsWith(body.responseText ?? 'x')).toBe(true);
  });
});
