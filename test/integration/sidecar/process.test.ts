/**
 * `llmdev sidecar` as the container runs it, in a child process: refuses to start without the
 * token, rotates keys and the token on SIGHUP, and on SIGTERM finishes in-flight calls (and
 * records them) before exiting.
 */
import { mkdir, mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import BetterSqlite3 from 'better-sqlite3';
import { execa } from 'execa';
import { stringify } from 'yaml';
import { type FakeProvider, startFakeProvider } from '../../fixtures/fake-provider.js';
import { runCli } from '../../helpers/cli.js';
import { eventually } from './harness.js';

const MAIN = fileURLToPath(new URL('../../../src/cli/main.ts', import.meta.url));
const TOKEN = 'process-test-token-0123456789abcdef';
const KEY_A = 'sk-proj-rotationKeyAAAAAAAAAAAAAAAAAAAAAA';
const KEY_B = 'sk-proj-rotationKeyBBBBBBBBBBBBBBBBBBBBBB';
const CHAT = JSON.stringify({ model: 'gpt-4o-mini', messages: [{ role: 'user', content: 'Hi' }] });

let dir: string;
let fake: FakeProvider;
let configFile: string;
beforeAll(async () => {
  fake = await startFakeProvider();
  dir = await mkdtemp(join(tmpdir(), 'llmdev-sidecar-process-'));
  configFile = join(dir, 'llmdev.config.yaml');
  await writeFile(
    configFile,
    stringify({
      project: { name: 'process-test' },
      providers: { openai: { baseUrl: fake.openaiBaseUrl }, anthropic: { baseUrl: fake.url } },
    }),
  );
});
afterAll(async () => {
  await fake.close();
  await rm(dir, { recursive: true, force: true });
});

async function startSidecar(name: string, secrets: Record<string, string>) {
  const secretsDir = join(dir, name, 'secrets');
  const dataDir = join(dir, name, 'data');
  await mkdir(secretsDir, { recursive: true });
  for (const [file, value] of Object.entries(secrets)) await writeFile(join(secretsDir, file), value);
  const child = execa(
    'node',
    [
      '--import',
      'tsx',
      MAIN,
      'sidecar',
      '--config',
      configFile,
      '--port',
      '0',
      '--host',
      '127.0.0.1',
      '--data',
      dataDir,
      '--secrets',
      secretsDir,
    ],
    { reject: false },
  );
  const logs: string[] = [];
  child.stdout?.on('data', (chunk: Buffer) => logs.push(...chunk.toString().split('\n').filter(Boolean)));
  const listening = await eventually(
    () => logs.find((line) => line.includes('sidecar listening')),
    'the sidecar to listen',
    30_000,
  );
  const { address } = JSON.parse(listening) as { address: string };
  return { child, url: `http://${address}`, logs, secretsDir, dataDir };
}

const chat = (url: string, token = TOKEN, headers: Record<string, string> = {}) =>
  fetch(`${url}/v1/chat/completions`, {
    method: 'POST',
    headers: { authorization: `Bearer ${token}`, ...headers },
    body: CHAT,
  });

describe('llmdev sidecar (process)', () => {
  it('refuses to start without the access token file, saying how to fix it', async () => {
    const empty = join(dir, 'no-secrets');
    await mkdir(empty);
    const result = await runCli([
      'sidecar',
      '--config',
      configFile,
      '--port',
      '0',
      '--data',
      join(dir, 'unused'),
      '--secrets',
      empty,
    ]);
    expect(result.exitCode).toBe(1);
    expect(result.stderr).toContain(
      `${join(empty, 'llmdev_token')}: the sidecar access token file does not exist`,
    );
    expect(result.stderr).toMatch(/hint: Run `llmdev up`/);
  });

  it('logs which providers are live and which mocked; SIGHUP rotates keys and the token', async () => {
    const sidecar = await startSidecar('rotate', { llmdev_token: TOKEN, openai_api_key: KEY_A });
    try {
      expect(sidecar.logs[0]).toContain('"providers":{"openai":"live (http://127.0.0.1');
      expect(sidecar.logs[0]).toContain('"anthropic":"mock (no key)"');
      expect((await chat(sidecar.url)).status).toBe(200);
      expect(fake.received.at(-1)?.headers.authorization).toBe(`Bearer ${KEY_A}`);

      const newToken = `${TOKEN}-rotated`;
      await writeFile(join(sidecar.secretsDir, 'openai_api_key'), KEY_B);
      await writeFile(join(sidecar.secretsDir, 'llmdev_token'), newToken);
      await writeFile(
        join(sidecar.secretsDir, 'anthropic_api_key'),
        'sk-ant-api03-nowAnthropicIsLive0123456789',
      );
      sidecar.child.kill('SIGHUP');
      await eventually(() => sidecar.logs.some((line) => line.includes('secrets reloaded')), 'the reload');

      expect((await chat(sidecar.url)).status).toBe(401); // the old token no longer works
      expect((await chat(sidecar.url, newToken)).status).toBe(200);
      expect(fake.received.at(-1)?.headers.authorization).toBe(`Bearer ${KEY_B}`);
      const health = (await (await fetch(`${sidecar.url}/healthz`)).json()) as {
        providers: Record<string, string>;
      };
      expect(health.providers.anthropic).toMatch(/^live/);
      expect(sidecar.logs.join('\n')).not.toMatch(/rotationKey|nowAnthropicIsLive|process-test-token/);
    } finally {
      sidecar.child.kill('SIGTERM');
      await sidecar.child;
    }
  });

  it('SIGTERM lets an in-flight call finish and be recorded, then exits 0', async () => {
    const sidecar = await startSidecar('drain', { llmdev_token: TOKEN, openai_api_key: KEY_A });
    const received = fake.received.length;
    const slow = chat(sidecar.url, TOKEN, { 'x-fake-scenario': 'slow', 'x-fake-delay-ms': '400' });
    await eventually(() => fake.received.length > received, 'the call to reach the provider');
    sidecar.child.kill('SIGTERM');
    const res = await slow;
    expect(res.status).toBe(200);
    const id = res.headers.get('x-llmdev-request-id');
    const result = await sidecar.child;
    expect(result.exitCode).toBe(0);
    expect(sidecar.logs.join('\n')).toContain('llmdev sidecar stopped');
    const db = new BetterSqlite3(join(sidecar.dataDir, 'usage.db'), { readonly: true });
    try {
      expect(db.prepare('SELECT status FROM usage_records WHERE id = ?').get(id)).toEqual({ status: 200 });
    } finally {
      db.close();
    }
  });
});
