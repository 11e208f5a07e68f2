/**
 * `llmdev up` on a real engine, from a clean state: the workspace and the sidecar come up healthy,
 * the stock SDKs inside the workspace call through the sidecar (mock without keys, then live
 * against a fake provider on the host with real-looking keys), the records carry the right tokens
 * and cost, the provider keys appear nowhere they must not, and `llmdev down --remove` leaves nothing.
 */
import { randomBytes } from 'node:crypto';
import { jest } from '@jest/globals';
import { execa } from 'execa';
import { LLMDEV_VERSION } from '../../../src/meta/index.js';
import { createPricer } from '../../../src/pricing/index.js';
import type { UsageRecord } from '../../../src/usage/record.js';
import { type FakeProvider, startFakeProvider } from '../../fixtures/fake-provider.js';
import { EXPECTED_USAGE } from '../../fixtures/fake-provider-wire.js';
import {
  containerId,
  createProject,
  expectSuccess,
  hostAddressForContainers,
  imageContains,
  leftovers,
  readToken,
  SDK_PACKAGES,
  sidecarGet,
  streamContains,
  type TestProject,
} from './stack.js';

jest.setTimeout(20 * 60_000);

const OPENAI_KEY = `sk-proj-${randomBytes(36).toString('base64url')}`;
const ANTHROPIC_KEY = `sk-ant-api03-${randomBytes(60).toString('base64url')}`;
const KEYS = [OPENAI_KEY, ANTHROPIC_KEY];
const ANTHROPIC_MODEL = 'claude-3-5-haiku-latest';
/** USD per million tokens, so the expected cost below is plain arithmetic. */
const ANTHROPIC_PRICE = {
  inputPerMTok: 1,
  outputPerMTok: 5,
  cachedInputPerMTok: 0.1,
  cacheWritePerMTok: 1.25,
  cacheWrite1hPerMTok: 2,
};

interface SdkUsageOpenAI {
  prompt_tokens: number;
  completion_tokens: number;
}
interface SdkUsageAnthropic {
  input_tokens: number;
  output_tokens: number;
  cache_read_input_tokens?: number | null;
  cache_creation_input_tokens?: number | null;
}
interface SdkResults {
  env: { baseUrl: string; hasOpenAIKey: boolean };
  openai: { text: string; usage: SdkUsageOpenAI };
  openaiStream: { text: string; usage: SdkUsageOpenAI };
  anthropic: { text: string; usage: SdkUsageAnthropic };
  anthropicStream: { text: string; usage: SdkUsageAnthropic };
}

let fake: FakeProvider;
let project: TestProject;

beforeAll(async () => {
  fake = await startFakeProvider({ host: '0.0.0.0', port: 0 });
  const host = `http://${hostAddressForContainers()}:${fake.port}`;
  project = await createProject('life', ({ name, hostPort }) => ({
    project: { name },
    sidecar: { hostPort },
    providers: { openai: { baseUrl: `${host}/v1` }, anthropic: { baseUrl: host } },
    pricing: { overrides: { [ANTHROPIC_MODEL]: ANTHROPIC_PRICE } },
  }));
});

afterAll(async () => {
  await project?.destroy();
  await fake?.close();
});

async function runSdkScript(): Promise<SdkResults> {
  const run = await project.cli(['shell', '--', 'node', 'sdk-calls.mjs']);
  expectSuccess(run);
  return JSON.parse(run.stdout.trim().split('\n').at(-1) ?? '') as SdkResults;
}

async function newestRecords(count: number): Promise<UsageRecord[]> {
  const { records } = await sidecarGet<{ records: UsageRecord[] }>(
    project,
    `/v1/usage/records?limit=${count}`,
  );
  expect(records).toHaveLength(count);
  return records.reverse(); // oldest first: the order the script made the calls
}

const anthropicInput = (u: SdkUsageAnthropic) =>
  u.input_tokens + (u.cache_read_input_tokens ?? 0) + (u.cache_creation_input_tokens ?? 0);

