/**
 * The same dev container through the official Dev Containers CLI, the way Codespaces delivers keys:
 * as environment variables, with no .secrets/ files. `devcontainer up` runs initialize.sh
 * (initializeCommand), which writes the OpenAI key file from OPENAI_API_KEY (Anthropic has none:
 * mock); both services start under the Compose project name llmdev computes too; `devcontainer
 * exec` gives the stock SDKs the sidecar token and URLs, never the key.
 */
import { randomBytes } from 'node:crypto';
import { access } from 'node:fs/promises';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { jest } from '@jest/globals';
import { execa } from 'execa';
import type { UsageRecord } from '../../../src/usage/record.js';
import { type FakeProvider, startFakeProvider } from '../../fixtures/fake-provider.js';
import {
  createProject,
  expectSuccess,
  hostAddressForContainers,
  leftovers,
  SDK_PACKAGES,
  sidecarGet,
  type TestProject,
} from './stack.js';

jest.setTimeout(20 * 60_000);

const DEVCONTAINER = fileURLToPath(new URL('../../../node_modules/.bin/devcontainer', import.meta.url));
const OPENAI_KEY = `sk-proj-${randomBytes(36).toString('base64url')}`;
let fake: FakeProvider;
let project: TestProject;

beforeAll(async () => {
  fake = await startFakeProvider({ host: '0.0.0.0', port: 0 });
  const openaiBaseUrl = `http://${hostAddressForContainers()}:${fake.port}/v1`;
  project = await createProject('dc', ({ name, hostPort }) => ({
    project: { name },
    sidecar: { hostPort },
    providers: { openai: { baseUrl: openaiBaseUrl } },
  }));
  expectSuccess(await project.cli(['generate']));
});

afterAll(async () => {
  await project?.destroy();
  await fake?.close();
});

/** `devcontainer <command> --workspace-folder <dir> [args...]`; fails with its output. */
async function devcontainer(command: string, ...args: string[]) {
  const result = await execa(DEVCONTAINER, [command, '--workspace-folder', project.dir, ...args], {
    reject: false,
    env: { OPENAI_API_KEY: OPENAI_KEY }, // a Codespaces secret
  });
  if (result.exitCode !== 0) {
    throw new Error(
      `devcontainer ${command} failed (${result.exitCode}):\n${result.stderr}\n${result.stdout}`,
    );
  }
  return result;
}

describe('the Dev Containers CLI', () => {
  it('brings up the workspace and the healthy sidecar under the project name llmdev uses', async () => {
    await expect(access(join(project.dir, '.secrets', 'openai_api_key'))).rejects.toThrow();
    const up = await devcontainer('up');
    expect(up.stdout + up.stderr).not.toContain(OPENAI_KEY);
    const outcome = JSON.parse(up.stdout.trim().split('\n').at(-1) ?? '{}') as {
      outcome: string;
      composeProjectName: string;
    };
    expect(outcome.outcome).toBe('success');
    expect(outcome.composeProjectName).toBe(await project.composeName());

    const status = JSON.parse(expectSuccess(await project.cli(['status', '--json'])).stdout);
    expect(status.project).toBe(outcome.composeProjectName);
    expect(status.containers).toEqual([
      expect.objectContaining({ service: 'usage-logger', state: 'running', health: 'healthy' }),
      expect.objectContaining({ service: 'workspace', state: 'running' }),
    ]);
    expect(status.sidecar.health.providers).toEqual({
      openai: expect.stringMatching(/^live/),
      anthropic: 'mock (no key)',
    });
  });

  it('`devcontainer exec` gives the stock SDKs the sidecar token and URLs; the calls are recorded', async () => {
    await devcontainer(
      'exec',
      'npm',
      'install',
      '--no-save',
      '--no-package-lock',
      '--no-audit',
      '--no-fund',
      '--loglevel=error',
      ...SDK_PACKAGES,
    );
    // No shell in between: the environment comes from the CLI's probe of a login shell (profile script).
    const run = await devcontainer('exec', 'node', 'sdk-calls.mjs');
    const results = JSON.parse(run.stdout.trim().split('\n').at(-1) ?? '{}') as {
      env: unknown;
      openai: { text: string };
      anthropic: { text: string };
    };
    expect(results.env).toEqual({ baseUrl: 'http://usage-logger:4100/v1', hasOpenAIKey: true });
    expect(results.openai.text).toBe('Hello from the fake provider.');
    expect(results.anthropic.text).toMatch(/mock/i);
    const upstream = fake.received.filter((r) => r.method === 'POST');
    expect(upstream.map((r) => r.headers.authorization)).toEqual([
      `Bearer ${OPENAI_KEY}`,
      `Bearer ${OPENAI_KEY}`,
    ]);
    const env = await devcontainer('exec', 'env');
    expect(env.stdout).toMatch(/^OPENAI_API_KEY=[0-9a-f]{64}$/m); // the sidecar token
    expect(env.stdout).not.toContain(OPENAI_KEY);

    const { records } = await sidecarGet<{ records: UsageRecord[] }>(project, '/v1/usage/records');
    expect(records.map((r) => [r.provider, r.source, r.stream]).reverse()).toEqual([
      ['openai', 'proxy', false],
      ['openai', 'proxy', true],
      ['anthropic', 'mock', false],
      ['anthropic', 'mock', true],
    ]);
  });

  it('`llmdev down --remove` removes what the Dev Containers CLI started, leaving no containers or networks', async () => {
    const name = await project.composeName();
    expectSuccess(await project.cli(['down', '--remove']));
    expect(await leftovers(name)).toEqual([]);
  });
});
