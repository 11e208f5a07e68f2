/** `llmdev init` and `llmdev generate` on temporary projects, through the real CLI. */

import { mkdir, mkdtemp, readFile, rm, stat, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { jest } from '@jest/globals';
import { runCli } from '../../helpers/cli.js';

// Each case runs the real CLI (or shell, or Docker) several times; a busy machine is slow.
jest.setTimeout(120_000);

const GENERATED = [
  '.devcontainer/devcontainer.json',
  '.devcontainer/compose.yaml',
  '.devcontainer/initialize.sh',
  '.env.example',
  '.gitignore',
  '.dockerignore',
];

const modeOf = async (path: string) => (await stat(path)).mode & 0o777;

describe('llmdev init / generate', () => {
  let root: string;
  let dir: string;
  beforeEach(async () => {
    root = await mkdtemp(join(tmpdir(), 'llmdev-cli-gen-'));
    dir = join(root, 'My Project');
  });
  afterEach(async () => {
    await rm(root, { recursive: true, force: true });
  });

  it('init --yes then generate --check passes; a budget change makes --check fail naming the files', async () => {
    const init = await runCli(['init', '--yes', '--dir', dir]);
    expect(init.stderr).toContain(`created llmdev.config.yaml for project "my-project" in ${dir}`);
    expect(init.stderr).toContain('Next steps:');
    expect(init.exitCode).toBe(0);
    for (const path of GENERATED) await expect(stat(join(dir, path))).resolves.toBeDefined();

    const check = await runCli(['generate', '--check', '--dir', dir]);
    expect(check.stderr).toContain('all 6 generated files are up to date');
    expect(check.exitCode).toBe(0);

    const configPath = join(dir, 'llmdev.config.yaml');
    const config = await readFile(configPath, 'utf8');
    expect(config).toContain('limitUsd: 5');
    await writeFile(configPath, config.replace('limitUsd: 5', 'limitUsd: 12.5'));
    const before = await readFile(join(dir, '.devcontainer/compose.yaml'), 'utf8');

    const stale = await runCli(['generate', '--check', '--dir', dir]);
    expect(stale.exitCode).toBe(1);
    expect(stale.stderr).toContain('error: 2 of 6 generated files are out of date with llmdev.config.yaml:');
    expect(stale.stderr).toContain('  out of date: .devcontainer/compose.yaml');
    expect(stale.stderr).toContain('  out of date: .env.example');
    expect(stale.stderr).toContain('hint: Run `llmdev generate` and commit the result.');
    expect(await readFile(join(dir, '.devcontainer/compose.yaml'), 'utf8')).toBe(before); // --check writes nothing

    const generate = await runCli(['generate', '--dir', dir]);
    expect(generate.exitCode).toBe(0);
    expect(generate.stderr).toContain('  updated: .devcontainer/compose.yaml');
    expect((await runCli(['generate', '--check', '--dir', dir])).exitCode).toBe(0);
  });

  it('sets modes: initialize.sh 0755, .secrets/ 0700, the token 0600 (random, base64url)', async () => {
    expect((await runCli(['init', '--yes', '--dir', dir])).exitCode).toBe(0);
    expect(await modeOf(join(dir, '.devcontainer/initialize.sh'))).toBe(0o755);
    expect(await modeOf(join(dir, '.secrets'))).toBe(0o700);
    expect(await modeOf(join(dir, '.secrets/llmdev_token'))).toBe(0o600);
    const token = await readFile(join(dir, '.secrets/llmdev_token'), 'utf8');
    expect(token).toMatch(/^[A-Za-z0-9_-]{43}$/);

    // A second init keeps the config and the token.
    const again = await runCli(['init', '--yes', '--dir', dir]);
    expect(again.exitCode).toBe(0);
    expect(again.stderr).toContain('kept the existing llmdev.config.yaml');
    expect(again.stderr).toContain('kept: .secrets/ and its sidecar token');
    expect(await readFile(join(dir, '.secrets/llmdev_token'), 'utf8')).toBe(token);
  });

  it('takes the project name from package.json, and installs dependencies after creation', async () => {
    await mkdir(dir, { recursive: true });
    await writeFile(join(dir, 'package.json'), JSON.stringify({ name: '@acme/Web_App' }));
    await writeFile(join(dir, 'package-lock.json'), '{}');
    expect((await runCli(['init', '--yes', '--dir', dir])).exitCode).toBe(0);
    const config = await readFile(join(dir, 'llmdev.config.yaml'), 'utf8');
    expect(config).toContain('name: web-app');
    expect(config).toContain('postCreateCommand: npm ci');
    const devcontainer = await readFile(join(dir, '.devcontainer/devcontainer.json'), 'utf8');
    expect(devcontainer).toContain('"workspaceFolder": "/workspaces/web-app"');
  });

  it('refuses to overwrite a file edited by hand, naming it, until --force', async () => {
    expect((await runCli(['init', '--yes', '--dir', dir])).exitCode).toBe(0);
    const compose = join(dir, '.devcontainer/compose.yaml');
    const edited = `${await readFile(compose, 'utf8')}# my change\n`;
    await writeFile(compose, edited);

    for (const args of [['generate'], ['init', '--yes']]) {
      const refused = await runCli([...args, '--dir', dir]);
      expect(refused.exitCode).toBe(1);
      expect(refused.stderr).toContain(
        'error: a generated file was changed by hand, so nothing was written:',
      );
      expect(refused.stderr).toContain(
        '  .devcontainer/compose.yaml was edited by hand since it was generated',
      );
      expect(refused.stderr).toMatch(/hint: .*--force/);
      expect(await readFile(compose, 'utf8')).toBe(edited);
    }
    const check = await runCli(['generate', '--check', '--dir', dir]);
    expect(check.exitCode).toBe(1);
    expect(check.stderr).toContain(
      '  changed by hand: .devcontainer/compose.yaml (was edited by hand since it was generated)',
    );

    const forced = await runCli(['generate', '--force', '--dir', dir]);
    expect(forced.exitCode).toBe(0);
    expect(forced.stderr).toContain('overwrote (it was changed by hand): .devcontainer/compose.yaml');
    expect(await readFile(compose, 'utf8')).not.toContain('# my change');
  });

  it('does not clobber an existing devcontainer it did not write', async () => {
    await mkdir(join(dir, '.devcontainer'), { recursive: true });
    await writeFile(join(dir, '.devcontainer/devcontainer.json'), '{ "image": "mine" }\n');
    const init = await runCli(['init', '--yes', '--dir', dir]);
    expect(init.exitCode).toBe(1);
    expect(init.stderr).toContain('  .devcontainer/devcontainer.json exists and was not generated by llmdev');
    // Nothing was written: no config, no secrets.
    await expect(stat(join(dir, 'llmdev.config.yaml'))).rejects.toThrow();
    await expect(stat(join(dir, '.secrets'))).rejects.toThrow();
    expect((await runCli(['init', '--yes', '--force', '--dir', dir])).exitCode).toBe(0);
  });

  it("keeps the user's .gitignore and .dockerignore lines around its block", async () => {
    await mkdir(dir, { recursive: true });
    await writeFile(join(dir, '.gitignore'), 'node_modules/\n*.log\n');
    expect((await runCli(['init', '--yes', '--dir', dir])).exitCode).toBe(0);
    const gitignore = await readFile(join(dir, '.gitignore'), 'utf8');
    expect(gitignore.startsWith('node_modules/\n*.log\n\n# >>> llmdev')).toBe(true);
    expect(gitignore).toContain('\n.secrets/\n');

    await writeFile(join(dir, '.gitignore'), `${gitignore.replace('.secrets/\n', '')}coverage/\n`);
    const check = await runCli(['generate', '--check', '--dir', dir]);
    expect(check.exitCode).toBe(1);
    expect(check.stderr).toContain('  out of date: .gitignore (llmdev block)');
    expect((await runCli(['generate', '--dir', dir])).exitCode).toBe(0);
    expect(await readFile(join(dir, '.gitignore'), 'utf8')).toBe(`${gitignore}coverage/\n`);
  });

  it('--check names missing files and writes nothing', async () => {
    expect((await runCli(['init', '--yes', '--dir', dir])).exitCode).toBe(0);
    await rm(join(dir, '.devcontainer'), { recursive: true });
    const check = await runCli(['generate', '--check', '--dir', dir]);
    expect(check.exitCode).toBe(1);
    expect(check.stderr).toContain('  missing: .devcontainer/devcontainer.json');
    expect(check.stderr).toContain('  missing: .devcontainer/initialize.sh');
    await expect(stat(join(dir, '.devcontainer'))).rejects.toThrow();
  });

  it('generates from the file alone, ignoring machine-local overrides', async () => {
    expect((await runCli(['init', '--yes', '--dir', dir])).exitCode).toBe(0);
    await writeFile(join(dir, '.env'), 'LLMDEV_SIDECAR_PORT=5000\n');
    const check = await runCli(['generate', '--check', '--dir', dir], {
      env: { LLMDEV_PROJECT_NAME: 'other', NO_COLOR: '1' },
    });
    expect(check.exitCode).toBe(0);
  });

  it('never writes a secret value it can see into a generated file', async () => {
    const key = 'sk-proj-THISISAFAKEKEYabcdefghijklmnopqrstuvwxyz';
    await mkdir(join(dir, '.secrets'), { recursive: true });
    await writeFile(join(dir, '.secrets/openai_api_key'), key);
    const init = await runCli(['init', '--yes', '--dir', dir], {
      env: { OPENAI_API_KEY: key, NO_COLOR: '1' },
    });
    expect(init.exitCode).toBe(0);
    expect(init.stderr + init.stdout).not.toContain(key);
    for (const path of [...GENERATED, 'llmdev.config.yaml']) {
      expect(await readFile(join(dir, path), 'utf8')).not.toContain(key);
    }
  });

  it('reports a bad config with its line, and a missing one with the fix', async () => {
    await mkdir(dir, { recursive: true });
    const missing = await runCli(['generate', '--dir', dir]);
    expect(missing.exitCode).toBe(1);
    expect(missing.stderr).toContain('cannot read the config file (ENOENT)');
    expect(missing.stderr).toContain('hint: Run `llmdev init`');

    await writeFile(
      join(dir, 'llmdev.config.yaml'),
      'project: {name: demo}\nbudgets:\n  - scope: total\n    limitUsd: five\n',
    );
    const bad = await runCli(['generate', '--dir', dir]);
    expect(bad.exitCode).toBe(1);
    expect(bad.stderr).toContain(
      'error: llmdev.config.yaml: budgets[0].limitUsd: expected a positive number, got "five" (line 4)',
    );
    expect(bad.stderr).not.toMatch(/\bat .*\.(ts|js):\d+/);
  });

  it('rejects --check with --force', async () => {
    const both = await runCli(['generate', '--check', '--force', '--dir', dir]);
    expect(both.exitCode).toBe(1);
    expect(both.stderr).toContain("option '--check' cannot be used with option '--force'");
  });
});
