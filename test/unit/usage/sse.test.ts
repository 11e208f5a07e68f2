import fc from 'fast-check';
import type { ApiKind } from '../../../src/usage/endpoints.js';
import { createStreamObserver, type StreamSummary } from '../../../src/usage/sse.js';
import { type WireFixture, wireText } from '../../fixtures/wire/index.js';

const utf8 = new TextEncoder();

interface Run {
  /** What push() returned for each chunk, then end()'s tail. */
  outputs: string[];
  forwarded: string;
  summary: StreamSummary;
}

function observe(kind: ApiKind, chunks: Uint8Array[], hideUsageOnlyChunk = false): Run {
  const observer = createStreamObserver(kind, { hideUsageOnlyChunk });
  const outputs = chunks.map((chunk) => observer.push(chunk));
  const { tail, summary } = observer.end();
  outputs.push(tail);
  return { outputs, forwarded: outputs.join(''), summary };
}

function splitAt(bytes: Uint8Array, cuts: readonly number[]): Uint8Array[] {
  const points = [...new Set(cuts.map((cut) => cut % (bytes.length + 1)))].sort((a, b) => a - b);
  const chunks: Uint8Array[] = [];
  let start = 0;
  for (const point of [...points, bytes.length]) {
    chunks.push(bytes.subarray(start, point));
    start = point;
  }
  return chunks;
}

function whole(kind: ApiKind, text: string, hide = false): Run {
  return observe(kind, [utf8.encode(text)], hide);
}

const EOLS = ['\n', '\r\n', '\r'] as const;

const STREAMS: readonly [WireFixture, ApiKind][] = [
  ['openai-chat-stream.sse', 'openai.chat'],
  ['openai-chat-stream-tools.sse', 'openai.chat'],
  ['openai-completions-stream.sse', 'openai.completions'],
  ['openai-responses-stream.sse', 'openai.responses'],
  ['openai-responses-stream-incomplete.sse', 'openai.responses'],
  ['anthropic-messages-stream.sse', 'anthropic.messages'],
  ['anthropic-messages-stream-tools.sse', 'anthropic.messages'],
  ['anthropic-messages-stream-error.sse', 'anthropic.messages'],
];

/** The fixture without its OpenAI usage-only event. */
function withoutUsageChunk(text: string): string {
  return text
    .split('\n\n')
    .filter((event) => !event.includes('"choices":[],"usage":{'))
    .join('\n\n');
}

