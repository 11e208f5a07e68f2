/**
 * `llmdev replay` end to end against the real sidecar and the fake provider: the stored request is
 * re-sent through the sidecar (tagged replay_of, same prompt version), old and new calls side by
 * side; and the errors when there is nothing to replay.
 */

import { mkdir, mkdtemp, rm, writeFile } from 'node:fs/promises';
import { createServer } from 'node:http';
import type { AddressInfo } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { jest } from '@jest/globals';
import { stringify } from 'yaml';
import { callOptions, createOpenAI } from '../../../src/client/clients.js';
import { replayCall } from '../../../src/client/replay.js';
import { Secret } from '../../../src/client/secret.js';
import { loadConfig } from '../../../src/client/settings.js';
import type { SidecarAccess } from '../../../src/client/sidecar-api.js';
import { runCli } from '../../helpers/cli.js';
import { call, type Harness, startHarness, TOKEN } from '../sidecar/harness.js';

jest.setTimeout(60_000); // several cases run the CLI (TypeScript through tsx) in a child process

/** A port nothing listens on. */
async function closedPort(): Promise<number> {
  const server = createServer();
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as AddressInfo;
  await new Promise((resolve) => server.close(resolve));
  return port;
}

const ask = { model: 'gpt-4o-mini', messages: [{ role: 'user' as const, content: 'Name a prime number.' }] };

