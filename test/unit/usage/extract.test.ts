import fc from 'fast-check';
import { API_KINDS } from '../../../src/usage/endpoints.js';
import { extractResponse } from '../../../src/usage/extract.js';
import { tokenUsageSchema } from '../../../src/usage/record.js';
import { wireJson } from '../../fixtures/wire/index.js';

describe('extractResponse on provider bodies', () => {
  it('reads an OpenAI chat completion: cached tokens are part of prompt_tokens', () => {
    expect(extractResponse('openai.chat', wireJson('openai-chat.json'))).toEqual({
      model: 'gpt-4o-2024-08-06',
      usage: {
        inputTokens: 1234,
        outputTokens: 56,
        cachedInputTokens: 1024,
        cacheWriteTokens: 0,
        cacheWrite1hTokens: 0,
        reasoningTokens: 0,
      },
      systemFingerprint: 'fp_07871e2ad8',
      responseId: 'chatcmpl-BfQ4x2kZ8vJ7mN3pR6sT1uW9yA0bC',
      outputText: 'Hello! How can I help you today? 👋',
    });
  });

  it('keeps reasoning tokens inside completion_tokens (a breakdown, not an addition)', () => {
    const { usage, systemFingerprint } = extractResponse(
      'openai.chat',
      wireJson('openai-chat-reasoning.json'),
    );
    expect(usage).toEqual({
      inputTokens: 210,
      outputTokens: 1250,
      cachedInputTokens: 0,
      cacheWriteTokens: 0,
      cacheWrite1hTokens: 0,
      reasoningTokens: 1216,
    });
    expect(systemFingerprint).toBeNull();
  });

  it('reads a legacy completion', () => {
    const extracted = extractResponse('openai.completions', wireJson('openai-completions.json'));
    expect(extracted.usage).toMatchObject({ inputTokens: 9, outputTokens: 12 });
    expect(extracted.outputText).toBe('\n\nThis is indeed a test, and it worked.');
    expect(extracted.model).toBe('gpt-3.5-turbo-instruct:20230824-v2');
  });

  it('reads embeddings (input only, no id)', () => {
    expect(extractResponse('openai.embeddings', wireJson('openai-embeddings.json'))).toEqual({
      model: 'text-embedding-3-small',
      usage: {
        inputTokens: 17,
        outputTokens: 0,
        cachedInputTokens: 0,
        cacheWriteTokens: 0,
        cacheWrite1hTokens: 0,
        reasoningTokens: 0,
      },
      systemFingerprint: null,
      responseId: null,
      outputText: '',
    });
  });

  it('reads a Responses API body: *_details breakdowns, text of the message items only', () => {
    expect(extractResponse('openai.responses', wireJson('openai-responses.json'))).toEqual({
      model: 'o4-mini-2025-04-16',
      usage: {
        inputTokens: 1500,
        outputTokens: 320,
        cachedInputTokens: 1152,
        cacheWriteTokens: 0,
        cacheWrite1hTokens: 0,
        reasoningTokens: 256,
      },
      systemFingerprint: null,
      responseId: 'resp_68a1b2c3d4e5f60718293a4b5c6d7e8f',
      outputText: 'Here is a short answer — café ☕.',
    });
  });

  it('adds Anthropic cache writes to input (input_tokens excludes them)', () => {
    expect(extractResponse('anthropic.messages', wireJson('anthropic-messages.json'))).toEqual({
      model: 'claude-sonnet-4-5-20250929',
      usage: {
        inputTokens: 21 + 1888,
        outputTokens: 393,
        cachedInputTokens: 0,
        cacheWriteTokens: 1888,
        cacheWrite1hTokens: 0,
        reasoningTokens: 0,
      },
      systemFingerprint: null,
      responseId: 'msg_01XFDUDYJgAACzvnptvVoYEL',
      outputText: 'Here is a summary of the document you cached.',
    });
  });

  it('adds Anthropic cache reads to input', () => {
    expect(extractResponse('anthropic.messages', wireJson('anthropic-messages-cached.json')).usage).toEqual({
      inputTokens: 472 + 1888,
      outputTokens: 120,
      cachedInputTokens: 1888,
      cacheWriteTokens: 0,
      cacheWrite1hTokens: 0,
      reasoningTokens: 0,
    });
  });

  it('keeps the 1-hour part of Anthropic cache writes (cache_creation by TTL)', () => {
    const body = wireJson('anthropic-messages.json') as { usage: Record<string, unknown> };
    body.usage.cache_creation = { ephemeral_5m_input_tokens: 1500, ephemeral_1h_input_tokens: 388 };
    expect(extractResponse('anthropic.messages', body).usage).toEqual({
      inputTokens: 21 + 1888,
      outputTokens: 393,
      cachedInputTokens: 0,
      cacheWriteTokens: 1888,
      cacheWrite1hTokens: 388,
      reasoningTokens: 0,
    });
    // Only the breakdown: the total is its sum. A 1-hour part above the total is clamped to it.
    const { cache_creation_input_tokens: _total, ...rest } = body.usage;
    expect(extractResponse('anthropic.messages', { usage: rest }).usage).toMatchObject({
      inputTokens: 21 + 1888,
      cacheWriteTokens: 1888,
      cacheWrite1hTokens: 388,
    });
    const tooMany = { ...body.usage, cache_creation: { ephemeral_1h_input_tokens: 5000 } };
    expect(extractResponse('anthropic.messages', { usage: tooMany }).usage).toMatchObject({
      cacheWriteTokens: 1888,
      cacheWrite1hTokens: 1888,
    });
  });

  it('reads cache writes reported by OpenAI (prompt_tokens_details.cache_write_tokens)', () => {
    const body = {
      usage: {
        prompt_tokens: 3000,
        completion_tokens: 5,
        prompt_tokens_details: { cached_tokens: 0, cache_write_tokens: 2048 },
      },
    };
    expect(extractResponse('openai.chat', body).usage).toMatchObject({
      inputTokens: 3000,
      cacheWriteTokens: 2048,
      cacheWrite1hTokens: 0,
    });
  });

  it('clamps breakdowns that exceed their totals instead of going negative later', () => {
    const body = {
      usage: {
        prompt_tokens: 100,
        completion_tokens: 10,
        prompt_tokens_details: { cached_tokens: 150, cache_write_tokens: 30 },
        completion_tokens_details: { reasoning_tokens: 99 },
      },
    };
    expect(extractResponse('openai.chat', body).usage).toEqual({
      inputTokens: 100,
      outputTokens: 10,
      cachedInputTokens: 100,
      cacheWriteTokens: 0,
      cacheWrite1hTokens: 0,
      reasoningTokens: 10,
    });
  });

  it('returns nulls for provider error bodies', () => {
    for (const kind of API_KINDS) {
      for (const body of [wireJson('openai-error.json'), wireJson('anthropic-error.json')]) {
        const extracted = extractResponse(kind, body);
        expect(extracted.usage).toBeNull();
        expect(extracted.outputText).toBe('');
      }
    }
  });

  it('ignores negative and non-numeric counts, and rounds fractional ones', () => {
    const body = { model: 42, usage: { prompt_tokens: -5, completion_tokens: '7' } };
    expect(extractResponse('openai.chat', body)).toMatchObject({ model: null, usage: null });
    expect(
      extractResponse('openai.chat', { usage: { prompt_tokens: 10.4, completion_tokens: Number.NaN } }).usage,
    ).toEqual({
      inputTokens: 10,
      outputTokens: 0,
      cachedInputTokens: 0,
      cacheWriteTokens: 0,
      cacheWrite1hTokens: 0,
      reasoningTokens: 0,
    });
  });

  it('never throws on arbitrary JSON and only yields valid, non-negative usage (property)', () => {
    const usageLike = fc.record(
      {
        prompt_tokens: fc.oneof(fc.integer(), fc.double(), fc.string()),
        completion_tokens: fc.oneof(fc.integer(), fc.double()),
        input_tokens: fc.oneof(fc.integer(), fc.double(), fc.constant(null)),
        output_tokens: fc.oneof(fc.integer(), fc.double()),
        cache_read_input_tokens: fc.oneof(fc.integer(), fc.constant(null)),
        cache_creation_input_tokens: fc.oneof(fc.integer(), fc.constant(null)),
        cache_creation: fc.record(
          {
            ephemeral_5m_input_tokens: fc.integer(),
            ephemeral_1h_input_tokens: fc.oneof(fc.integer(), fc.double()),
          },
          { requiredKeys: [] },
        ),
        prompt_tokens_details: fc.record({ cached_tokens: fc.integer() }, { requiredKeys: [] }),
        input_tokens_details: fc.record({ cached_tokens: fc.integer() }, { requiredKeys: [] }),
        output_tokens_details: fc.record({ reasoning_tokens: fc.integer() }, { requiredKeys: [] }),
      },
      { requiredKeys: [] },
    );
    const body = fc.oneof(
      fc.jsonValue(),
      fc.record({
        model: fc.jsonValue(),
        usage: fc.oneof(usageLike, fc.jsonValue()),
        choices: fc.jsonValue(),
      }),
      fc.record({ output: fc.jsonValue(), content: fc.jsonValue(), usage: usageLike }),
    );
    let tried = 0;
    fc.assert(
      fc.property(fc.constantFrom(...API_KINDS), body, (kind, value) => {
        tried++;
        const extracted = extractResponse(kind, value);
        expect(typeof extracted.outputText).toBe('string');
        if (extracted.usage) {
          const usage = tokenUsageSchema.parse(extracted.usage);
          expect(usage.cachedInputTokens + usage.cacheWriteTokens).toBeLessThanOrEqual(usage.inputTokens);
          expect(usage.cacheWrite1hTokens).toBeLessThanOrEqual(usage.cacheWriteTokens);
          expect(usage.reasoningTokens).toBeLessThanOrEqual(usage.outputTokens);
        }
      }),
      { numRuns: 2000 },
    );
    console.log(`[property] extractResponse never throws on arbitrary JSON: ${tried} cases`);
  });
});
