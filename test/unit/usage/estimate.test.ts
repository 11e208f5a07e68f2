import fc from 'fast-check';
import { API_KINDS } from '../../../src/usage/endpoints.js';
import {
  countTextTokens,
  estimateInputTokens,
  estimateMessagesTokens,
  streamUsage,
} from '../../../src/usage/estimate.js';
import { createStreamObserver } from '../../../src/usage/sse.js';
import { COOKBOOK_MESSAGES } from '../../fixtures/cookbook-messages.js';
import { wireText } from '../../fixtures/wire/index.js';

const COOKBOOK_TOOLS = [
  {
    type: 'function',
    function: {
      name: 'get_current_weather',
      description: 'Get the current weather in a given location',
      parameters: {
        type: 'object',
        properties: {
          location: { type: 'string', description: 'The city and state, e.g. San Francisco, CA' },
          unit: {
            type: 'string',
            description: 'The unit of temperature to return',
            enum: ['celsius', 'fahrenheit'],
          },
        },
        required: ['location'],
      },
    },
  },
];
const COOKBOOK_TOOL_MESSAGES = [
  { role: 'system', content: 'You are a helpful assistant that can answer to questions about the weather.' },
  { role: 'user', content: "What's the weather like in San Francisco?" },
];

describe('OpenAI chat estimates (cookbook figures, verified there against the API)', () => {
  it.each([
    ['gpt-3.5-turbo', 129],
    ['gpt-4-0613', 129],
    ['gpt-4', 129],
    ['gpt-4o', 124],
    ['gpt-4o-mini', 124],
  ])('%s: %d prompt tokens', (model, expected) => {
    expect(estimateMessagesTokens(COOKBOOK_MESSAGES, model)).toBe(expected);
    expect(estimateInputTokens('openai.chat', { model, messages: COOKBOOK_MESSAGES })).toBe(expected);
  });

  it.each([
    ['gpt-3.5-turbo', 105],
    ['gpt-4', 105],
    ['gpt-4o', 101],
    ['gpt-4o-mini', 101],
  ])('%s with a function tool: %d prompt tokens', (model, expected) => {
    const body = { model, messages: COOKBOOK_TOOL_MESSAGES, tools: COOKBOOK_TOOLS };
    expect(estimateInputTokens('openai.chat', body)).toBe(expected);
  });

  it('counts text content parts like plain content, and images at a fixed size', () => {
    const plain = estimateMessagesTokens(
      [{ role: 'user', content: 'Describe this picture please.' }],
      'gpt-4o',
    );
    const parts = estimateMessagesTokens(
      [{ role: 'user', content: [{ type: 'text', text: 'Describe this picture please.' }] }],
      'gpt-4o',
    );
    expect(parts).toBe(plain);
    const image = (detail?: string) =>
      estimateMessagesTokens(
        [
          {
            role: 'user',
            content: [
              { type: 'text', text: 'Describe this picture please.' },
              {
                type: 'image_url',
                image_url: { url: 'data:image/png;base64,AAAA', ...(detail ? { detail } : {}) },
              },
            ],
          },
        ],
        'gpt-4o',
      );
    expect(image('low')).toBe(plain + 85);
    expect(image()).toBe(plain + 765);
  });

  it('counts assistant tool calls and tool results', () => {
    const base = [{ role: 'user', content: 'Weather in Paris?' }];
    const withCall = [
      ...base,
      {
        role: 'assistant',
        content: null,
        tool_calls: [
          {
            id: 'call_1',
            type: 'function',
            function: { name: 'get_weather', arguments: '{"city":"Paris"}' },
          },
        ],
      },
      { role: 'tool', tool_call_id: 'call_1', content: '{"temp_c": 21}' },
    ];
    const difference = estimateMessagesTokens(withCall, 'gpt-4o') - estimateMessagesTokens(base, 'gpt-4o');
    const expected =
      2 * 3 + // two more messages
      countTextTokens('assistant', 'gpt-4o') +
      3 +
      countTextTokens('get_weather', 'gpt-4o') +
      countTextTokens('{"city":"Paris"}', 'gpt-4o') +
      countTextTokens('tool', 'gpt-4o') +
      countTextTokens('call_1', 'gpt-4o') +
      countTextTokens('{"temp_c": 21}', 'gpt-4o');
    expect(difference).toBe(expected);
  });
});

