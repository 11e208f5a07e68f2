/**
 * Generated files checked by the real tools: `docker compose config` (Compose v2 on the running
 * engine) and the official Dev Containers CLI's `read-configuration`. Nothing is started.
 */

import { mkdir, mkdtemp, readFile, rm, symlink, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { jest } from '@jest/globals';
import { execa } from 'execa';
import { parseConfig } from '../../../src/config/load.js';
import { generateFiles } from '../../../src/generate/index.js';
import { applyPlans, planFiles } from '../../../src/generate/write.js';
import { PACKAGE_ROOT } from '../../../src/meta/index.js';
import { CONFIG_VARIANTS } from '../../fixtures/config-variants.js';
import { runCli } from '../../helpers/cli.js';

// Each case runs the real CLI (or shell, or Docker) several times; a busy machine is slow.
jest.setTimeout(120_000);

const DEVCONTAINER_CLI = fileURLToPath(new URL('../../../node_modules/.bin/devcontainer', import.meta.url));
const KEY = 'sk-proj-E2EFAKEKEY0123456789abcdefghijklmnopq';

interface ResolvedService {
  secrets?: { source: string; target: string }[];
  environment?: Record<string, string | null>;
  ports?: { host_ip?: string; published?: string; target: number }[];
  user?: string;
  build?: { context: string };
}
interface ResolvedCompose {
  name: string;
  services: Record<string, ResolvedService>;
}

/** A project as a user has it after `npm i -D llmdev`: the package under node_modules/llmdev. */
async function installedProject(root: string, configText: string): Promise<string> {
  const dir = join(root, 'project');
  await mkdir(join(dir, 'node_modules'), { recursive: true });
  await symlink(PACKAGE_ROOT, join(dir, 'node_modules/llmdev'));
  await writeFile(join(dir, 'llmdev.config.yaml'), configText);
  await mkdir(join(dir, 'docker'), { recursive: true });
  await writeFile(join(dir, 'docker/dev.Dockerfile'), 'FROM node:22-bookworm-slim\n');
  const files = generateFiles(parseConfig({ text: configText }), {
    llmdevRoot: 'node_modules/llmdev',
    version: '0.0.0-e2e',
    configFile: 'llmdev.config.yaml',
  });
  await applyPlans(dir, await planFiles(dir, files));
  return dir;
}

async function initialize(dir: string, env: Record<string, string> = {}) {
  const run = await execa('sh', [join(dir, '.devcontainer/initialize.sh')], {
    env: { PATH: process.env.PATH ?? '/usr/bin:/bin', ...env },
    extendEnv: false,
  });
  expect(`${run.stdout}${run.stderr}`).not.toContain(KEY);
}

async function composeConfig(dir: string): Promise<ResolvedCompose> {
  const file = join(dir, '.devcontainer/compose.yaml');
  const quiet = await execa('docker', ['compose', '-f', file, 'config', '-q'], {
    reject: false,
    extendEnv: true,
  });
  expect(quiet.stderr).toBe('');
  expect(quiet.exitCode).toBe(0);
  const { stdout } = await execa('docker', ['compose', '-f', file, 'config', '--format', 'json']);
  return JSON.parse(stdout) as ResolvedCompose;
}

async function readConfiguration(dir: string): Promise<{ configuration: Record<string, unknown> }> {
  const run = await execa(DEVCONTAINER_CLI, ['read-configuration', '--workspace-folder', dir], {
    reject: false,
  });
  expect(run.exitCode).toBe(0);
  return JSON.parse(run.stdout) as { configuration: Record<string, unknown> };
}

const secretNames = (service: ResolvedService | undefined) => (service?.secrets ?? []).map((s) => s.source);

describe('generated files under the real tools', () => {
  let root: string;
  beforeEach(async () => {
    root = await mkdtemp(join(tmpdir(), 'llmdev-e2e-gen-'));
  });
  afterEach(async () => {
    await rm(root, { recursive: true, force: true });
  });

  it('llmdev init output passes docker compose config and devcontainer read-configuration', async () => {
    const dir = join(root, 'fresh-app');
    const init = await runCli(['init', '--yes', '--dir', dir]);
    expect(init.exitCode).toBe(0);
    await initialize(dir, { OPENAI_API_KEY: KEY });

    const compose = await composeConfig(dir);
    const env = await readFile(join(dir, '.devcontainer/.env'), 'utf8');
    expect(env).toMatch(new RegExp(`^COMPOSE_PROJECT_NAME=${compose.name}\\n`)); // unique per clone
    expect(compose.name).toMatch(/^fresh-app-\d+$/);

    const { configuration } = await readConfiguration(dir);
    expect(configuration.service).toBe('workspace');
    expect(configuration.dockerComposeFile).toEqual(['compose.yaml']);
    expect(configuration.initializeCommand).toEqual(['sh', join(dir, '.devcontainer/initialize.sh')]);
  });

  describe.each(Object.keys(CONFIG_VARIANTS))('config variant: %s', (variant) => {
    it('resolves under Compose with provider keys kept out of the workspace', async () => {
      const text = CONFIG_VARIANTS[variant] ?? '';
      const config = parseConfig({ text });
      const dir = await installedProject(root, text);
      await initialize(dir, { OPENAI_API_KEY: KEY, ANTHROPIC_API_KEY: KEY });

      const compose = await composeConfig(dir);
      const workspace = compose.services.workspace;
      const sidecar = compose.services['usage-logger'];
      for (const provider of Object.values(config.providers)) {
        expect(secretNames(sidecar)).toContain(provider.secret);
        expect(secretNames(workspace).includes(provider.secret)).toBe(provider.route === 'direct');
      }
      expect(secretNames(workspace)).toContain(config.sidecar.tokenSecret);
      expect(sidecar?.ports).toEqual([
        expect.objectContaining({
          host_ip: '127.0.0.1',
          published: String(config.sidecar.hostPort),
          target: config.sidecar.port,
        }),
      ]);
      expect(workspace?.ports).toBeUndefined();
      if (process.getuid?.() === 0) expect(sidecar?.user).toBe('1000:1000');
      for (const [name, value] of Object.entries(config.workspace.env)) {
        // Not interpolated (${HOME} stays): `config` prints literal `$` re-escaped as `$$`.
        expect(workspace?.environment?.[name]).toBe(value.replaceAll('$', '$$$$'));
      }
      expect(JSON.stringify(compose)).not.toContain(KEY);

      const { configuration } = await readConfiguration(dir);
      expect(configuration.service).toBe('workspace');
      expect(configuration.runServices).toEqual(['workspace', 'usage-logger']);
    });
  });

  it('LLMDEV_SIDECAR_HOST_PORT moves the published port without regenerating', async () => {
    const dir = await installedProject(root, 'project: {name: demo}\n');
    await initialize(dir);
    const file = join(dir, '.devcontainer/compose.yaml');
    const { stdout } = await execa('docker', ['compose', '-f', file, 'config', '--format', 'json'], {
      env: { LLMDEV_SIDECAR_HOST_PORT: '14100' },
    });
    const compose = JSON.parse(stdout) as ResolvedCompose;
    expect(compose.services['usage-logger']?.ports?.[0]).toMatchObject({
      host_ip: '127.0.0.1',
      published: '14100',
    });
  });
});