describe('llmdev up on a real engine', () => {
  it('starts from a clean state and waits until the sidecar is healthy, printing the dashboard URL', async () => {
    const up = expectSuccess(await project.cli(['up']));
    expect(up.stderr).toContain(`Dashboard and API: http://127.0.0.1:${project.hostPort}/`);
    expect(up.stderr).toMatch(/usage-logger healthy \(openai mock \(no key\), anthropic mock \(no key\)\)/);

    const status = JSON.parse((await project.cli(['status', '--json'])).stdout);
    expect(status.containers).toEqual([
      expect.objectContaining({ service: 'usage-logger', state: 'running', health: 'healthy' }),
      expect.objectContaining({ service: 'workspace', state: 'running' }),
    ]);
    expect(status.containers[0].ports).toEqual([
      { containerPort: 4100, hostIp: '127.0.0.1', hostPort: project.hostPort },
    ]);
    expect(status.sidecar.health.providers).toEqual({ openai: 'mock (no key)', anthropic: 'mock (no key)' });
  });

  it('lets the stock SDKs in the workspace call the mock provider through the sidecar, recording each call', async () => {
    const install = await project.cli([
      'shell',
      '--',
      'npm',
      'install',
      '--no-save',
      '--no-package-lock',
      '--no-audit',
      '--no-fund',
      '--loglevel=error',
      ...SDK_PACKAGES,
    ]);
    expectSuccess(install);
    const results = await runSdkScript();
    expect(results.env).toEqual({ baseUrl: 'http://usage-logger:4100/v1', hasOpenAIKey: true });
    expect(results.openai.text).toMatch(/mock/i);
    expect(results.openaiStream.text.length).toBeGreaterThan(0);
    expect(fake.received).toHaveLength(0); // mock: nothing went upstream

    const records = await newestRecords(4);
    expect(records.map((r) => [r.provider, r.source, r.stream])).toEqual([
      ['openai', 'mock', false],
      ['openai', 'mock', true],
      ['anthropic', 'mock', false],
      ['anthropic', 'mock', true],
    ]);
    const [chat, chatStream, message, messageStream] = records as [
      UsageRecord,
      UsageRecord,
      UsageRecord,
      UsageRecord,
    ];
    expect(chat.usage).toMatchObject({
      inputTokens: results.openai.usage.prompt_tokens,
      outputTokens: results.openai.usage.completion_tokens,
    });
    expect(chatStream.usage).toMatchObject({
      inputTokens: results.openaiStream.usage.prompt_tokens,
      outputTokens: results.openaiStream.usage.completion_tokens,
    });
    expect(message.usage).toMatchObject({
      inputTokens: anthropicInput(results.anthropic.usage),
      outputTokens: results.anthropic.usage.output_tokens,
    });
    expect(messageStream.usage.outputTokens).toBe(results.anthropicStream.usage.output_tokens);
  });

  it('goes live when keys are set: `llmdev up` restarts the sidecar, calls reach the provider with the real key', async () => {
    for (const [name, key] of [
      ['openai_api_key', OPENAI_KEY],
      ['anthropic_api_key', ANTHROPIC_KEY],
    ] as const) {
      const set = await project.cli(['secrets', 'set', name], { input: `${key}\n` });
      expect(set.exitCode).toBe(0);
      expect(set.stderr).not.toContain(key);
    }
    const up = expectSuccess(await project.cli(['up']));
    // A running sidecar is restarted to mount the new files; it is recreated instead when its image
    // changed too (here: llmdev's sources edited since the first `up`).
    expect(up.stderr).toMatch(/restarting usage-logger: secret files changed|usage-logger-1 {2}Recreate/);
    expect(up.stderr).toMatch(/openai live \(http:\/\/[\d.]+:\d+\), anthropic live/);

    const results = await runSdkScript();
    expect(results.openai.usage).toMatchObject({ prompt_tokens: 1200, completion_tokens: 300 });
    expect(results.anthropic.usage).toMatchObject({ input_tokens: 100, output_tokens: 250 });

    const upstream = fake.received.filter((r) => r.method === 'POST');
    expect(upstream).toHaveLength(4);
    const token = await readToken(project.dir);
    for (const request of upstream) {
      const credentials = `${request.headers.authorization ?? ''} ${request.headers['x-api-key'] ?? ''}`;
      expect(credentials).toMatch(request.url.startsWith('/v1/chat') ? OPENAI_KEY : ANTHROPIC_KEY);
      expect(JSON.stringify(request.headers)).not.toContain(token); // the virtual key stays at the sidecar
    }

    const records = await newestRecords(4);
    expect(records.map((r) => [r.provider, r.source, r.stream, r.status])).toEqual([
      ['openai', 'proxy', false, 200],
      ['openai', 'proxy', true, 200],
      ['anthropic', 'proxy', false, 200],
      ['anthropic', 'proxy', true, 200],
    ]);
    const [chat, chatStream, message, messageStream] = records as [
      UsageRecord,
      UsageRecord,
      UsageRecord,
      UsageRecord,
    ];
    for (const record of [chat, chatStream]) {
      expect(record.usage).toEqual(EXPECTED_USAGE.chat);
      // Bundled prices inside the image, the same data the host has.
      const quote = createPricer().price('openai', record.model, EXPECTED_USAGE.chat);
      expect(quote.costUsd).toBeGreaterThan(0);
      expect(record.costUsd).toBeCloseTo(quote.costUsd ?? Number.NaN, 12);
    }
    // Override prices from llmdev.config.yaml: 100 plain + 2000 cache-read + 500 cache-write input, 250 output.
    // The fake's 500 cache writes: 200 with the 5-minute TTL, 300 with the 1-hour one.
    const anthropicCost = (100 * 1 + 2000 * 0.1 + 200 * 1.25 + 300 * 2 + 250 * 5) / 1e6;
    for (const record of [message, messageStream]) {
      expect(record.usage).toEqual(EXPECTED_USAGE.anthropic);
      expect(record.costUsd).toBeCloseTo(anthropicCost, 12);
      expect(record.pricingSource).toBe('override');
    }

    const summary = await sidecarGet<{
      totals: { requests: number };
      groups: { key: string; requests: number }[];
    }>(project, '/v1/usage/summary?group_by=provider');
    expect(summary.totals.requests).toBe(8);
    expect(summary.groups.map((g) => [g.key, g.requests]).sort()).toEqual([
      ['anthropic', 4],
      ['openai', 4],
    ]);
  });

  it('`llmdev doctor` passes every check on the running project (its port is held by its own sidecar)', async () => {
    const doctor = await project.cli(['doctor', '--json']);
    const { ok, checks } = JSON.parse(doctor.stdout) as {
      ok: boolean;
      checks: { check: string; ok: boolean; detail: string }[];
    };
    expect(checks.filter((c) => !c.ok)).toEqual([]);
    expect(ok).toBe(true);
    expect(doctor.exitCode).toBe(0);
    expect(checks.find((c) => c.check === `host port 127.0.0.1:${project.hostPort}`)?.detail).toMatch(
      /used by this project's usage-logger/,
    );
  });

  it('keeps the provider keys out of the workspace, every image layer and every log', async () => {
    const name = await project.composeName();
    const workspace = await containerId(name, 'workspace');
    const sidecar = await containerId(name, 'usage-logger');
    const token = await readToken(project.dir);

    // Environment: container metadata of both services, and a login shell in the workspace.
    const inspect = await execa('docker', ['inspect', workspace, sidecar]);
    for (const value of [...KEYS, token]) expect(inspect.stdout).not.toContain(value);
    const shellEnv = await project.cli(['shell', '--', 'env']);
    expect(shellEnv.stdout).toContain(`OPENAI_API_KEY=${token}`); // the virtual key, as designed
    for (const key of KEYS) expect(shellEnv.stdout).not.toContain(key);

    // Filesystem: the whole workspace, project mount included (its .secrets/ is hidden). The token
    // is searched too, as a control: it must be found, and only where it is mounted.
    const grep = await execa(
      'docker',
      [
        'exec',
        '-u',
        'root',
        workspace,
        'grep',
        '-rlsF',
        '--exclude-dir=proc',
        '--exclude-dir=sys',
        '--exclude-dir=dev',
        ...[...KEYS, token].flatMap((value) => ['-e', value]),
        '/',
      ],
      { reject: false },
    );
    expect(grep.stdout.split('\n')).toEqual(['/run/secrets/llmdev_token']);
    const hidden = await execa('docker', [
      'exec',
      '-u',
      'root',
      workspace,
      'ls',
      '-A',
      `/workspaces/${project.name}/.secrets`,
    ]);
    expect(hidden.stdout).toBe('');

    // Images: every layer, config and history entry of both images.
    const { stdout: workspaceImage } = await execa('docker', [
      'inspect',
      '-f',
      '{{.Config.Image}}',
      workspace,
    ]);
    // Each image's marker is a control: it must be found, proving the scan reads the layers.
    for (const [image, marker] of [
      [`llmdev-usage-logger:${LLMDEV_VERSION}`, 'better_sqlite3.node'],
      [workspaceImage.trim(), 'unset -f llmdev_read'], // from the profile script
    ] as const) {
      expect(await imageContains(image, [...KEYS, token, marker])).toEqual([marker]);
    }

    // Logs of both containers, as Docker keeps them and as `llmdev logs` shows them.
    for (const id of [workspace, sidecar]) {
      const logs = execa('docker', ['logs', id], { buffer: false, all: true });
      expect(await streamContains(logs.all as AsyncIterable<Buffer>, [...KEYS, token])).toEqual([]);
      await logs;
    }
    const logs = await project.cli(['logs']);
    expect(logs.exitCode).toBe(0);
    expect(logs.stdout).toMatch(/llmdev sidecar listening/);
    for (const value of [...KEYS, token]) expect(logs.stdout + logs.stderr).not.toContain(value);
  });

  it('`llmdev down --remove` leaves no containers or networks; `down --volumes` also drops the usage data', async () => {
    const name = await project.composeName();
    const down = await project.cli(['down', '--remove']);
    expect(down.exitCode).toBe(0);
    expect(await leftovers(name)).toEqual([]);
    const volumes = async () =>
      (await execa('docker', ['volume', 'ls', '-q', '--filter', `label=com.docker.compose.project=${name}`]))
        .stdout;
    expect(await volumes()).toContain(`${name}_usage-data`);
    expect((await project.cli(['down', '--volumes'])).exitCode).toBe(0);
    expect(await volumes()).toBe('');
  });
});
