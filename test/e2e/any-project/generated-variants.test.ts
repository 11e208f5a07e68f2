/**
 * Two ways of using llmdev in a project, checked by the real tools (`docker compose config`, the
 * Dev Containers CLI's `read-configuration`) on files the real CLI generated, with llmdev linked
 * at node_modules/llmdev as an install has it. Nothing is started.
 *   - `sidecar.image`: a prebuilt usage-logger image, so no build for the sidecar at all;
 *   - next to the project's own dev container (`.devcontainer/llmdev/`), which stays the default.
 */
import { mkdir, mkdtemp, rm, symlink, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { jest } from '@jest/globals';
import { execa } from 'execa';
import { PACKAGE_ROOT } from '../../../src/meta/index.js';
import { runCli } from '../../helpers/cli.js';
import { expectSuccess } from '../containers/stack.js';

jest.setTimeout(120_000);

const DEVCONTAINER_CLI = fileURLToPath(new URL('../../../node_modules/.bin/devcontainer', import.meta.url));

interface ResolvedService {
  build?: { context: string };
  image?: string;
  pull_policy?: string;
  volumes?: { source: string; target: string }[];
}
interface ResolvedCompose {
  name: string;
  services: Record<string, ResolvedService>;
  secrets: Record<string, { file: string }>;
}

let dir: string;
beforeEach(async () => {
  dir = await mkdtemp(join(tmpdir(), 'llmdev-e2e-variants-'));
  await writeFile(join(dir, 'package.json'), '{"name": "shop", "private": true}\n');
  await mkdir(join(dir, 'node_modules'));
  await symlink(PACKAGE_ROOT, join(dir, 'node_modules/llmdev'));
});
afterEach(async () => {
  await rm(dir, { recursive: true, force: true });
});

async function composeConfig(file: string): Promise<ResolvedCompose> {
  await execa('sh', [join(dir, file.replace('compose.yaml', 'initialize.sh'))], {
    env: { NODE_EXTRA_CA_CERTS: '' },
  });
  const quiet = await execa('docker', ['compose', '-f', join(dir, file), 'config', '-q'], { reject: false });
  expect(quiet.stderr).toBe('');
  expect(quiet.exitCode).toBe(0);
  const { stdout } = await execa('docker', ['compose', '-f', join(dir, file), 'config', '--format', 'json']);
  return JSON.parse(stdout) as ResolvedCompose;
}

async function readConfiguration(...args: string[]): Promise<Record<string, unknown>> {
  const { stdout } = await execa(DEVCONTAINER_CLI, [
    'read-configuration',
    '--workspace-folder',
    dir,
    ...args,
  ]);
  return (JSON.parse(stdout) as { configuration: Record<string, unknown> }).configuration;
}

describe('generated for an installed llmdev, under the real tools', () => {
  it('sidecar.image: Compose takes the prebuilt image and builds only the workspace', async () => {
    const image = 'registry.example/llmdev-usage-logger:1.0';
    await writeFile(join(dir, 'llmdev.config.yaml'), `project: {name: shop}\nsidecar: {image: "${image}"}\n`);
    expectSuccess(await runCli(['generate', '--dir', dir]));
    const compose = await composeConfig('.devcontainer/compose.yaml');
    const sidecar = compose.services['usage-logger'];
    expect(sidecar?.image).toBe(image);
    expect(sidecar?.build).toBeUndefined();
    expect(sidecar?.pull_policy).toBeUndefined(); // pulled when missing, like any image
    expect(compose.services.workspace?.build?.context).toBe(
      join(dir, 'node_modules/llmdev/docker/workspace'),
    );
  });

  it('next to the project’s dev container: its own folder, paths back to the project, theirs stays the default', async () => {
    await mkdir(join(dir, '.devcontainer'));
    await writeFile(join(dir, '.devcontainer/devcontainer.json'), '{ "image": "mine:1" }\n');
    expectSuccess(
      await runCli(['init', '--yes', '--devcontainer-dir', '.devcontainer/llmdev', '--dir', dir]),
    );

    const compose = await composeConfig('.devcontainer/llmdev/compose.yaml');
    expect(compose.services['usage-logger']?.build?.context).toBe(join(dir, 'node_modules/llmdev'));
    expect(compose.services.workspace?.volumes?.[0]).toMatchObject({
      source: dir,
      target: '/workspaces/shop',
    });
    expect(compose.secrets.llmdev_token?.file).toBe(join(dir, '.secrets/llmdev_token'));
    expect(compose.secrets.ca_certs?.file).toBe(join(dir, '.devcontainer/llmdev/.ca-certs.pem'));
    expect(compose.name).toMatch(/^shop-\d+$/); // from .devcontainer/llmdev/.env, unique per clone

    const ours = await readConfiguration('--config', join(dir, '.devcontainer/llmdev/devcontainer.json'));
    expect(ours.service).toBe('workspace');
    expect(ours.dockerComposeFile).toEqual(['compose.yaml']);
    expect(ours.initializeCommand).toEqual(['sh', join(dir, '.devcontainer/llmdev/initialize.sh')]);
    expect((await readConfiguration()).image).toBe('mine:1');
  });
});
