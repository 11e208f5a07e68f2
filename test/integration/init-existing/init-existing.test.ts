/**
 * `llmdev init` in projects that already exist, through the real CLI on temporary folders: it
 * detects what the project is, never takes the place of a dev container it did not write, merges
 * its ignore blocks, and touches package.json or the Makefile only when asked.
 */
import { mkdir, mkdtemp, readFile, rm, symlink, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { jest } from '@jest/globals';
import { execa } from 'execa';
import { parse as parseYaml } from 'yaml';
import { PACKAGE_ROOT } from '../../../src/meta/index.js';
import { runCli } from '../../helpers/cli.js';

jest.setTimeout(120_000);

let dir: string;
beforeEach(async () => {
  dir = await mkdtemp(join(tmpdir(), 'llmdev-init-existing-'));
});
afterEach(async () => {
  await rm(dir, { recursive: true, force: true });
});

const read = (path: string) => readFile(join(dir, path), 'utf8');
const write = async (files: Record<string, string>) => {
  for (const [path, text] of Object.entries(files)) {
    await mkdir(join(dir, path, '..'), { recursive: true });
    await writeFile(join(dir, path), text);
  }
};
const init = (...args: string[]) => runCli(['init', '--dir', dir, ...args]);
const config = async () =>
  parseYaml(await read('llmdev.config.yaml')) as {
    project: Record<string, string>;
    workspace: Record<string, unknown>;
  };
const composeOf = async (path = '.devcontainer/compose.yaml') =>
  parseYaml(await read(path)) as { services: Record<string, { volumes: string[] }>; volumes: object };

const PACKAGE_JSON = '{\n  "name": "@acme/shop",\n  "scripts": { "test": "vitest" }\n}\n';
const MAKEFILE = 'build:\n\tnpm run build\n';

describe('llmdev init in a Node.js project', () => {
  it('detects npm from the lockfile; --yes leaves package.json, the Makefile and .gitignore lines alone', async () => {
    await write({
      'package.json': PACKAGE_JSON,
      'package-lock.json': '{"lockfileVersion": 3}\n',
      Makefile: MAKEFILE,
      '.gitignore': 'node_modules/\n',
      'src/index.js': 'console.log(1);\n',
    });
    const result = await init('--yes');
    expect(result.exitCode).toBe(0);
    expect(result.stderr).toContain(
      'detected: Node.js project (npm, package-lock.json): the workspace runs `npm ci` once created',
    );
    expect((await config()).workspace.postCreateCommand).toBe('npm ci');
    expect((await config()).project.name).toBe('shop');
    expect(await read('package.json')).toBe(PACKAGE_JSON);
    expect(await read('Makefile')).toBe(MAKEFILE);
    expect((await read('.gitignore')).startsWith('node_modules/\n\n# >>> llmdev')).toBe(true);
    expect((await composeOf()).services.workspace?.volumes).toContain(
      'node-modules:/workspaces/shop/node_modules',
    );
    // The next three steps, as commands to paste.
    expect(result.stderr).toMatch(
      /Next steps:\n {2}1\. Start the dev container: npx --yes @devcontainers\/cli up --workspace-folder /,
    );
    expect(result.stderr).toContain(
      '  2. Run your code in it: npx --yes @devcontainers/cli exec --workspace-folder ',
    );
    expect(result.stderr).toContain('  3. See every call with its tokens and cost: `llmdev usage`');
    expect((await runCli(['generate', '--check', '--dir', dir])).exitCode).toBe(0);
  });

  it('builds from node_modules/llmdev when that leads to the running llmdev through a link (pnpm, npm link)', async () => {
    await write({ 'package.json': '{"name": "linked"}\n' });
    await mkdir(join(dir, 'node_modules'));
    await symlink(PACKAGE_ROOT, join(dir, 'node_modules/llmdev'));
    const result = await init('--yes');
    expect(result.exitCode).toBe(0);
    expect(result.stderr).not.toContain('warning:');
    expect(result.stderr).toContain('`npx llmdev usage`');
    const compose = parseYaml(await read('.devcontainer/compose.yaml')) as {
      services: Record<string, { build: { context: string } }>;
    };
    expect(compose.services['usage-logger']?.build.context).toBe('../node_modules/llmdev');
  });

  it('detects pnpm from packageManager and installs at that version', async () => {
    await write({
      'package.json': JSON.stringify({ name: 'web', packageManager: 'pnpm@9.12.1' }),
      'pnpm-lock.yaml': "lockfileVersion: '9.0'\n",
    });
    expect((await init('--yes')).exitCode).toBe(0);
    expect((await config()).workspace.postCreateCommand).toBe(
      'npx --yes pnpm@9.12.1 install --frozen-lockfile',
    );
  });

  it('--npm-scripts adds llmdev:* scripts and keeps the rest; --make adds targets beside existing ones', async () => {
    await write({ 'package.json': PACKAGE_JSON, Makefile: 'up:\n\t./start.sh\n' });
    const result = await init('--yes', '--npm-scripts', '--make');
    expect(result.exitCode).toBe(0);
    expect(result.stderr).toContain('added to package.json: llmdev:up, llmdev:down,');
    expect(result.stderr).toContain('updated: Makefile (llmdev block)');
    const manifest = JSON.parse(await read('package.json')) as { scripts: Record<string, string> };
    expect(manifest.scripts).toMatchObject({
      test: 'vitest',
      'llmdev:up': 'llmdev up',
      'llmdev:usage': 'llmdev usage',
    });

    const makefile = await read('Makefile');
    expect(makefile.startsWith('up:\n\t./start.sh\n\n# >>> llmdev')).toBe(true);
    // --no-print-directory: under `make test` the inherited MAKELEVEL adds "Entering directory" lines.
    const dryRun = (target: string) => execa('make', ['-n', '--no-print-directory', target], { cwd: dir });
    expect((await dryRun('up')).stdout).toBe('./start.sh'); // theirs, untouched
    expect((await dryRun('llmdev-up')).stdout).toBe('npx llmdev up');
    expect((await dryRun('usage')).stdout).toBe('npx llmdev usage');

    // Again: nothing more to add, nothing duplicated.
    const again = await init('--yes', '--npm-scripts', '--make');
    expect(again.exitCode).toBe(0);
    expect(await read('Makefile')).toBe(makefile);
    expect(again.stderr).toContain('kept in package.json (already there): llmdev:up,');
  });

  it('--npm-scripts without a package.json writes nothing and says why', async () => {
    const result = await init('--yes', '--npm-scripts');
    expect(result.exitCode).toBe(1);
    expect(result.stderr).toMatch(
      /error: --npm-scripts: .*package\.json does not exist, so nothing was written/,
    );
    await expect(read('llmdev.config.yaml')).rejects.toThrow();
  });
});

describe('llmdev init in a Python project', () => {
  it('workspace.python and a .venv from requirements.txt; no node_modules volume', async () => {
    await write({ 'requirements.txt': 'openai==1.50.0\n', 'app.py': 'print(1)\n' });
    const result = await init('--yes');
    expect(result.exitCode).toBe(0);
    expect(result.stderr).toContain('detected: Python project (requirements.txt)');
    expect((await config()).workspace).toMatchObject({
      aptPackages: [],
      postCreateCommand: 'python3 -m venv .venv && .venv/bin/pip install -r requirements.txt',
      nodeModulesVolume: false,
      extensions: ['ms-python.python'],
      python: {},
    });
    const compose = await composeOf();
    expect(compose.services.workspace?.volumes).toContainEqual(expect.stringMatching(/^venv:.*\/\.venv$/));
    expect(compose.services.workspace?.volumes.some((volume) => volume.includes('node_modules'))).toBe(false);
    expect(compose.volumes).not.toHaveProperty('node-modules');
  });

  it('a pyproject.toml project installs itself editable', async () => {
    await write({ 'pyproject.toml': '[project]\nname = "tool"\nversion = "0.1.0"\n' });
    expect((await init('--yes')).exitCode).toBe(0);
    expect((await config()).workspace.postCreateCommand).toBe(
      'python3 -m venv .venv && .venv/bin/pip install -e .',
    );
  });
});

describe('llmdev init next to an existing dev container', () => {
  const MINE = {
    '.devcontainer/devcontainer.json': '{ "image": "mine" }\n',
    '.devcontainer/.env': 'FOO=1\n',
  };

  it('--yes stops before writing anything and offers the alongside folder', async () => {
    await write(MINE);
    const result = await init('--yes');
    expect(result.exitCode).toBe(1);
    expect(result.stderr).toContain(
      'error: this project already has a dev container, so nothing was written:',
    );
    expect(result.stderr).toContain(
      '  .devcontainer/devcontainer.json exists and was not generated by llmdev',
    );
    expect(result.stderr).toContain('  .devcontainer/.env exists and was not written by llmdev');
    expect(result.stderr).toContain('`llmdev init --devcontainer-dir .devcontainer/llmdev`');
    await expect(read('llmdev.config.yaml')).rejects.toThrow();
  });

  it('--devcontainer-dir writes alongside; the project’s own files stay as they were', async () => {
    await write(MINE);
    const result = await init('--yes', '--devcontainer-dir', '.devcontainer/llmdev');
    expect(result.exitCode).toBe(0);
    expect(result.stderr).toContain('created: .devcontainer/llmdev/compose.yaml');
    expect(result.stderr).toContain(
      `--workspace-folder ${dir} --config .devcontainer/llmdev/devcontainer.json`,
    );
    expect((await config()).project.devcontainerDir).toBe('.devcontainer/llmdev');
    for (const [path, text] of Object.entries(MINE)) expect(await read(path)).toBe(text);

    // initialize.sh writes its .env in its own folder, never over the project's.
    await execa('sh', [join(dir, '.devcontainer/llmdev/initialize.sh')], {
      env: { NODE_EXTRA_CA_CERTS: '' },
    });
    expect(await read('.devcontainer/.env')).toBe('FOO=1\n');
    expect(await read('.devcontainer/llmdev/.env')).toMatch(/^COMPOSE_PROJECT_NAME=/);
    expect((await runCli(['generate', '--check', '--dir', dir])).exitCode).toBe(0);
    // A config that says where the dev container is wins over a different flag.
    const other = await init('--yes', '--devcontainer-dir', '.devcontainer/other');
    expect(other.exitCode).toBe(1);
    expect(other.stderr).toContain(
      'llmdev.config.yaml already puts the dev container in .devcontainer/llmdev',
    );
  });

  it('a root .devcontainer.json counts too; --force replaces the project’s dev container', async () => {
    await write({ '.devcontainer.json': '{ "image": "mine" }\n' });
    expect((await init('--yes')).exitCode).toBe(1);
    expect((await init('--yes', '--force')).exitCode).toBe(0);
    expect(await read('.devcontainer/devcontainer.json')).toMatch(/^\/\/ Generated by llmdev /);
  });

  it('rejects a folder the Dev Containers tools would not find', async () => {
    const result = await init('--yes', '--devcontainer-dir', 'devcontainer');
    expect(result.exitCode).not.toBe(0);
    expect(result.stderr).toContain('expected .devcontainer or .devcontainer/<folder>');
  });
});