describe('estimateInputTokens for the other APIs', () => {
  it('Responses API: a string input equals the same text as a user message item', () => {
    const asString = estimateInputTokens('openai.responses', { model: 'gpt-4.1', input: 'Tell me a joke.' });
    const asItem = estimateInputTokens('openai.responses', {
      model: 'gpt-4.1',
      input: [{ role: 'user', content: [{ type: 'input_text', text: 'Tell me a joke.' }] }],
    });
    expect(asString).toBe(asItem);
    const withInstructions = estimateInputTokens('openai.responses', {
      model: 'gpt-4.1',
      instructions: 'Be brief.',
      input: 'Tell me a joke.',
    });
    expect(withInstructions).toBe(
      asString + 3 + countTextTokens('developer', 'gpt-4.1') + countTextTokens('Be brief.', 'gpt-4.1'),
    );
  });

  it('Responses API: function calls, their outputs and function tools count', () => {
    const body = {
      model: 'gpt-4.1',
      input: [
        { role: 'user', content: 'Weather in Paris?' },
        { type: 'function_call', call_id: 'call_1', name: 'get_weather', arguments: '{"city":"Paris"}' },
        { type: 'function_call_output', call_id: 'call_1', output: '{"temp_c": 21}' },
      ],
    };
    const bare = estimateInputTokens('openai.responses', { model: 'gpt-4.1', input: [body.input[0]] });
    const count = (text: string) => countTextTokens(text, 'gpt-4.1');
    expect(estimateInputTokens('openai.responses', body)).toBe(
      bare + 3 + count('get_weather') + count('{"city":"Paris"}') + 3 + count('{"temp_c": 21}'),
    );
    const chatTool = COOKBOOK_TOOLS[0]?.function;
    const withTool = estimateInputTokens('openai.responses', {
      ...body,
      tools: [{ type: 'function', ...chatTool }],
    });
    const chatWithTool =
      estimateInputTokens('openai.chat', { model: 'gpt-4.1', messages: [], tools: COOKBOOK_TOOLS }) -
      estimateInputTokens('openai.chat', { model: 'gpt-4.1', messages: [] });
    expect(withTool - estimateInputTokens('openai.responses', body)).toBe(chatWithTool);
  });

  it('embeddings: strings, string arrays and token arrays', () => {
    const model = 'text-embedding-3-small';
    expect(estimateInputTokens('openai.embeddings', { model, input: 'hello world' })).toBe(2);
    expect(estimateInputTokens('openai.embeddings', { model, input: ['hello world', 'hello world'] })).toBe(
      4,
    );
    expect(estimateInputTokens('openai.embeddings', { model, input: [15339, 1917] })).toBe(2);
    expect(estimateInputTokens('openai.embeddings', { model, input: [[15339, 1917], [15339]] })).toBe(3);
  });

  it('completions: prompt and suffix', () => {
    const model = 'gpt-3.5-turbo-instruct';
    expect(estimateInputTokens('openai.completions', { model, prompt: 'hello world' })).toBe(2);
    expect(
      estimateInputTokens('openai.completions', { model, prompt: ['hello world'], suffix: 'hello world' }),
    ).toBe(4);
  });

  it('Anthropic: system as a string or as text blocks counts the same; tools add the hidden tool prompt', () => {
    const model = 'claude-sonnet-4-5';
    const messages = [{ role: 'user', content: 'What is the capital of France?' }];
    const withString = estimateInputTokens('anthropic.messages', {
      model,
      system: 'You are terse.',
      messages,
    });
    const withBlocks = estimateInputTokens('anthropic.messages', {
      model,
      system: [{ type: 'text', text: 'You are terse.', cache_control: { type: 'ephemeral' } }],
      messages,
    });
    expect(withBlocks).toBe(withString);
    const tool = { name: 'get_weather', description: 'Get the weather', input_schema: { type: 'object' } };
    const withTools = estimateInputTokens('anthropic.messages', {
      model,
      system: 'You are terse.',
      messages,
      tools: [tool],
    });
    const count = (text: string) => countTextTokens(text, model);
    expect(withTools - withString).toBe(
      346 + count('get_weather') + count('Get the weather') + count(JSON.stringify({ type: 'object' })),
    );
  });

  it('Anthropic: tool_use, tool_result, thinking and image blocks count', () => {
    const model = 'claude-opus-4-1';
    const body = {
      model,
      messages: [
        {
          role: 'user',
          content: [{ type: 'image', source: { type: 'base64', media_type: 'image/png', data: 'AAAA' } }],
        },
        {
          role: 'assistant',
          content: [
            { type: 'thinking', thinking: 'Need the weather.', signature: 'sig' },
            { type: 'tool_use', id: 'toolu_1', name: 'get_weather', input: { city: 'Paris' } },
          ],
        },
        {
          role: 'user',
          content: [
            { type: 'tool_result', tool_use_id: 'toolu_1', content: [{ type: 'text', text: '21C' }] },
          ],
        },
      ],
    };
    const count = (text: string) => countTextTokens(text, model);
    expect(estimateInputTokens('anthropic.messages', body)).toBe(
      3 +
        3 * 3 +
        1600 +
        count('Need the weather.') +
        count('get_weather') +
        count('{"city":"Paris"}') +
        count('21C'),
    );
  });

  it('never throws on arbitrary bodies and returns a non-negative integer (property)', () => {
    let tried = 0;
    const body = fc.oneof(
      fc.jsonValue(),
      fc.record({
        model: fc.oneof(fc.string(), fc.constantFrom('gpt-4o', 'gpt-4', 'claude-sonnet-4-5')),
        messages: fc.jsonValue(),
        input: fc.jsonValue(),
        prompt: fc.jsonValue(),
        system: fc.jsonValue(),
        tools: fc.jsonValue(),
        instructions: fc.jsonValue(),
      }),
    );
    fc.assert(
      fc.property(fc.constantFrom(...API_KINDS), body, (kind, value) => {
        tried++;
        const estimate = estimateInputTokens(kind, value);
        expect(Number.isInteger(estimate)).toBe(true);
        expect(estimate).toBeGreaterThanOrEqual(0);
      }),
      { numRuns: 1500 },
    );
    console.log(`[property] estimateInputTokens never throws on arbitrary bodies: ${tried} cases`);
  });
});