describe('replay', () => {
  let h: Harness;
  let access: SidecarAccess;
  let workspaceEnv: Record<string, string>;
  beforeAll(async () => {
    h = await startHarness();
    access = { url: h.url, token: new Secret(TOKEN, 'test') };
    workspaceEnv = { LLMDEV_URL: h.url, LLMDEV_TOKEN_FILE: join(h.secretsDir, 'llmdev_token') };
  });
  afterAll(() => h.close());

  const openai = () =>
    createOpenAI({ settings: loadConfig({ env: workspaceEnv, envFile: false }), tags: { app: 'replay' } });

  async function recordedCall(extra: Record<string, unknown> = {}): Promise<string> {
    const client = openai();
    const { response } = await client.chat.completions
      .create(
        { ...ask, temperature: 0.4, ...extra } as typeof ask,
        callOptions(client, { prompt: 'primes@2' }),
      )
      .withResponse();
    return response.headers.get('x-llmdev-request-id') as string;
  }

  it('re-sends the stored request through the sidecar and shows both calls', async () => {
    const id = await recordedCall();
    const result = await replayCall(access, id);
    expect(result.original).toMatchObject({ id, model: 'gpt-4o-mini', status: 200, prompt: 'primes@2' });
    // The model the provider named in its answer (the fake echoes the requested one), read back from the store.
    expect(result.original.responseModel).toBe('gpt-4o-mini');
    expect(result.original.text).toBeTruthy();
    expect(result.replay.text).toBe(result.original.text); // the fake answers deterministically
    expect(result.replay.usage).toEqual(result.original.usage);
    expect(result.replay.costUsd).toBe(result.original.costUsd);
    expect(result.replay.params).toEqual({ temperature: 0.4 });
    const [replayed] = h.records();
    expect(replayed).toMatchObject({
      id: result.replay.id,
      tags: { app: 'replay', replay_of: id },
      promptName: 'primes',
      promptVersion: '2',
    });
    // What went upstream the second time is the original request.
    const upstream = h.fake.received.slice(-2).map((r) => JSON.parse(r.body) as unknown);
    expect(upstream[1]).toEqual(upstream[0]);
  });

  it('--model sends it to another model; streams are replayed as streams', async () => {
    const id = await recordedCall({ stream: true });
    const result = await replayCall(access, id, { model: 'gpt-4o' });
    expect(result.original).toMatchObject({ stream: true, systemFingerprint: 'fp_fake' });
    expect(result.replay).toMatchObject({
      model: 'gpt-4o',
      stream: true,
      status: 200,
      systemFingerprint: 'fp_fake',
    });
    expect(result.replay.text).toBe(result.original.text);
    expect(result.replay.costUsd).toBeGreaterThan(result.original.costUsd as number); // gpt-4o costs more
  });

  it('the CLI prints aligned columns, or JSON with --json (run in the workspace: LLMDEV_URL)', async () => {
    const id = await recordedCall();
    const table = await runCli(['replay', id], { env: workspaceEnv });
    expect(table.stderr).toContain(`replaying ${id} through ${h.url}`);
    expect(table.exitCode).toBe(0);
    const lines = table.stdout.split('\n');
    expect(lines[0]).toMatch(/^ {16}original {2,}│ replay$/);
    const costLine = lines.find((line) => line.startsWith('cost'));
    expect(costLine).toMatch(/^cost {12}\$\d\.\d{6} +│ \$\d\.\d{6}$/);
    const divider = (line: string) => line.indexOf('│');
    expect(new Set(lines.filter((line) => line.includes('│')).map(divider)).size).toBe(1);
    expect(table.stdout).toContain('answer');

    const json = await runCli(['replay', id, '--json', '--model', 'gpt-4.1-mini'], { env: workspaceEnv });
    expect(json.exitCode).toBe(0);
    const parsed = JSON.parse(json.stdout) as { original: { id: string }; replay: { model: string } };
    expect(parsed.original.id).toBe(id);
    expect(parsed.replay.model).toBe('gpt-4.1-mini');
  });

  it('on the host it finds the sidecar from llmdev.config.yaml and .secrets/', async () => {
    const project = await mkdtemp(join(tmpdir(), 'llmdev-replay-'));
    try {
      const port = Number(new URL(h.url).port);
      await writeFile(
        join(project, 'llmdev.config.yaml'),
        stringify({ project: { name: 'r' }, sidecar: { hostPort: port } }),
      );
      await mkdir(join(project, '.secrets'), { mode: 0o700 });
      await writeFile(join(project, '.secrets', 'llmdev_token'), TOKEN, { mode: 0o600 });
      const id = await recordedCall();
      const result = await runCli(['replay', id, '--json', '--dir', project], {
        env: { PATH: process.env.PATH ?? '' },
        extendEnv: false,
      });
      expect(result.stderr).toContain(`through http://127.0.0.1:${port}`);
      expect(result.exitCode).toBe(0);
    } finally {
      await rm(project, { recursive: true, force: true });
    }
  });

  it('says what to do when a record has no stored request', async () => {
    const ingest = await call(h, '/v1/usage', {
      json: {
        id: 'direct-1',
        provider: 'openai',
        model: 'gpt-4o-mini',
        usage: { inputTokens: 1, outputTokens: 1 },
      },
    });
    expect(ingest.status).toBe(202);
    const direct = await runCli(['replay', 'direct-1'], { env: workspaceEnv });
    expect(direct.exitCode).toBe(1);
    expect(direct.stderr).toContain(
      'error: record direct-1 was reported by a direct-mode client; its request was never stored',
    );

    const missing = await runCli(['replay', 'no-such-record'], { env: workspaceEnv });
    expect(missing.exitCode).toBe(1);
    expect(missing.stderr).toContain(`error: no usage record no-such-record in the sidecar at ${h.url}`);

    const closed = await closedPort();
    const down = await runCli(['replay', 'x'], {
      env: { ...workspaceEnv, LLMDEV_URL: `http://127.0.0.1:${closed}` },
    });
    expect(down.exitCode).toBe(1);
    expect(down.stderr).toContain(
      `error: cannot reach the llmdev sidecar at http://127.0.0.1:${closed} (ECONNREFUSED)`,
    );
    expect(down.stderr).toContain('hint: Is it running?');
  });
});

describe('replay without stored bodies', () => {
  let h: Harness;
  beforeAll(async () => {
    h = await startHarness({ config: { sidecar: { storeBodies: false } } });
  });
  afterAll(() => h.close());

  it('names the setting to turn on', async () => {
    const { response } = await h.openai.chat.completions.create(ask).withResponse();
    const id = response.headers.get('x-llmdev-request-id') as string;
    const result = await runCli(['replay', id], { env: { LLMDEV_URL: h.url, LLMDEV_TOKEN: TOKEN } });
    expect(result.exitCode).toBe(1);
    expect(result.stderr).toContain(
      `error: the request of record ${id} was not stored, so it cannot be replayed`,
    );
    expect(result.stderr).toContain('hint: Turn on sidecar.storeBodies in llmdev.config.yaml');
  });
});
