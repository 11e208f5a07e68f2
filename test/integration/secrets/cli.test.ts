/** `llmdev secrets` as a user runs it: values in through stdin or --from-env, never out. */
import { mkdtemp, readFile, rm, stat, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { jest } from '@jest/globals';
import { runCli } from '../../helpers/cli.js';

// Each command is a fresh process compiling TypeScript through tsx: seconds on a busy machine.
jest.setTimeout(60_000);

const KEY = 'sk-ant-api03-abcdefghijklmnopqrstuvwxyz0123456789';
let dir: string;

beforeEach(async () => {
  dir = await mkdtemp(join(tmpdir(), 'llmdev-secrets-cli-'));
  await writeFile(join(dir, 'llmdev.config.yaml'), 'project: {name: demo}\n');
});
afterEach(async () => {
  await rm(dir, { recursive: true, force: true });
});

describe('llmdev secrets', () => {
  it('set reads a piped value, drops the trailing newline and prints only a fingerprint', async () => {
    const result = await runCli(['secrets', 'set', 'anthropic_api_key', '--dir', dir], { input: `${KEY}\n` });
    expect(result.exitCode).toBe(0);
    expect(await readFile(join(dir, '.secrets', 'anthropic_api_key'), 'utf8')).toBe(KEY);
    expect(result.stderr).toMatch(/wrote \.secrets\/anthropic_api_key \(sha256:[0-9a-f]{12}/);
    expect(result.stdout + result.stderr).not.toContain(KEY);
  });

  it('set --from-env takes the variable, and says so when it is unset', async () => {
    const ok = await runCli(['secrets', 'set', 'openai_api_key', '--from-env', 'MY_KEY', '--dir', dir], {
      env: { NO_COLOR: '1', MY_KEY: KEY },
    });
    expect(ok.exitCode).toBe(0);
    expect(await readFile(join(dir, '.secrets', 'openai_api_key'), 'utf8')).toBe(KEY);
    const missing = await runCli([
      'secrets',
      'set',
      'openai_api_key',
      '--from-env',
      'NOPE_UNSET',
      '--dir',
      dir,
    ]);
    expect(missing.exitCode).toBe(1);
    expect(missing.stderr).toMatch(/NOPE_UNSET: the variable is not set/);
  });

  it('set refuses bad names and empty values without writing', async () => {
    const badName = await runCli(['secrets', 'set', '../escape', '--dir', dir], { input: KEY });
    expect(badName.exitCode).toBe(1);
    expect(badName.stderr).toMatch(/secret name/);
    const empty = await runCli(['secrets', 'set', 'openai_api_key', '--dir', dir], { input: '\n' });
    expect(empty.exitCode).toBe(1);
    await expect(stat(join(dir, '.secrets', 'openai_api_key'))).rejects.toThrow();
  });

  it('warns when the config does not use the name', async () => {
    const result = await runCli(['secrets', 'set', 'openai_key', '--dir', dir], { input: KEY });
    expect(result.exitCode).toBe(0);
    expect(result.stderr).toMatch(/does not use a secret named openai_key/);
  });

  it('list shows names and fingerprints on stdout, never values; rm removes', async () => {
    await runCli(['secrets', 'set', 'anthropic_api_key', '--dir', dir], { input: KEY });
    const list = await runCli(['secrets', 'list', '--dir', dir]);
    expect(list.stdout).toMatch(/^anthropic_api_key {2}0600 {2}sha256:[0-9a-f]{12}/m);
    expect(list.stdout).not.toContain(KEY);
    const json = JSON.parse((await runCli(['secrets', 'list', '--json', '--dir', dir])).stdout);
    expect(json).toEqual([expect.objectContaining({ name: 'anthropic_api_key', mode: 0o600 })]);
    expect((await runCli(['secrets', 'rm', 'anthropic_api_key', '--dir', dir])).exitCode).toBe(0);
    expect((await runCli(['secrets', 'list', '--json', '--dir', dir])).stdout.trim()).toBe('[]');
  });

  it('check fails before the secrets exist and passes once initialize.sh made them', async () => {
    const before = await runCli(['secrets', 'check', '--json', '--dir', dir]);
    expect(before.exitCode).toBe(1);
    expect(JSON.parse(before.stdout).ok).toBe(false);
    expect((await runCli(['generate', '--dir', dir])).exitCode).toBe(0);
    const { execa } = await import('execa');
    await execa('sh', [join(dir, '.devcontainer', 'initialize.sh')], { env: { NODE_EXTRA_CA_CERTS: '' } });
    const after = await runCli(['secrets', 'check', '--dir', dir]);
    expect(after.stderr).toMatch(/ok +secret llmdev_token \(sidecar token\): mode 0600/);
    expect(after.exitCode).toBe(0);
  });
});