describe('createStreamObserver on provider streams', () => {
  it('OpenAI chat: forwards every byte and takes usage from the final usage chunk', () => {
    const text = wireText('openai-chat-stream.sse');
    const { forwarded, summary } = whole('openai.chat', text);
    expect(forwarded).toBe(text);
    expect(summary).toEqual({
      usage: {
        inputTokens: 1234,
        outputTokens: 56,
        cachedInputTokens: 1024,
        cacheWriteTokens: 0,
        cacheWrite1hTokens: 0,
        reasoningTokens: 0,
      },
      partialUsage: null,
      model: 'gpt-4o-2024-08-06',
      systemFingerprint: 'fp_07871e2ad8',
      responseId: 'chatcmpl-BfQ4x2kZ8vJ7mN3pR6sT1uW9yA0bC',
      outputText: 'Hello! How can I help you today? 👋',
      extraOutputText: '',
      sawTerminalEvent: true,
      error: null,
    });
  });

  it('OpenAI chat: hides the usage-only chunk from a client that did not ask for it, keeps [DONE]', () => {
    const text = wireText('openai-chat-stream.sse');
    const { forwarded, summary } = whole('openai.chat', text, true);
    expect(forwarded).toBe(withoutUsageChunk(text));
    expect(forwarded).not.toContain('"usage":{');
    expect(forwarded.endsWith('data: [DONE]\n\n')).toBe(true);
    expect(summary.usage).toMatchObject({ inputTokens: 1234, outputTokens: 56 });
  });

  it('OpenAI chat without include_usage: no usage, tool-call text kept for estimation', () => {
    const { forwarded, summary } = whole('openai.chat', wireText('openai-chat-stream-tools.sse'), true);
    expect(forwarded).toBe(wireText('openai-chat-stream-tools.sse'));
    expect(summary).toMatchObject({
      usage: null,
      partialUsage: null,
      model: 'gpt-4.1-mini-2025-04-14',
      outputText: '',
      extraOutputText: 'get_current_weather{"location":"Paris, France","unit":"celsius"}',
      sawTerminalEvent: true,
    });
  });

  it('legacy completions: usage chunk, text, hiding', () => {
    const text = wireText('openai-completions-stream.sse');
    const { forwarded, summary } = whole('openai.completions', text, true);
    expect(forwarded).toBe(withoutUsageChunk(text));
    expect(summary.usage).toMatchObject({ inputTokens: 9, outputTokens: 12 });
    expect(summary.outputText).toBe('\n\nThis is indeed a test, and it worked.');
  });

  it('Responses API: usage from response.completed', () => {
    const text = wireText('openai-responses-stream.sse');
    const { forwarded, summary } = whole('openai.responses', text, true);
    expect(forwarded).toBe(text);
    expect(summary).toEqual({
      usage: {
        inputTokens: 1500,
        outputTokens: 320,
        cachedInputTokens: 1152,
        cacheWriteTokens: 0,
        cacheWrite1hTokens: 0,
        reasoningTokens: 256,
      },
      partialUsage: null,
      model: 'o4-mini-2025-04-16',
      systemFingerprint: null,
      responseId: 'resp_68a1b2c3d4e5f60718293a4b5c6d7e8f',
      outputText: 'Here is a short answer — café ☕.',
      extraOutputText: '',
      sawTerminalEvent: true,
      error: null,
    });
  });

  it('Responses API: response.incomplete also carries usage and ends the stream', () => {
    const { summary } = whole('openai.responses', wireText('openai-responses-stream-incomplete.sse'));
    expect(summary.usage).toEqual({
      inputTokens: 1500,
      outputTokens: 64,
      cachedInputTokens: 0,
      cacheWriteTokens: 0,
      cacheWrite1hTokens: 0,
      reasoningTokens: 60,
    });
    expect(summary.sawTerminalEvent).toBe(true);
  });

  it('Anthropic: input and cache reads from message_start, cumulative output from message_delta', () => {
    const text = wireText('anthropic-messages-stream.sse');
    const { forwarded, summary } = whole('anthropic.messages', text);
    expect(forwarded).toBe(text);
    expect(summary).toEqual({
      usage: {
        inputTokens: 472 + 1888,
        outputTokens: 120,
        cachedInputTokens: 1888,
        cacheWriteTokens: 0,
        cacheWrite1hTokens: 0,
        reasoningTokens: 0,
      },
      partialUsage: null,
      model: 'claude-sonnet-4-5-20250929',
      systemFingerprint: null,
      responseId: 'msg_01Aq9w938a90dw8q',
      outputText: 'Hello! The cached document says naïve things 🙂.',
      extraOutputText: '',
      sawTerminalEvent: true,
      error: null,
    });
  });

  it('Anthropic: input fields resent in message_delta replace (never add to) message_start values', () => {
    const { summary } = whole('anthropic.messages', wireText('anthropic-messages-stream-tools.sse'));
    expect(summary.usage).toEqual({
      inputTokens: 2210,
      outputTokens: 187,
      cachedInputTokens: 0,
      cacheWriteTokens: 0,
      cacheWrite1hTokens: 0,
      reasoningTokens: 120,
    });
    expect(summary.outputText).toBe('Let me check that for you.');
    expect(summary.extraOutputText).toBe(
      'The user wants the weather; call the tool for San Francisco.get_weather{"location": "San Francisco, CA"}',
    );
  });

  it('Anthropic: 1-hour cache writes from message_start survive a message_delta without them, at any split', () => {
    const text = wireText('anthropic-messages-stream.sse')
      .replace('"cache_creation_input_tokens":0', '"cache_creation_input_tokens":700')
      .replace(
        '"ephemeral_5m_input_tokens":0,"ephemeral_1h_input_tokens":0',
        '"ephemeral_5m_input_tokens":100,"ephemeral_1h_input_tokens":600',
      )
      .replace(
        '"usage":{"output_tokens":120}',
        '"usage":{"output_tokens":120,"cache_creation_input_tokens":700}',
      );
    const expected = {
      inputTokens: 472 + 1888 + 700,
      outputTokens: 120,
      cachedInputTokens: 1888,
      cacheWriteTokens: 700,
      cacheWrite1hTokens: 600,
      reasoningTokens: 0,
    };
    expect(whole('anthropic.messages', text).summary.usage).toEqual(expected);
    const bytes = utf8.encode(text);
    fc.assert(
      fc.property(fc.array(fc.nat(), { maxLength: 12 }), (cuts) => {
        expect(observe('anthropic.messages', splitAt(bytes, cuts)).summary.usage).toEqual(expected);
      }),
      { numRuns: 200 },
    );
  });

  it('Anthropic: a mid-stream error leaves only the partial usage of message_start', () => {
    const { summary } = whole('anthropic.messages', wireText('anthropic-messages-stream-error.sse'));
    expect(summary).toMatchObject({
      usage: null,
      partialUsage: { inputTokens: 472 + 1888, cachedInputTokens: 1888, outputTokens: 1 },
      outputText: 'Hello! The cached',
      sawTerminalEvent: false,
      error: 'Overloaded',
    });
  });

  it.each(STREAMS)('%s: a stream cut before its end has no terminal event', (fixture, kind) => {
    const text = wireText(fixture);
    const cut = text.lastIndexOf('data:');
    const { forwarded, summary } = whole(kind, text.slice(0, cut + 8));
    expect(forwarded).toBe(text.slice(0, cut + 8));
    expect(summary.sawTerminalEvent).toBe(false);
  });

  it('an OpenAI chat stream cut before the usage chunk has no usage and keeps the text so far', () => {
    const text = wireText('openai-chat-stream.sse');
    const { summary } = whole('openai.chat', text.slice(0, text.indexOf('"finish_reason":"stop"')));
    expect(summary).toMatchObject({
      usage: null,
      sawTerminalEvent: false,
      outputText: 'Hello! How can I help you today? 👋',
    });
  });

  it('forwards each event as soon as its blank line arrives, never later', () => {
    for (const [fixture, kind] of STREAMS) {
      for (const eol of EOLS) {
        const text = wireText(fixture).replaceAll('\n', eol);
        const bytes = utf8.encode(text);
        const blankLine = eol + eol;
        const eventEnds: number[] = []; // byte offsets just after each event's blank line
        for (
          let at = text.indexOf(blankLine);
          at !== -1;
          at = text.indexOf(blankLine, at + blankLine.length)
        ) {
          eventEnds.push(utf8.encode(text.slice(0, at + blankLine.length)).length);
        }
        const observer = createStreamObserver(kind, { hideUsageOnlyChunk: false });
        const late: number[] = []; // byte offsets where a complete event had not been forwarded
        const garbled: number[] = []; // byte offsets where the output was not the stream's next text
        let forwarded = '';
        let forwardedBytes = 0;
        let nextEnd = 0;
        for (let i = 0; i < bytes.length; i++) {
          const out = observer.push(bytes.subarray(i, i + 1));
          if (out) {
            if (!text.startsWith(out, forwarded.length)) garbled.push(i);
            forwarded += out;
            forwardedBytes += utf8.encode(out).length;
          }
          // Every complete event is out; with CRLF the final LF may still be on its way.
          while (nextEnd < eventEnds.length && (eventEnds[nextEnd] as number) <= i + 1) {
            if (forwardedBytes < (eventEnds[nextEnd] as number)) late.push(i);
            nextEnd++;
          }
        }
        expect({ fixture, eol, late, garbled }).toEqual({ fixture, eol, late: [], garbled: [] });
        expect(forwarded + observer.end().tail).toBe(text);
      }
    }
  });

  it('passes comments, keep-alives, unknown fields and a leading BOM through untouched', () => {
    const base = wireText('anthropic-messages-stream.sse');
    const text = `\uFEFF: keep-alive\n\nid: 7\nretry: 1000\n${base.replace('event: ping', ': comment\nevent: ping')}`;
    const { forwarded, summary } = whole('anthropic.messages', text);
    expect(forwarded).toBe(text);
    expect(summary.usage).toMatchObject({ outputTokens: 120 });
  });

  it('treats data split over several data: lines as one JSON document', () => {
    const text =
      'data: {"choices":[],\ndata: "usage":{"prompt_tokens":3,"completion_tokens":4}}\n\ndata: [DONE]\n\n';
    const { forwarded, summary } = whole('openai.chat', text, true);
    expect(forwarded).toBe('data: [DONE]\n\n');
    expect(summary.usage).toMatchObject({ inputTokens: 3, outputTokens: 4 });
  });

  it('reads an unterminated last event at end of stream and forwards it as is', () => {
    const { forwarded, summary } = whole(
      'openai.chat',
      'data: {"choices":[],"usage":{"prompt_tokens":3,"completion_tokens":4}}',
    );
    expect(forwarded).toBe('data: {"choices":[],"usage":{"prompt_tokens":3,"completion_tokens":4}}');
    expect(summary.usage).toMatchObject({ inputTokens: 3 });
  });

  it('records error events of OpenAI streams', () => {
    const { summary } = whole(
      'openai.chat',
      'data: {"error":{"message":"The server had an error","type":"server_error"}}\n\n',
    );
    expect(summary.error).toBe('The server had an error');
    const responses = whole(
      'openai.responses',
      'event: error\ndata: {"type":"error","code":"server_error","message":"boom","param":null,"sequence_number":3}\n\n',
    );
    expect(responses.summary.error).toBe('boom');
  });
});