describe('streamUsage', () => {
  function summarize(kind: Parameters<typeof createStreamObserver>[0], text: string) {
    const observer = createStreamObserver(kind, { hideUsageOnlyChunk: false });
    observer.push(new TextEncoder().encode(text));
    return observer.end().summary;
  }

  it('uses the reported usage when the stream carried it', () => {
    const summary = summarize('openai.chat', wireText('openai-chat-stream.sse'));
    expect(streamUsage('openai.chat', {}, summary)).toEqual({ usage: summary.usage, estimated: false });
  });

  it('estimates an interrupted OpenAI stream from the request and the text streamed so far', () => {
    const text = wireText('openai-chat-stream.sse');
    const summary = summarize('openai.chat', text.slice(0, text.indexOf('"finish_reason":"stop"')));
    const request = { model: 'gpt-4o', messages: COOKBOOK_MESSAGES, stream: true };
    expect(streamUsage('openai.chat', request, summary)).toEqual({
      usage: {
        inputTokens: 124,
        outputTokens: countTextTokens('Hello! How can I help you today? 👋', 'gpt-4o'),
        cachedInputTokens: 0,
        cacheWriteTokens: 0,
        cacheWrite1hTokens: 0,
        reasoningTokens: 0,
      },
      estimated: true,
    });
  });

  it('counts streamed tool-call arguments as output when estimating', () => {
    const summary = summarize('openai.chat', wireText('openai-chat-stream-tools.sse'));
    const { usage } = streamUsage('openai.chat', { model: 'gpt-4.1-mini', messages: [] }, summary);
    expect(usage.outputTokens).toBe(countTextTokens(summary.extraOutputText, 'gpt-4.1-mini'));
    expect(usage.outputTokens).toBeGreaterThan(5);
  });

  it("keeps Anthropic's exact input and cache counts from message_start when the stream breaks", () => {
    const summary = summarize('anthropic.messages', wireText('anthropic-messages-stream-error.sse'));
    expect(streamUsage('anthropic.messages', { model: 'claude-sonnet-4-5', messages: [] }, summary)).toEqual({
      usage: {
        inputTokens: 472 + 1888,
        outputTokens: countTextTokens('Hello! The cached', 'claude-sonnet-4-5'),
        cachedInputTokens: 1888,
        cacheWriteTokens: 0,
        cacheWrite1hTokens: 0,
        reasoningTokens: 0,
      },
      estimated: true,
    });
  });
});
