/**
 * llmdev where users are: a fresh folder with a small Node project of its own, a `npm pack` of this
 * repository installed into it, and then exactly the commands of README.md's "Use it in your
 * project" section (read from it): init, `npx llmdev up` (which runs the postCreateCommand init
 * chose, `npm install`, in the workspace), the stock OpenAI (plain and streaming) and Anthropic SDKs
 * from what it installed, run with `llmdev shell` (mock provider: no keys), `llmdev usage`, and
 * `llmdev down --volumes`, which must leave no container, network or volume behind. Then the same
 * folder again: the warm start reuses the usage-logger image (same id) instead of rebuilding it.
 *
 * The tarball gets a version of its own (`<version>-e2e.<id>`), so its image tag is its own too:
 * the cold start really builds the sidecar from the installed package, and nothing another test
 * built is reused or removed.
 */
import { randomBytes } from 'node:crypto';
import { chmod, copyFile, mkdtemp, readFile, rm, stat, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { jest } from '@jest/globals';
import { execa } from 'execa';
import { loadComposeProject } from '../../../src/docker/compose.js';
import { LLMDEV_VERSION, PACKAGE_ROOT } from '../../../src/meta/index.js';
import { type PackResult, packRepository } from '../../helpers/pack.js';
import { freePort, leftovers, removeImagesMatching } from '../containers/stack.js';
import { INSTALL, readmeCommands } from './readme-commands.js';

jest.setTimeout(40 * 60_000);

const ID = randomBytes(3).toString('hex');
const VERSION = `${LLMDEV_VERSION}-e2e.${ID}`;
const IMAGE = `llmdev-usage-logger:${VERSION}`;
const SDK_SCRIPT = fileURLToPath(new URL('../containers/sdk-calls.mjs', import.meta.url));

const versionOf = async (name: string) =>
  (
    JSON.parse(await readFile(join(PACKAGE_ROOT, 'node_modules', name, 'package.json'), 'utf8')) as {
      version: string;
    }
  ).version;

interface Step {
  command: string;
  seconds: number;
  stdout: string;
  stderr: string;
}

let dir: string;
let packed: PackResult;
let hostPort: number;
let commands: string[];
const figures: Record<string, string> = {};

/** The project's environment: no provider keys (mock mode), a free host port for the sidecar. */
function projectEnv(): Record<string, string> {
  const env: Record<string, string> = {};
  for (const [name, value] of Object.entries(process.env)) {
    if (value !== undefined && !/^(OPENAI|ANTHROPIC)_|^LLMDEV_|^npm_/.test(name)) env[name] = value;
  }
  // Two projects can run side by side with their own port (README, "Getting started").
  return { ...env, LLMDEV_SIDECAR_HOST_PORT: String(hostPort), NO_COLOR: '1' };
}

/** Runs one README command in the project, as a user would in a shell; fails with its output. */
async function run(command: string): Promise<Step> {
  const started = performance.now();
  const result = await execa(command, {
    shell: true,
    cwd: dir,
    env: projectEnv(),
    extendEnv: false,
    reject: false,
  });
  const step = {
    command,
    seconds: (performance.now() - started) / 1000,
    stdout: String(result.stdout),
    stderr: String(result.stderr),
  };
  if (result.exitCode !== 0) {
    throw new Error(`\`${command}\` failed (${result.exitCode}):\n${step.stderr}\n${step.stdout}`);
  }
  return step;
}

/** The README's commands with the registry package swapped for the tarball under test. */
const asTested = (command: string) =>
  INSTALL.test(command) ? command.replace(/llmdev$/, `./${packed.tarball.split('/').at(-1)}`) : command;

async function imageId(): Promise<string> {
  return (await execa('docker', ['image', 'inspect', IMAGE, '--format', '{{.Id}}'])).stdout.trim();
}

/** Containers, networks and volumes Compose labelled with the project. */
async function leftBehind(composeName: string): Promise<string[]> {
  const volumes = await execa('docker', [
    'volume',
    'ls',
    '--filter',
    `label=com.docker.compose.project=${composeName}`,
    '--format',
    'volume {{.Name}}',
  ]);
  return [...(await leftovers(composeName)), ...volumes.stdout.split('\n').filter(Boolean)];
}

beforeAll(async () => {
  dir = await mkdtemp(join(tmpdir(), `llmdev-e2e-any-${ID}-`));
  await chmod(dir, 0o755); // readable by the container user
  hostPort = await freePort();
  commands = await readmeCommands();
  const started = performance.now();
  packed = await packRepository({ destination: dir, version: VERSION });
  figures.pack = `${((performance.now() - started) / 1000).toFixed(1)} s (build included), ${(packed.size / 1024).toFixed(0)} KiB (${(packed.unpackedSize / 1024).toFixed(0)} KiB unpacked, ${packed.files.length} files)`;
  // A small existing project: its own manifest with the SDKs it uses, and its code.
  const manifest = {
    name: `shop-${ID}`,
    version: '1.0.0',
    private: true,
    type: 'module',
    dependencies: {
      openai: await versionOf('openai'),
      '@anthropic-ai/sdk': await versionOf('@anthropic-ai/sdk'),
    },
  };
  await writeFile(join(dir, 'package.json'), `${JSON.stringify(manifest, null, 2)}\n`);
  await copyFile(SDK_SCRIPT, join(dir, 'app.mjs'));
  await writeFile(join(dir, '.gitignore'), 'node_modules/\n');
});

afterAll(async () => {
  const project = await loadComposeProject(dir).catch(() => undefined);
  if (project) {
    await execa('docker', ['compose', '-p', project.name, '-f', project.file, 'down', '--volumes'], {
      reject: false,
    });
    await execa('docker', ['rmi', `${project.name}-workspace`], { reject: false });
  }
  await execa('docker', ['rmi', IMAGE], { reject: false });
  await removeImagesMatching(ID); // the Dev Containers CLI's images, named after the folder
  await packed?.cleanup();
  if (dir) await rm(dir, { recursive: true, force: true });
  process.stderr.write(
    `any-project figures:\n${Object.entries(figures)
      .map(([k, v]) => `  ${k}: ${v}`)
      .join('\n')}\n`,
  );
});

interface SdkResults {
  env: { baseUrl: string; hasOpenAIKey: boolean };
  openai: { text: string; usage: { prompt_tokens: number } };
  openaiStream: { text: string; usage: { prompt_tokens: number } | null };
  anthropic: { text: string };
  anthropicStream: { text: string };
}

/** Runs the README's commands once; returns each step by its command's first words. */
async function runReadme(label: string): Promise<Map<string, Step>> {
  const steps = new Map<string, Step>();
  for (const command of commands) {
    const step = await run(asTested(command));
    steps.set(command, step);
    figures[`${label}: ${command.split(' ').slice(0, 5).join(' ')}`] = `${step.seconds.toFixed(1)} s`;
    if (/llmdev up$/.test(command)) await checkUp(step);
    if (/llmdev shell /.test(command)) checkCalls(step);
    if (/llmdev usage$/.test(command)) await checkUsage(step);
    if (/llmdev down --volumes$/.test(command)) {
      expect(await leftBehind(composeName)).toEqual([]);
    }
  }
  return steps;
}

let composeName: string;

async function checkUp(step: Step): Promise<void> {
  expect(step.stderr).toMatch(/is up in .*usage-logger healthy/);
  // postCreateCommand (npm install, from `llmdev init`): each run starts with new containers.
  expect(step.stderr).toContain('Running the postCreateCommand');
  composeName = (await loadComposeProject(dir)).name;
  // The provider keys never reach the workspace: not mounted, not in its environment, and the
  // project's .secrets/ is hidden there.
  const inside = await run(
    'npx llmdev shell -- sh -c "ls -A /run/secrets; echo ---; ls -A .secrets; echo ---; env"',
  );
  const [mounted, hidden, env] = inside.stdout.split('---\n');
  expect(mounted?.trim().split('\n').sort()).toEqual(['ca_certs', 'llmdev_token']);
  expect(hidden?.trim()).toBe('');
  const token = (await readFile(join(dir, '.secrets/llmdev_token'), 'utf8')).trim();
  expect(env).toContain(`OPENAI_API_KEY=${token}\n`);
  expect(env).toContain(`ANTHROPIC_API_KEY=${token}\n`);
}

function checkCalls(step: Step): void {
  const results = JSON.parse(step.stdout.trim().split('\n').at(-1) ?? '{}') as SdkResults;
  expect(results.env).toEqual({ baseUrl: 'http://usage-logger:4100/v1', hasOpenAIKey: true });
  for (const text of [
    results.openai.text,
    results.openaiStream.text,
    results.anthropic.text,
    results.anthropicStream.text,
  ]) {
    expect(text).toMatch(/mock/i);
  }
  expect(results.openai.usage.prompt_tokens).toBeGreaterThan(0);
  expect(results.openaiStream.usage?.prompt_tokens).toBeGreaterThan(0);
}

async function checkUsage(step: Step): Promise<void> {
  expect(step.stdout).toMatch(/gpt-4o-mini/);
  expect(step.stdout).toMatch(/claude-3-5-haiku/);
  const json = await run('npx llmdev usage --json');
  expect(json.stdout).toContain('gpt-4o-mini');
}

describe('llmdev in a fresh project, from the packed tarball', () => {
  it('ships a tarball with no tests, sources or secrets, and an image context that pins the dependencies', () => {
    const paths = packed.files.map((file) => file.path);
    expect(paths).toEqual(
      expect.arrayContaining([
        'dist/cli/main.js',
        'dist/client/index.d.ts',
        'docker/usage-logger/package-lock.json',
      ]),
    );
    expect(paths.filter((path) => /^(src|test|bench|\.secrets)\/|\.map$/.test(path))).toEqual([]);
  });

  it('runs the README commands: up, SDK calls in mock mode, usage, and a teardown that leaves nothing', async () => {
    expect(commands.filter((command) => INSTALL.test(command))).toHaveLength(1);
    await expect(execa('docker', ['image', 'inspect', IMAGE], { reject: true })).rejects.toThrow(); // cold
    await runReadme('cold');
    await expect(
      stat(join(dir, 'node_modules/llmdev/docker/usage-logger/package-lock.json')),
    ).resolves.toBeDefined();
    figures['usage-logger image'] = `${IMAGE} ${await imageId()}`;
  });

  it('the same folder again: a warm start reuses the usage-logger image', async () => {
    const before = await imageId();
    await runReadme('warm');
    expect(await imageId()).toBe(before);
  });
});
