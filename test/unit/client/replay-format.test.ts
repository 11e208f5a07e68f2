/** The side-by-side view of `llmdev replay`. */

import { formatReplay, wrap } from '../../../src/cli/commands/replay.js';
import type { CallView } from '../../../src/client/replay.js';

const call = (fields: Partial<CallView>): CallView => ({
  id: 'rec-1',
  ts: '2025-06-01T12:00:00.000Z',
  provider: 'openai',
  model: 'gpt-4o-mini',
  responseModel: 'gpt-4o-mini-2024-07-18',
  stream: false,
  status: 200,
  text: 'An answer.',
  usage: {
    inputTokens: 1234,
    outputTokens: 56,
    cachedInputTokens: 0,
    cacheWriteTokens: 0,
    cacheWrite1hTokens: 0,
    reasoningTokens: 0,
  },
  estimated: false,
  costUsd: 0.0002187,
  latencyMs: 812.4,
  ttfbMs: 301,
  systemFingerprint: 'fp_1',
  prompt: null,
  params: {},
  ...fields,
});

describe('formatReplay', () => {
  it('aligns both calls in columns and wraps both answers', () => {
    const text = formatReplay(
      {
        original: call({ text: 'The quick brown fox jumps over the lazy dog, twice over, and then rests.' }),
        replay: call({
          id: 'rec-2',
          model: 'gpt-4o',
          responseModel: null,
          costUsd: null,
          latencyMs: null,
          estimated: true,
          systemFingerprint: null,
          text: 'Short.',
        }),
      },
      60,
    );
    expect(text.split('\n')).toEqual([
      '                original             │ replay',
      'record          rec-1                │ rec-2',
      'model           gpt-4o-mini          │ gpt-4o',
      'response model  gpt-4o-mini-2024-07… │ -',
      'status          200                  │ 200',
      'input tokens    1,234                │ 1,234 (estimated)',
      'cached input    0                    │ 0',
      'output tokens   56                   │ 56 (estimated)',
      'cost            $0.000219            │ unpriced',
      'latency         812 ms               │ -',
      'first byte      301 ms               │ 301 ms',
      'fingerprint     fp_1                 │ -',
      '',
      'answer          The quick brown fox  │ Short.',
      '                jumps over the lazy  │',
      '                dog, twice over, and │',
      '                then rests.          │',
    ]);
  });

  it('says when an answer was not stored', () => {
    expect(formatReplay({ original: call({ text: null }), replay: call({}) }, 80)).toContain(
      'answer          (answer not stored)',
    );
  });
});

describe('wrap', () => {
  it('keeps paragraphs and cuts words longer than the width', () => {
    expect(wrap('aaaa bb\n\ncccccccccc', 4)).toEqual(['aaaa', 'bb', '', 'cccc', 'cccc', 'cc']);
  });
});
