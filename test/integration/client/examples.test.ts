/**
 * The examples, run as a user runs them (`tsx examples/X.ts`, importing `llmdev/client`) against the
 * real sidecar with no API keys (mock provider): each one works and its calls are in the log.
 */

import { fileURLToPath } from 'node:url';
import { jest } from '@jest/globals';
import { execa } from 'execa';
import { type Harness, startHarness } from '../sidecar/harness.js';

jest.setTimeout(60_000); // each case runs an example (TypeScript through tsx) in a child process

const ROOT = fileURLToPath(new URL('../../../', import.meta.url));

let h: Harness;
beforeAll(async () => {
  h = await startHarness({ keys: { openai: '', anthropic: '' } });
});
afterAll(() => h.close());

async function runExample(name: string) {
  return execa('node', ['--import', 'tsx', `examples/${name}.ts`], {
    cwd: ROOT,
    reject: false,
    extendEnv: false,
    env: {
      PATH: process.env.PATH ?? '',
      LLMDEV_URL: h.url,
      LLMDEV_TOKEN_FILE: `${h.secretsDir}/llmdev_token`,
    },
  });
}

describe('examples against the mock provider', () => {
  it.each([
    ['chat', /mock/],
    ['streaming', /llmdev mock OpenAI provider/],
    ['anthropic', /llmdev mock Anthropic provider/],
    ['prompt-versioned', /^prompt summarize@1\+[0-9a-f]{8}: /],
    ['cost-estimate', /at most \$\d\.\d{6} with 300 output tokens[\s\S]*actual: \d+ input/],
  ])('%s', async (name, output) => {
    const result = await runExample(name);
    expect(result.stderr).toBe('');
    expect(result.exitCode).toBe(0);
    expect(result.stdout).toMatch(output);
    const records = h.records().filter((r) => r.tags.example === name);
    expect(records).toHaveLength(1);
    expect(records[0]).toMatchObject({ source: 'mock', status: 200 });
    if (name === 'prompt-versioned') expect(records[0]?.promptName).toBe('summarize');
  });

  it('usage-summary reads the log back: the calls above by model and by prompt', async () => {
    const result = await runExample('usage-summary');
    expect(result.stderr).toBe('');
    expect(result.exitCode).toBe(0);
    expect(result.stdout).toMatch(/^usage since 1h\n\nmodel +calls +input +output +cost\n/);
    expect(result.stdout).toMatch(/\ntotal +5 /);
    expect(result.stdout).toMatch(/\nsummarize@1\+[0-9a-f]{8} +1 /);
  });
});
