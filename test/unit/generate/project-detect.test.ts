import { wholeFile } from '../../../src/generate/header.js';
import {
  describeProfile,
  detectProject,
  type ProjectFacts,
  starterWorkspace,
} from '../../../src/generate/project-detect.js';

const facts = (
  entries: string[],
  { packageJson, texts = {} }: { packageJson?: Record<string, unknown>; texts?: Record<string, string> } = {},
): ProjectFacts => ({ entries: new Set(entries), packageJson, texts });

const install = (f: ProjectFacts) => detectProject(f).node?.install;

describe('detectProject: Node.js', () => {
  it.each([
    [['package.json', 'package-lock.json'], 'npm ci'],
    [['package.json', 'npm-shrinkwrap.json'], 'npm ci'],
    [['package.json'], 'npm install'],
    [['package.json', 'pnpm-lock.yaml'], 'npx --yes pnpm@latest install --frozen-lockfile'],
    [['package.json', 'yarn.lock'], 'npx --yes yarn@1 install --frozen-lockfile'],
    [['package.json', 'yarn.lock', '.yarnrc.yml'], 'corepack yarn install --immutable'],
    [['package.json', 'bun.lockb'], 'npx --yes bun@latest install --frozen-lockfile'],
    [['package.json', 'bun.lock'], 'npx --yes bun@latest install --frozen-lockfile'],
  ])('%j installs with %s', (entries, command) => {
    expect(install(facts(entries))).toBe(command);
  });

  it('tells Yarn 2+ from Yarn 1 by the lockfile too', () => {
    const berry = facts(['package.json', 'yarn.lock'], {
      texts: { 'yarn.lock': '# x\n\n__metadata:\n  version: 8\n' },
    });
    expect(install(berry)).toBe('corepack yarn install --immutable');
  });

  it('follows the packageManager field (corepack) over other lockfiles, at its version', () => {
    const declared = facts(['package.json', 'package-lock.json', 'pnpm-lock.yaml'], {
      packageJson: { packageManager: 'pnpm@9.12.1+sha512.abc' },
    });
    expect(detectProject(declared).node).toEqual({
      packageManager: 'pnpm',
      lockfile: 'pnpm-lock.yaml',
      install: 'npx --yes pnpm@9.12.1 install --frozen-lockfile',
    });
    const yarn4 = facts(['package.json'], { packageJson: { packageManager: 'yarn@4.5.0' } });
    expect(install(yarn4)).toBe('corepack yarn install');
  });

  it('is not a Node project without package.json', () => {
    expect(detectProject(facts(['package-lock.json'])).node).toBeUndefined();
  });
});

describe('detectProject: Python', () => {
  const HASH = `--hash=sha256:${'a'.repeat(64)}`;
  const venv = 'python3 -m venv .venv';

  it('fills a .venv from requirements.txt, else from an installable pyproject.toml', () => {
    expect(detectProject(facts(['requirements.txt', 'pyproject.toml'])).python).toEqual({
      manifest: 'requirements.txt',
      locks: [],
      install: `${venv} && .venv/bin/pip install -r requirements.txt`,
      tools: [],
    });
    const project = facts(['pyproject.toml'], { texts: { 'pyproject.toml': '[project]\nname = "x"\n' } });
    expect(detectProject(project).python?.install).toBe(`${venv} && .venv/bin/pip install -e .`);
  });

  it('installs nothing from a pyproject.toml that only configures tools', () => {
    const tools = facts(['pyproject.toml'], {
      texts: { 'pyproject.toml': '[tool.ruff]\nline-length = 100\n' },
    });
    expect(detectProject(tools).python).toEqual({
      manifest: 'pyproject.toml',
      locks: [],
      install: undefined,
      tools: [],
    });
  });

  it('uv.lock: `uv sync --frozen` into the .venv, with uv in the image', () => {
    const uv = facts(['pyproject.toml', 'uv.lock', 'requirements.txt'], {
      texts: { 'pyproject.toml': '[project]\nname = "x"\n' },
    });
    expect(detectProject(uv).python).toEqual({
      manifest: 'requirements.txt',
      locks: ['uv.lock'],
      install: `${venv} && uv sync --frozen`,
      tools: ['uv'],
    });
  });

  it('requirements files pinned with hashes: every one of them, with --require-hashes', () => {
    const hashed = facts(
      ['pyproject.toml', 'requirements.lock.txt', 'requirements-dev.txt', 'requirements.in'],
      {
        texts: {
          'pyproject.toml': '[project]\nname = "x"\n',
          'requirements.lock.txt': `openai==3.57.0 \\\n    ${HASH}\n`,
          'requirements-dev.txt': `pytest==9.2.0 ${HASH}\n`,
        },
      },
    );
    expect(detectProject(hashed).python).toEqual({
      manifest: 'pyproject.toml',
      locks: ['requirements-dev.txt', 'requirements.lock.txt'],
      install: `${venv} && .venv/bin/pip install --require-hashes -r requirements-dev.txt -r requirements.lock.txt`,
      tools: [],
    });
  });

  it('a buildable project goes on top of its hashed lock without resolving again', () => {
    const buildable = facts(['pyproject.toml', 'requirements.txt'], {
      texts: {
        'pyproject.toml': '[build-system]\nrequires = ["hatchling"]\n',
        'requirements.txt': `openai==3.57.0 ${HASH}\n`,
      },
    });
    expect(detectProject(buildable).python?.install).toBe(
      `${venv} && .venv/bin/pip install --require-hashes -r requirements.txt && .venv/bin/pip install --no-deps -e .`,
    );
  });

  it('a requirements file without hashes is not a lock', () => {
    const loose = facts(['requirements.txt', 'requirements-dev.txt'], {
      texts: { 'requirements-dev.txt': 'pytest\n# --hash=sha256:short\n' },
    });
    expect(detectProject(loose).python?.locks).toEqual([]);
  });
});

