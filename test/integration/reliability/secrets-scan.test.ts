/**
 * `llmdev secrets scan --files --git` on a real git repository with keys planted where they leak
 * in practice: a source file, a commit that later deleted the file, a commit message, a branch
 * nobody has checked out, a git-ignored file the workspace can read. Each is found and named; no
 * value is ever printed; a clean project scans clean. (Images and container logs: the e2e suite,
 * test/e2e/reliability/containers.test.ts.)
 */
import { randomBytes } from 'node:crypto';
import { mkdir, mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { execa } from 'execa';
import { stringify } from 'yaml';
import { fingerprint } from '../../../src/redact/index.js';
import { runCli } from '../../helpers/cli.js';

const KEY = `sk-proj-${randomBytes(36).toString('base64url')}1a`;
const TOKEN = randomBytes(32).toString('hex');
const UNKNOWN_KEY = `sk-ant-api03-${randomBytes(60).toString('base64url')}9Z`;
const VALUES = [KEY, TOKEN, UNKNOWN_KEY];

let root: string;
beforeAll(async () => {
  root = await mkdtemp(join(tmpdir(), 'llmdev-scan-'));
});
afterAll(() => rm(root, { recursive: true, force: true }));

async function project(name: string): Promise<{ dir: string; git: (...args: string[]) => Promise<void> }> {
  const dir = join(root, name);
  await mkdir(join(dir, '.secrets'), { recursive: true, mode: 0o700 });
  await writeFile(join(dir, 'llmdev.config.yaml'), stringify({ project: { name } }));
  await writeFile(join(dir, '.gitignore'), '.secrets/\n.env\n');
  await writeFile(join(dir, '.secrets', 'openai_api_key'), `${KEY}\n`, { mode: 0o600 });
  await writeFile(join(dir, '.secrets', 'llmdev_token'), TOKEN, { mode: 0o600 });
  const git = async (...args: string[]) => {
    await execa('git', ['-c', 'user.email=t@example.com', '-c', 'user.name=t', ...args], { cwd: dir });
  };
  await git('init', '-q', '-b', 'main');
  return { dir, git };
}

const scan = (dir: string, ...flags: string[]) => runCli(['secrets', 'scan', ...flags, '--dir', dir]);

describe('llmdev secrets scan (files, git history)', () => {
  it('finds each planted key, names where, exits 1, and never prints a value', async () => {
    const { dir, git } = await project('leaky');
    await mkdir(join(dir, 'src'));
    await writeFile(join(dir, 'src', 'client.ts'), `import OpenAI from 'openai';\n\nconst key = '${KEY}';\n`);
    await writeFile(join(dir, 'old.env'), `LLMDEV_TOKEN=${TOKEN}\n`);
    await git('add', '.');
    await git('commit', '-qm', 'first');
    await git('rm', '-q', 'old.env');
    await git('commit', '-qm', `remove the env file (was ${UNKNOWN_KEY})`);
    await git('checkout', '-qb', 'feature');
    await writeFile(join(dir, 'feature.md'), `try it with\n\n    ${UNKNOWN_KEY}\n`);
    await git('add', 'feature.md');
    await git('commit', '-qm', 'feature');
    await git('checkout', '-q', 'main');
    await writeFile(join(dir, '.env'), `OPENAI_API_KEY=${KEY}\n`);

    const started = performance.now();
    const result = await scan(dir, '--json');
    const seconds = (performance.now() - started) / 1000;
    expect(result.exitCode).toBe(1);
    for (const value of VALUES) expect(result.stdout + result.stderr).not.toContain(value);

    const report = JSON.parse(result.stdout) as {
      ok: boolean;
      findings: { source: string; location: string; rule: string; fingerprint: string; note?: string }[];
    };
    expect(report.ok).toBe(false);
    const found = report.findings.map(
      (f) =>
        `${f.source} ${f.location.replace(/^[0-9a-f]{12}:/, '<commit>:').replace(/^commit [0-9a-f]{12}/, 'commit <sha>')} ${f.rule}`,
    );
    expect(found.sort()).toEqual(
      [
        'files .env:1 value of secret openai_api_key',
        'files src/client.ts:3 value of secret openai_api_key',
        'git <commit>:src/client.ts:3 value of secret openai_api_key',
        'git <commit>:old.env:1 value of secret llmdev_token',
        'git <commit>:feature.md:3 Anthropic API key',
        'git commit <sha> (message or author) Anthropic API key',
      ].sort(),
    );
    expect(report.findings.find((f) => f.location === '.env:1')?.note).toMatch(
      /git-ignored, but visible in the workspace/,
    );
    expect(report.findings.find((f) => f.rule === 'Anthropic API key')?.fingerprint).toBe(
      fingerprint(UNKNOWN_KEY),
    );
    expect(result.stderr).toContain('LEAK files  src/client.ts:3: value of secret openai_api_key');
    expect(result.stderr).toContain('error: 6 leaks found');
    console.log(
      `[scan] planted repo: ${report.findings.length} findings in ${seconds.toFixed(2)} s (CLI start included)`,
    );
  });

  it('scans only the sources named', async () => {
    const { dir, git } = await project('history-only');
    await writeFile(join(dir, 'notes.txt'), `${TOKEN}\n`);
    await git('add', 'notes.txt');
    await git('commit', '-qm', 'notes');
    await rm(join(dir, 'notes.txt'));
    expect((await scan(dir, '--files')).exitCode).toBe(0);
    const history = await scan(dir, '--git');
    expect(history.exitCode).toBe(1);
    expect(history.stderr).toMatch(/LEAK git {4}[0-9a-f]{12}:notes.txt:1: value of secret llmdev_token/);
    expect(history.stderr).not.toContain('files ');
  });

  it('lets fake keys through by fingerprint or path (.llmdev-scan-allow), never a stored value', async () => {
    const { dir, git } = await project('fixtures');
    await mkdir(join(dir, 'test'));
    await writeFile(join(dir, 'test', 'fake.ts'), `const fake = '${UNKNOWN_KEY}';\nconst real = '${KEY}';\n`);
    await writeFile(join(dir, 'docs.md'), `example: ${UNKNOWN_KEY.replace('9Z', '8Y')}\n`);
    await writeFile(
      join(dir, '.llmdev-scan-allow'),
      `path:test/**\n${/sha256:[0-9a-f]{12}/.exec(fingerprint(UNKNOWN_KEY.replace('9Z', '8Y')))?.[0]}\n`,
    );
    await git('add', '.');
    await git('commit', '-qm', 'fixtures');
    const result = await scan(dir);
    expect(result.exitCode).toBe(1);
    const leaks = result.stderr.split('\n').filter((line) => line.startsWith('LEAK'));
    expect(leaks).toEqual([
      `LEAK files  test/fake.ts:2: value of secret openai_api_key, ${fingerprint(KEY)}`,
      expect.stringMatching(/^LEAK git {4}[0-9a-f]{12}:test\/fake.ts:2: value of secret openai_api_key/),
    ]);
    expect(result.stderr).toContain('(4 key-shaped strings allowed by .llmdev-scan-allow)');
  });

  it('a clean project scans clean (exit 0), saying what it looked for', async () => {
    const { dir, git } = await project('clean');
    await writeFile(join(dir, 'index.ts'), "console.log('hello');\n");
    await git('add', '.');
    await git('commit', '-qm', 'clean');
    const result = await scan(dir, '--files', '--git');
    expect(result.exitCode).toBe(0);
    expect(result.stderr).toContain(
      `looked for llmdev_token ${fingerprint(TOKEN)}, openai_api_key ${fingerprint(KEY)}`,
    );
    expect(result.stderr).toMatch(/files {3}\d+ files/);
    expect(result.stderr).toMatch(/git {5}\d+ objects/);
    expect(result.stderr).toContain('llmdev: no leaks found');
  });
});