describe('createStreamObserver split invariance (properties)', () => {
  const streams = STREAMS.flatMap(([fixture, kind]) =>
    EOLS.map((eol) => ({ fixture, kind, text: wireText(fixture).replaceAll('\n', eol) })),
  );

  it('any split of a provider stream gives the same forwarded text and the same summary', () => {
    let tried = 0;
    fc.assert(
      fc.property(
        fc.constantFrom(...streams),
        fc.boolean(),
        fc.array(fc.nat(), { maxLength: 40 }),
        ({ kind, text }, hide, cuts) => {
          tried++;
          const bytes = utf8.encode(text);
          const reference = observe(kind, [bytes], hide);
          const split = observe(kind, splitAt(bytes, cuts), hide);
          expect(split.forwarded).toBe(reference.forwarded);
          expect(split.summary).toEqual(reference.summary);
          if (!hide) expect(split.forwarded).toBe(text);
        },
      ),
      { numRuns: 1500 },
    );
    console.log(`[property] SSE split invariance on provider streams: ${tried} cases`);
  });

  it('any split of arbitrary SSE-like bytes gives the same output and summary, never throws', () => {
    const piece = fc.oneof(
      fc.constantFrom(
        'data: ',
        'data:',
        'event: ',
        ': c',
        '\n',
        '\r',
        '\r\n',
        '\n\n',
        '[DONE]',
        '\uFEFF',
        'é',
        '🙂',
      ),
      fc.constantFrom(
        '{"choices":[],"usage":{"prompt_tokens":5,"completion_tokens":2}}',
        '{"choices":[{"index":0,"delta":{"content":"hi"}}]}',
        '{"type":"message_start","message":{"usage":{"input_tokens":9,"output_tokens":1}}}',
        '{"type":"message_delta","usage":{"output_tokens":4}}',
        '{"type":"content_block_delta","delta":{"type":"text_delta","text":"yo"}}',
        '{"type":"response.completed","response":{"usage":{"input_tokens":3,"output_tokens":3}}}',
        '{"type":"response.output_text.delta","delta":"x"}',
      ),
      fc.string({ maxLength: 8 }),
    );
    const kinds: ApiKind[] = ['openai.chat', 'openai.completions', 'openai.responses', 'anthropic.messages'];
    let tried = 0;
    fc.assert(
      fc.property(
        fc.constantFrom(...kinds),
        fc.boolean(),
        fc.array(piece, { maxLength: 60 }),
        fc.array(fc.nat(), { maxLength: 30 }),
        (kind, hide, pieces, cuts) => {
          tried++;
          const text = pieces.join('');
          const bytes = utf8.encode(text);
          const reference = observe(kind, [bytes], hide);
          const split = observe(kind, splitAt(bytes, cuts), hide);
          expect(split.forwarded).toBe(reference.forwarded);
          expect(split.summary).toEqual(reference.summary);
          if (!hide) expect(reference.forwarded).toBe(text);
        },
      ),
      { numRuns: 3000 },
    );
    console.log(`[property] SSE split invariance on arbitrary SSE-like bytes: ${tried} cases`);
  });
});
