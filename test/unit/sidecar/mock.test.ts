import { mockResponse } from '../../../src/sidecar/mock/index.js';
import { mockReplyText, streamPieces } from '../../../src/sidecar/mock/reply.js';
import { CallControl } from '../../../src/sidecar/proxy/provider-response.js';

const read = async (body: AsyncIterable<Buffer>) => {
  let text = '';
  for await (const chunk of body) text += chunk.toString();
  return text;
};
const request = (kind: Parameters<typeof mockResponse>[0]['kind'], path: string, body: object) =>
  mockResponse({
    provider: path.startsWith('/v1/messages') ? 'anthropic' : 'openai',
    kind,
    path,
    body: body as Record<string, unknown>,
    id: 'abc-123',
    now: new Date(0),
    control: new CallControl(),
  });

describe('mock replies', () => {
  it('are deterministic and quote the last user message', () => {
    const body = {
      messages: [
        { role: 'user', content: 'first' },
        { role: 'assistant', content: 'x' },
        { role: 'user', content: [{ type: 'text', text: 'second' }] },
      ],
    };
    expect(mockReplyText('openai.chat', body)).toBe(mockReplyText('openai.chat', body));
    expect(mockReplyText('openai.chat', body)).toMatch(/You said: "second"$/);
    expect(mockReplyText('anthropic.messages', body)).toContain('mock Anthropic provider');
    expect(mockReplyText('openai.responses', { input: 'hi' })).toMatch(/"hi"$/);
  });

  it('are JSON when JSON output is requested', () => {
    expect(
      JSON.parse(
        mockReplyText('openai.responses', { input: 'x', text: { format: { type: 'json_schema' } } }),
      ),
    ).toMatchObject({ mock: true });
  });

  it('stream in pieces that add up to the text', () => {
    const text = mockReplyText('openai.chat', { messages: [{ role: 'user', content: 'a b c d e f g' }] });
    expect(streamPieces(text).join('')).toBe(text);
    expect(streamPieces('')).toEqual(['']);
  });
});

describe('mockResponse', () => {
  it('answers a stream as SSE ending with [DONE], usage chunk only when asked', async () => {
    const body = { model: 'gpt-4o-mini', stream: true, messages: [{ role: 'user', content: 'hi' }] };
    const plain = await read(request('openai.chat', '/v1/chat/completions', body).body);
    expect(plain.endsWith('data: [DONE]\n\n')).toBe(true);
    expect(plain).not.toContain('"choices":[]');
    const withUsage = await read(
      request('openai.chat', '/v1/chat/completions', { ...body, stream_options: { include_usage: true } })
        .body,
    );
    expect(withUsage).toContain('"choices":[],"usage":{"prompt_tokens"');
  });

  it('Anthropic streams follow the message_start … message_stop sequence', async () => {
    const response = request('anthropic.messages', '/v1/messages', {
      model: 'claude-sonnet-4-0',
      max_tokens: 5,
      stream: true,
      messages: [{ role: 'user', content: 'hi' }],
    });
    expect(response.headers['content-type']).toContain('text/event-stream');
    const events = [...(await read(response.body)).matchAll(/^event: (\w+)/gm)].map((m) => m[1]);
    expect(events[0]).toBe('message_start');
    expect(events.slice(-3)).toEqual(['content_block_stop', 'message_delta', 'message_stop']);
  });

  it('400 in the real format when a required field is missing', async () => {
    const response = request('anthropic.messages', '/v1/messages', {
      model: 'claude-sonnet-4-0',
      messages: [],
    });
    expect(response.status).toBe(400);
    expect(JSON.parse(await read(response.body))).toMatchObject({
      type: 'error',
      error: { message: expect.stringContaining('max_tokens') },
    });
  });

  it('embeddings: deterministic unit vectors per input', async () => {
    const body = { model: 'text-embedding-3-small', input: ['a', 'b', 'a'], dimensions: 16 };
    const json = JSON.parse(await read(request('openai.embeddings', '/v1/embeddings', body).body)) as {
      data: { embedding: number[] }[];
    };
    const [a, b, again] = json.data.map((d) => d.embedding);
    expect(again).toEqual(a);
    expect(b).not.toEqual(a);
    expect(Math.hypot(...(a ?? []))).toBeCloseTo(1, 5);
  });

  it('stops a stream when the call is aborted', async () => {
    const control = new CallControl();
    const response = mockResponse({
      provider: 'anthropic',
      kind: 'anthropic.messages',
      path: '/v1/messages',
      body: { model: 'claude-sonnet-4-0', max_tokens: 5, stream: true, messages: [] },
      id: 'x',
      now: new Date(0),
      control,
    });
    control.cancel(new Error('client gone'));
    await expect(read(response.body)).rejects.toThrow();
  });
});
