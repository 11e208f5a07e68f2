import { parseConfig } from '../../../src/config/load.js';
import { outputCapGuard } from '../../../src/sidecar/limits/output-cap.js';
import {
  assumedOutputCap,
  billedChoices,
  outputTokensToReserve,
  overCap,
  requestedOutputTokens,
  withOutputCap,
} from '../../../src/sidecar/limits/output-tokens.js';
import { admit } from '../../../src/sidecar/proxy/guards.js';
import { guardedCall } from '../../helpers/guarded-call.js';

const { limits } = parseConfig({
  text: JSON.stringify({
    project: { name: 'demo' },
    limits: { defaultMaxOutputTokens: 4096, modelMaxOutputTokens: { 'gpt-5': 32_000 } },
  }),
});

describe('output tokens', () => {
  it('reads the cap of each API', () => {
    expect(requestedOutputTokens('openai.chat', { max_tokens: 10 })).toBe(10);
    expect(requestedOutputTokens('openai.chat', { max_tokens: 10, max_completion_tokens: 20 })).toBe(20);
    expect(requestedOutputTokens('openai.responses', { max_output_tokens: 30, max_tokens: 1 })).toBe(30);
    expect(requestedOutputTokens('openai.completions', { max_tokens: 40 })).toBe(40);
    expect(requestedOutputTokens('anthropic.messages', { max_tokens: 50 })).toBe(50);
    expect(requestedOutputTokens('openai.embeddings', { max_tokens: 50 })).toBe(0);
    expect(requestedOutputTokens('openai.chat', {})).toBeNull();
    expect(requestedOutputTokens('openai.chat', { max_tokens: 'lots' })).toBeNull();
  });

  it('counts every completion billed: n, best_of', () => {
    expect(billedChoices('openai.chat', { n: 4 })).toBe(4);
    expect(billedChoices('openai.completions', { n: 2, best_of: 5 })).toBe(5);
    expect(billedChoices('anthropic.messages', { n: 4 })).toBe(1);
    expect(billedChoices('openai.chat', { n: 0 })).toBe(1);
  });

  it('reserves the request cap, else the model default, else the global default', () => {
    expect(outputTokensToReserve('openai.chat', { max_tokens: 100, n: 2 }, 'gpt-4o', limits)).toBe(200);
    expect(outputTokensToReserve('openai.chat', {}, 'gpt-5', limits)).toBe(32_000);
    expect(outputTokensToReserve('openai.responses', {}, 'gpt-4o', limits)).toBe(4096);
    expect(outputTokensToReserve('openai.embeddings', {}, 'text-embedding-3-small', limits)).toBe(0);
  });

  it('overCap names the first field above the cap', () => {
    expect(overCap({ max_tokens: 100 }, 100)).toBeNull();
    expect(overCap({ max_tokens: 100, max_output_tokens: 101 }, 100)).toEqual({
      field: 'max_output_tokens',
      value: 101,
    });
  });
});

describe('setting an output cap', () => {
  it('uses each API’s own field, and the one for chat that also bounds reasoning', () => {
    expect(withOutputCap('openai.chat', { model: 'm' }, 7)).toEqual({ model: 'm', max_completion_tokens: 7 });
    expect(withOutputCap('openai.completions', {}, 7)).toEqual({ max_tokens: 7 });
    expect(withOutputCap('openai.responses', {}, 7)).toEqual({ max_output_tokens: 7 });
    expect(withOutputCap('anthropic.messages', {}, 7)).toEqual({ max_tokens: 7 });
    expect(withOutputCap('openai.embeddings', { input: 'x' }, 7)).toEqual({ input: 'x' });
  });

  it('assumes the per-model cap, else the default', () => {
    expect(assumedOutputCap('gpt-5', limits)).toBe(32_000);
    expect(assumedOutputCap('other', limits)).toBe(4096);
  });
});

describe('outputCapGuard', () => {
  it('400 with the field, the cap and the setting to change', async () => {
    const guard = outputCapGuard(1000);
    const ok = guardedCall('anthropic.messages', {
      model: 'claude-sonnet-4-5',
      max_tokens: 1000,
      messages: [],
    });
    expect(await admit([guard], ok)).toEqual({ settles: [] });
    const big = guardedCall('openai.chat', { model: 'gpt-4o', max_completion_tokens: 100_000, messages: [] });
    expect(await admit([guard], big)).toEqual({
      rejected: {
        status: 400,
        kind: 'invalid_request',
        code: 'max_tokens_too_large',
        message:
          'max_completion_tokens is 100000, above the llmdev cap of 1000 output tokens per request. Lower max_completion_tokens, or raise limits.maxOutputTokens in llmdev.config.yaml.',
      },
    });
  });
});
