/**
 * The secret store on a real filesystem with real git: atomic 0600 files in a 0700 directory,
 * refusal when git would publish them, fingerprints instead of values.
 */
import { mkdtemp, readdir, readFile, rm, stat, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { execa } from 'execa';
import { SecretError } from '../../../src/errors/index.js';
import { listSecrets, removeSecret, secretOwnerUid, writeSecret } from '../../../src/secrets/store.js';

const KEY = 'sk-test-0123456789abcdefghijklmnopqrstuv';
let dir: string;

beforeEach(async () => {
  dir = await mkdtemp(join(tmpdir(), 'llmdev-secrets-'));
});
afterEach(async () => {
  await rm(dir, { recursive: true, force: true });
});

const git = (...args: string[]) => execa('git', args, { cwd: dir });

describe('writeSecret', () => {
  it('writes the value with mode 0600 in a 0700 directory, owned by the containers user', async () => {
    const stored = await writeSecret(dir, 'openai_api_key', KEY);
    const file = join(dir, '.secrets', 'openai_api_key');
    expect(await readFile(file, 'utf8')).toBe(KEY);
    expect((await stat(file)).mode & 0o777).toBe(0o600);
    expect((await stat(join(dir, '.secrets'))).mode & 0o777).toBe(0o700);
    expect((await stat(file)).uid).toBe(secretOwnerUid());
    expect(stored.fingerprint).not.toContain(KEY);
    expect(stored.fingerprint).toMatch(/^sha256:[0-9a-f]{12} \(\d+ chars\)$/);
  });

  it('replaces an existing value atomically and leaves no temp files', async () => {
    await writeSecret(dir, 'openai_api_key', 'first-value-123456');
    await writeSecret(dir, 'openai_api_key', KEY);
    expect(await readFile(join(dir, '.secrets', 'openai_api_key'), 'utf8')).toBe(KEY);
    expect(await readdir(join(dir, '.secrets'))).toEqual(['openai_api_key']);
  });

  it('tightens a pre-existing loose directory to 0700', async () => {
    await execa('mkdir', ['-m', '0755', join(dir, '.secrets')]);
    await writeSecret(dir, 'openai_api_key', KEY);
    expect((await stat(join(dir, '.secrets'))).mode & 0o777).toBe(0o700);
  });

  it('refuses a git work tree that does not ignore .secrets/, saying how to fix it', async () => {
    await git('init', '-q');
    const attempt = writeSecret(dir, 'openai_api_key', KEY);
    await expect(attempt).rejects.toThrow(SecretError);
    await expect(attempt).rejects.toMatchObject({ hint: expect.stringMatching(/\.gitignore/) });
    await expect(stat(join(dir, '.secrets', 'openai_api_key'))).rejects.toThrow();
  });

  it('refuses when git tracks a file in .secrets/, even if it is ignored now', async () => {
    await git('init', '-q');
    await execa('mkdir', ['-p', join(dir, '.secrets')]);
    await writeFile(join(dir, '.secrets', 'old'), 'x');
    await git('add', '.secrets/old');
    await writeFile(join(dir, '.gitignore'), '.secrets/\n');
    await expect(writeSecret(dir, 'openai_api_key', KEY)).rejects.toMatchObject({
      hint: expect.stringMatching(/git rm -r --cached \.secrets/),
    });
  });

  it('writes when git ignores .secrets/', async () => {
    await git('init', '-q');
    await writeFile(join(dir, '.gitignore'), '# >>> llmdev\n.secrets/\n');
    await writeSecret(dir, 'openai_api_key', KEY);
    const status = await git('status', '--porcelain', '--ignored');
    expect(status.stdout).toContain('!! .secrets/');
  });
});

describe('listSecrets and removeSecret', () => {
  it('lists names and fingerprints, never values, and removes files', async () => {
    await writeSecret(dir, 'anthropic_api_key', KEY);
    await writeFile(join(dir, '.secrets', 'openai_api_key'), '', { mode: 0o600 });
    const listed = await listSecrets(dir);
    expect(listed.map((s) => [s.name, s.fingerprint])).toEqual([
      ['anthropic_api_key', expect.stringMatching(/^sha256:/)],
      ['openai_api_key', '(empty)'],
    ]);
    expect(JSON.stringify(listed)).not.toContain(KEY);
    expect(await removeSecret(dir, 'anthropic_api_key')).toBe(true);
    expect(await removeSecret(dir, 'anthropic_api_key')).toBe(false);
    expect((await listSecrets(dir)).map((s) => s.name)).toEqual(['openai_api_key']);
  });

  it('lists nothing when there is no .secrets/ yet', async () => {
    expect(await listSecrets(dir)).toEqual([]);
  });
});
