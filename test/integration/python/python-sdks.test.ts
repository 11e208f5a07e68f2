/**
 * The stock openai and anthropic Python SDKs (python/.venv, `make python-deps`) against a real
 * sidecar in front of the fake provider: every API shape, sync and async, streaming and not, lands
 * in the log with tokens and cost; a wrong token, a budget refusal and a loop refusal come out as
 * each SDK's own error class with the sidecar's message.
 */
import { access } from 'node:fs/promises';
import { fileURLToPath } from 'node:url';
import { jest } from '@jest/globals';
import { execa } from 'execa';
import { PACKAGE_ROOT } from '../../../src/meta/index.js';
import { eventually, type GuardrailsHarness, startGuardrails, TOKEN } from '../guardrails/harness.js';

// A Python start that imports both SDKs takes seconds on a busy 2-core machine.
jest.setTimeout(120_000);

const PYTHON = `${PACKAGE_ROOT}/python/.venv/bin/python`;
const SCRIPT = fileURLToPath(new URL('../../fixtures/python/sdk_calls.py', import.meta.url));

interface Call {
  text: string;
  inputTokens: number | null;
}

interface Refusal {
  class: string | null;
  status?: number;
  message?: string;
}

/** One entry per repeat: each SDK's outcome. */
type Refusals = Record<'openai' | 'anthropic', Refusal>[];

/** Runs sdk_calls.py with the workspace's environment pointed at the harness; its JSON line. */
async function python<T>(h: GuardrailsHarness, args: string[], token = TOKEN): Promise<T> {
  const result = await execa(PYTHON, [SCRIPT, ...args], {
    reject: false,
    extendEnv: false,
    env: {
      PATH: process.env.PATH ?? '',
      OPENAI_BASE_URL: `${h.url}/v1`,
      ANTHROPIC_BASE_URL: h.url,
      OPENAI_API_KEY: token,
      ANTHROPIC_API_KEY: token,
    },
  });
  if (result.exitCode !== 0) {
    throw new Error(
      `sdk_calls.py ${args.join(' ')} failed (${result.exitCode}):\n${result.stderr}\n${result.stdout}`,
    );
  }
  return JSON.parse(String(result.stdout).trim().split('\n').at(-1) ?? '{}') as T;
}

beforeAll(async () => {
  await access(PYTHON).catch(() => {
    throw new Error(`${PYTHON} is missing: run \`make python-deps\` (a venv with openai, anthropic, pytest)`);
  });
});

describe('the stock Python SDKs through the sidecar', () => {
  let h: GuardrailsHarness;
  beforeAll(async () => {
    h = await startGuardrails();
  });
  afterAll(() => h.close());

  it('records every call, sync and async, streaming and not, with tokens and cost', async () => {
    const calls = await python<Record<string, Call>>(h, ['calls']);
    expect(Object.keys(calls).sort()).toEqual(
      [
        'chat',
        'chatStream',
        'responses',
        'responsesStream',
        'messages',
        'messagesStream',
        'asyncChat',
        'asyncChatStream',
        'asyncResponses',
        'asyncMessages',
        'asyncMessagesStream',
      ].sort(),
    );
    for (const [label, call] of Object.entries(calls)) {
      expect([label, call.text.length > 0, (call.inputTokens ?? 0) > 0]).toEqual([label, true, true]);
    }
    const records = await eventually(() => {
      const all = h.records();
      return all.length === 11 && all;
    }, 'the 11 records');
    const shape = records
      .map((r) => `${r.provider} ${r.endpoint} ${r.stream ? 'stream' : 'json'} ${r.status}`)
      .reverse();
    expect(shape).toEqual([
      'openai /v1/chat/completions json 200',
      'openai /v1/chat/completions stream 200',
      'openai /v1/responses json 200',
      'openai /v1/responses stream 200',
      'anthropic /v1/messages json 200',
      'anthropic /v1/messages stream 200',
      'openai /v1/chat/completions json 200',
      'openai /v1/chat/completions stream 200',
      'openai /v1/responses json 200',
      'anthropic /v1/messages json 200',
      'anthropic /v1/messages stream 200',
    ]);
    for (const record of records) {
      expect(record).toMatchObject({ source: 'proxy', estimated: false, error: null });
      expect(record.usage.inputTokens).toBeGreaterThan(0);
      expect(record.usage.outputTokens).toBeGreaterThan(0);
      expect(record.costUsd).toBeGreaterThan(0);
    }
    // What each SDK saw is what was recorded.
    expect(records.at(-1)?.usage.inputTokens).toBe(calls.chat?.inputTokens);
  });

  it('a wrong token gets each SDK’s AuthenticationError, with the sidecar’s message', async () => {
    const before = h.fake.received.length;
    const [refused] = await python<Refusals>(h, ['refused'], 'not-the-token');
    expect(Object.keys(refused ?? {})).toEqual(['openai', 'anthropic']);
    for (const [sdk, refusal] of Object.entries(refused ?? {})) {
      expect(refusal).toMatchObject({ class: `${sdk}.AuthenticationError`, status: 401 });
      expect(refusal.message).toContain('The llmdev sidecar access token in the request is not valid.');
    }
    expect(h.fake.received.length).toBe(before); // nothing went upstream
  });
});

describe('budget and loop refusals in the Python SDKs', () => {
  it('a blocking budget: RateLimitError in both SDKs, with the budget’s message', async () => {
    const h = await startGuardrails({
      config: { budgets: [{ name: 'tiny', scope: 'total', period: 'day', limitUsd: 0.000001 }] },
    });
    try {
      const [refused] = await python<Refusals>(h, ['refused']);
      expect(Object.keys(refused ?? {})).toEqual(['openai', 'anthropic']);
      for (const [sdk, refusal] of Object.entries(refused ?? {})) {
        expect(refusal).toMatchObject({ class: `${sdk}.RateLimitError`, status: 429 });
        expect(refusal.message).toMatch(/Budget "tiny" \(budgets\[0\]\) exceeded/);
      }
      expect(h.fake.received.filter((r) => r.method === 'POST')).toEqual([]);
    } finally {
      await h.close();
    }
  });

  it('loop detection: the third identical call is a RateLimitError saying it looks like a loop', async () => {
    const h = await startGuardrails({ config: { limits: { loopMaxRepeats: 2, loopWindowSeconds: 60 } } });
    try {
      const [first, second, third] = await python<Refusals>(h, ['refused', '3']);
      const allowed = { openai: { class: null }, anthropic: { class: null } };
      expect([first, second]).toEqual([allowed, allowed]);
      expect(Object.keys(third ?? {})).toEqual(['openai', 'anthropic']);
      for (const [sdk, refusal] of Object.entries(third ?? {})) {
        expect(refusal).toMatchObject({ class: `${sdk}.RateLimitError`, status: 429 });
        expect(refusal.message).toContain(
          'This looks like a loop: the same request was already sent 2 times',
        );
      }
    } finally {
      await h.close();
    }
  });
});