describe('starterWorkspace', () => {
  it('a Python project: workspace.python, no node_modules volume, the Python extension', () => {
    expect(starterWorkspace(detectProject(facts(['requirements.txt'])))).toEqual({
      postCreateCommand: 'python3 -m venv .venv && .venv/bin/pip install -r requirements.txt',
      nodeModulesVolume: false,
      extensions: ['ms-python.python'],
      python: { tools: [] },
    });
    const uv = starterWorkspace(detectProject(facts(['pyproject.toml', 'uv.lock'])));
    expect(uv.python).toEqual({ tools: ['uv'] });
    expect(describeProfile(detectProject(facts(['pyproject.toml', 'uv.lock'])))).toEqual([
      'Python project (pyproject.toml, uv.lock): python3 in the workspace, a .venv from `python3 -m venv .venv && uv sync --frozen`',
    ]);
  });

  it('both: installs both, keeps the node_modules volume', () => {
    const both = starterWorkspace(
      detectProject(facts(['package.json', 'package-lock.json', 'requirements.txt'])),
    );
    expect(both.postCreateCommand).toBe(
      'npm ci && python3 -m venv .venv && .venv/bin/pip install -r requirements.txt',
    );
    expect(both.nodeModulesVolume).toBe(true);
  });

  it('neither (a new project): nothing to install, the defaults', () => {
    const profile = detectProject(facts(['README.md']));
    expect(starterWorkspace(profile)).toEqual({
      postCreateCommand: undefined,
      nodeModulesVolume: true,
      extensions: [],
      python: undefined,
    });
    expect(describeProfile(profile)).toEqual([
      'no package.json, pyproject.toml or requirements.txt: nothing to install',
    ]);
  });
});

describe('detectProject: an existing dev container', () => {
  const ctx = { llmdevRoot: '.', version: '1.0.0', configFile: 'llmdev.config.yaml' };
  const ours = (path: string) => wholeFile(path, '#', 'x\n', ctx).content;

  it('finds dev container files llmdev did not write', () => {
    const found = detectProject(
      facts(['.devcontainer'], {
        texts: {
          '.devcontainer/devcontainer.json': '{ "image": "mine" }\n',
          '.devcontainer/.env': 'FOO=1\n',
        },
      }),
    ).existingDevcontainer;
    expect(found).toEqual([
      { path: '.devcontainer/devcontainer.json', why: 'exists and was not generated by llmdev' },
      { path: '.devcontainer/.env', why: 'exists and was not written by llmdev' },
    ]);
  });

  it('counts a root .devcontainer.json, which llmdev’s .devcontainer/devcontainer.json would shadow', () => {
    const found = detectProject(facts(['.devcontainer.json'], { texts: { '.devcontainer.json': '{}' } }));
    expect(found.existingDevcontainer.map((e) => e.path)).toEqual(['.devcontainer.json']);
  });

  it("ignores llmdev's own files, and the .env its initialize.sh writes", () => {
    const found = detectProject(
      facts(['.devcontainer'], {
        texts: {
          '.devcontainer/devcontainer.json': ours('.devcontainer/devcontainer.json'),
          '.devcontainer/compose.yaml': `${ours('.devcontainer/compose.yaml')}# edited\n`,
          '.devcontainer/initialize.sh': ours('.devcontainer/initialize.sh'),
          '.devcontainer/.env': 'COMPOSE_PROJECT_NAME=x-1\n',
        },
      }),
    );
    expect(found.existingDevcontainer).toEqual([]);
  });
});
