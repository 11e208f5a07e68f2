/**
 * Python projects end to end on the real engine, one per shape: requirements.txt; pyproject.toml
 * with uv.lock; Node and Python together with a lock of hashed requirements. For each: `llmdev
 * init` detects it, `devcontainer up` builds the workspace (pip and uv through this machine's
 * TLS-intercepting proxy, trusting network.caCerts) and fills the .venv from the lock; the .venv is
 * first on PATH and VS Code's interpreter; the stock openai and anthropic SDKs (sync, async,
 * streaming) run inside and land in `llmdev usage`; pytest runs inside. The three share the image
 * layers up to the Python tools (BuildKit cache), so only the first pays for apt.
 */
import { randomBytes } from 'node:crypto';
import { chmod, copyFile, cp, mkdtemp, readFile, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { jest } from '@jest/globals';
import { execa } from 'execa';
import { parse as parseYaml } from 'yaml';
import { loadComposeProject } from '../../../src/docker/compose.js';
import type { UsageRecord } from '../../../src/usage/record.js';
import { runCli } from '../../helpers/cli.js';
import {
  expectSuccess,
  freePort,
  leftovers,
  readToken,
  removeComposeProject,
  removeImagesMatching,
} from '../containers/stack.js';

jest.setTimeout(45 * 60_000);

const DEVCONTAINER = fileURLToPath(new URL('../../../node_modules/.bin/devcontainer', import.meta.url));
const FIXTURES = fileURLToPath(new URL('./fixtures', import.meta.url));
const SDK_SCRIPT = fileURLToPath(new URL('../../fixtures/python/sdk_calls.py', import.meta.url));
/** What the locks pin (and requirements.txt names exactly). */
const PINNED = ['openai==3.57.0', 'anthropic==2.16.0', 'pytest==9.2.0'];

interface Shape {
  label: string;
  fixture: string;
  install: string;
  tools: string[];
  node: boolean;
}

const VENV = 'python3 -m venv .venv';
const SHAPES: Shape[] = [
  {
    label: 'requirements.txt',
    fixture: 'requirements',
    install: `${VENV} && .venv/bin/pip install -r requirements.txt`,
    tools: [],
    node: false,
  },
  {
    label: 'pyproject.toml and uv.lock',
    fixture: 'uv',
    install: `${VENV} && uv sync --frozen`,
    tools: ['uv'],
    node: false,
  },
  {
    label: 'Node and Python, pyproject.toml and hashed requirements',
    fixture: 'node-python',
    install: `npm ci && ${VENV} && .venv/bin/pip install --require-hashes -r requirements.lock.txt`,
    tools: [],
    node: true,
  },
];

const figures: Record<string, string> = {};

afterAll(() => {
  process.stderr.write(
    `python-workspace figures:\n${Object.entries(figures)
      .map(([k, v]) => `  ${k}: ${v}`)
      .join('\n')}\n`,
  );
});

describe.each(SHAPES)('a Python project with $label', (shape) => {
  const id = randomBytes(3).toString('hex');
  let dir: string;
  let hostPort: number;

  /** The user's environment: no provider keys (mock provider), the sidecar on a free host port. */
  const env = () => {
    const kept = Object.entries(process.env).filter(
      ([name]) => !/^(OPENAI|ANTHROPIC)_|^LLMDEV_|^npm_/.test(name),
    ) as [string, string][];
    return { ...Object.fromEntries(kept), LLMDEV_SIDECAR_HOST_PORT: String(hostPort), NO_COLOR: '1' };
  };

  /** `devcontainer <command> --workspace-folder <dir> ...`, timed; fails with its output. */
  const devcontainer = async (command: string, ...args: string[]) => {
    const started = performance.now();
    const result = await execa(DEVCONTAINER, [command, '--workspace-folder', dir, ...args], {
      reject: false,
      env: env(),
      extendEnv: false,
    });
    if (result.exitCode !== 0) {
      throw new Error(
        `devcontainer ${command} ${args.join(' ')} failed (${result.exitCode}):\n${result.stderr}\n${result.stdout}`,
      );
    }
    figures[`${shape.fixture}: devcontainer ${command} ${args.slice(0, 2).join(' ')}`.trim()] =
      `${((performance.now() - started) / 1000).toFixed(1)} s`;
    return { stdout: String(result.stdout), stderr: String(result.stderr) };
  };
  const exec = (script: string) => devcontainer('exec', 'sh', '-c', script);
  const lastLine = (text: string) => JSON.parse(text.trim().split('\n').at(-1) ?? '{}') as unknown;

  beforeAll(async () => {
    dir = await mkdtemp(join(tmpdir(), `llmdev-e2e-py-${shape.fixture}-${id}-`));
    await chmod(dir, 0o755); // readable by the container user
    hostPort = await freePort();
    await cp(join(FIXTURES, shape.fixture), dir, { recursive: true });
    await copyFile(join(FIXTURES, 'test_sdk.py'), join(dir, 'test_sdk.py'));
    await copyFile(SDK_SCRIPT, join(dir, 'sdk_calls.py'));
  });

  afterAll(async () => {
    const project = await loadComposeProject(dir).catch(() => undefined);
    if (project) {
      await removeComposeProject(project);
      expect(await leftovers(project.name)).toEqual([]);
    }
    await removeImagesMatching(id); // the Dev Containers CLI's images, named after the folder
    await rm(dir, { recursive: true, force: true });
  });

  it('llmdev init detects it: workspace.python, and the install from the lock', async () => {
    const init = expectSuccess(await runCli(['init', '--yes', '--dir', dir]));
    expect(init.stderr).toContain('detected: Python project');
    const config = parseYaml(await readFile(join(dir, 'llmdev.config.yaml'), 'utf8')) as {
      workspace: { postCreateCommand: string; python: { tools?: string[] } };
    };
    expect(config.workspace.postCreateCommand).toBe(shape.install);
    expect(config.workspace.python.tools ?? []).toEqual(shape.tools);
  });

  it('devcontainer up: the .venv filled from the lock, first on PATH, and VS Code’s interpreter', async () => {
    const up = lastLine((await devcontainer('up')).stdout) as { outcome: string; composeProjectName: string };
    expect(up.outcome).toBe('success');
    expect(up.composeProjectName).toBe((await loadComposeProject(dir)).name);
    const folder = `/workspaces/${(parseYaml(await readFile(join(dir, 'llmdev.config.yaml'), 'utf8')) as { project: { name: string } }).project.name}`;

    const inside = await exec(
      // uv sync removes pip from the .venv (it is not in the lock): then uv lists it.
      'command -v python; command -v pytest; python -c "import sys; print(sys.prefix)"; echo ---; python -m pip freeze 2>/dev/null || uv pip freeze; echo ---; env | grep -E "^(PIP_CERT|SSL_CERT_FILE|REQUESTS_CA_BUNDLE|UV_NATIVE_TLS)="; echo ---; command -v node; command -v uv || true',
    );
    const [where, frozen, caEnv, tools] = inside.stdout.split('---\n');
    expect(where?.trim().split('\n')).toEqual([
      `${folder}/.venv/bin/python`,
      `${folder}/.venv/bin/pytest`,
      `${folder}/.venv`,
    ]);
    const installed = frozen?.trim().split('\n') ?? [];
    expect(installed).toEqual(expect.arrayContaining(PINNED));
    expect(caEnv?.trim().split('\n').sort()).toEqual([
      'PIP_CERT=/etc/ssl/certs/ca-certificates.crt',
      'REQUESTS_CA_BUNDLE=/etc/ssl/certs/ca-certificates.crt',
      'SSL_CERT_FILE=/etc/ssl/certs/ca-certificates.crt',
      'UV_NATIVE_TLS=1',
    ]);
    if (shape.tools.includes('uv')) expect(tools).toContain('/opt/llmdev-tools/bin/uv');
    if (shape.node) expect(tools).toContain('/usr/local/bin/node');

    const read = lastLine((await devcontainer('read-configuration')).stdout) as {
      configuration: {
        customizations: { vscode: { settings: Record<string, string>; extensions: string[] } };
      };
    };
    expect(read.configuration.customizations.vscode).toEqual({
      extensions: ['ms-python.python'],
      settings: { 'python.defaultInterpreterPath': `${folder}/.venv/bin/python` },
    });
  });

  it('the stock Python SDKs inside, streaming included, land in llmdev usage; pytest runs', async () => {
    const calls = lastLine((await exec('python sdk_calls.py calls')).stdout) as Record<
      string,
      { text: string }
    >;
    expect(Object.keys(calls)).toHaveLength(11);
    for (const call of Object.values(calls)) expect(call.text).toMatch(/mock/i);
    const pytest = await exec('pytest -q -p no:cacheprovider test_sdk.py');
    expect(pytest.stdout).toMatch(/1 passed/);

    const usage = expectSuccess(
      await runCli(['usage', '--json', '--dir', dir], { env: env(), extendEnv: false }),
    );
    const report = JSON.parse(usage.stdout) as {
      totals: { requests: number; inputTokens: number; costUsd: number };
    };
    expect(report.totals.requests).toBe(12);
    expect(report.totals.inputTokens).toBeGreaterThan(0);
    expect(report.totals.costUsd).toBeGreaterThan(0);

    const response = await fetch(`http://127.0.0.1:${hostPort}/v1/usage/records`, {
      headers: { authorization: `Bearer ${await readToken(dir)}` },
    });
    const { records } = (await response.json()) as { records: UsageRecord[] };
    const byShape = (stream: boolean) =>
      records
        .filter((r) => r.stream === stream)
        .map((r) => r.endpoint)
        .sort();
    expect(byShape(true)).toEqual([
      '/v1/chat/completions',
      '/v1/chat/completions',
      '/v1/messages',
      '/v1/messages',
      '/v1/responses',
    ]);
    expect(records.every((r) => r.usage.inputTokens > 0 && r.usage.outputTokens > 0)).toBe(true);
  });

  it('llmdev up (the door `make up` uses) on a removed workspace: postCreate installs the lock again, the same project, pytest through llmdev shell lands in usage', async () => {
    const cli = (args: string[]) => runCli([...args, '--dir', dir], { env: env(), extendEnv: false });
    expectSuccess(await cli(['down', '--remove'])); // the usage volume stays
    const started = performance.now();
    expectSuccess(await cli(['up']));
    figures[`${shape.fixture}: llmdev up (workspace created)`] =
      `${((performance.now() - started) / 1000).toFixed(1)} s`;
    const { name } = await loadComposeProject(dir);
    // One stack, whichever door: the workspace and the sidecar of the project devcontainer up made.
    const containers = (await leftovers(name)).filter((line) => line.startsWith('container '));
    expect(containers).toHaveLength(2);

    const shell = (script: string) =>
      runCli(['shell', '--dir', dir, '--', 'sh', '-c', script], { env: env(), extendEnv: false });
    const inside = expectSuccess(
      await shell('command -v python; python -m pip freeze 2>/dev/null || uv pip freeze'),
    );
    const [python, ...installed] = inside.stdout.trim().split('\n');
    expect(python).toMatch(/\/\.venv\/bin\/python$/);
    expect(installed).toEqual(expect.arrayContaining(PINNED));
    const pytest = expectSuccess(await shell('pytest -q -p no:cacheprovider test_sdk.py'));
    expect(pytest.stdout).toMatch(/1 passed/);

    const usage = expectSuccess(await cli(['usage', '--json']));
    expect((JSON.parse(usage.stdout) as { totals: { requests: number } }).totals.requests).toBe(13);
  });
});
