/**
 * The generated .devcontainer/initialize.sh, run for real with /bin/sh in temporary projects:
 * secret files and modes, keys from the environment, the CA bundle, .devcontainer/.env, ownership,
 * idempotence, and never a secret on its output.
 */

import { chmod, chown, mkdir, mkdtemp, readFile, rm, stat, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { jest } from '@jest/globals';
import { execa } from 'execa';
import { parseConfig } from '../../../src/config/load.js';
import { generateFiles } from '../../../src/generate/index.js';
import { applyPlans, planFiles } from '../../../src/generate/write.js';

// Each case runs the real CLI (or shell, or Docker) several times; a busy machine is slow.
jest.setTimeout(120_000);

const KEY = 'sk-proj-FAKEKEYFORTESTS0123456789abcdefghijklmnop';
const isRoot = process.getuid?.() === 0;

async function project(dir: string, configText = 'project: {name: demo}\n'): Promise<void> {
  const config = parseConfig({ text: configText });
  const files = generateFiles(config, {
    llmdevRoot: 'node_modules/llmdev',
    version: '0.0.0',
    configFile: 'llmdev.config.yaml',
  });
  await writeFile(join(dir, 'llmdev.config.yaml'), configText);
  await applyPlans(dir, await planFiles(dir, files));
}

/** Runs the script with a bare environment plus `env`, from an unrelated working directory. */
async function initialize(dir: string, env: Record<string, string> = {}, user?: number) {
  const command =
    user === undefined ? ['sh'] : ['setpriv', `--reuid=${user}`, `--regid=${user}`, '--clear-groups', 'sh'];
  const [file, ...args] = command as [string, ...string[]];
  return execa(file, [...args, join(dir, '.devcontainer/initialize.sh')], {
    cwd: '/',
    env: { PATH: process.env.PATH ?? '/usr/bin:/bin', ...env },
    extendEnv: false,
    reject: false,
  });
}

const modeOf = async (path: string) => (await stat(path)).mode & 0o777;
const read = (path: string) => readFile(path, 'utf8');
const cksum = async (text: string) => (await execa('cksum', { input: text })).stdout.split(' ')[0];

describe('initialize.sh', () => {
  let root: string;
  let dir: string;
  beforeEach(async () => {
    root = await mkdtemp(join(tmpdir(), 'llmdev-init-sh-'));
    dir = join(root, 'my project'); // a space: every path in the script must be quoted
    await mkdir(dir);
    await chmod(root, 0o755);
  });
  afterEach(async () => {
    await rm(root, { recursive: true, force: true });
  });

  it('without keys: a token, empty provider files (mock), an empty CA bundle, and .devcontainer/.env', async () => {
    await project(dir);
    const run = await initialize(dir);
    expect(run.exitCode).toBe(0);
    expect(run.stderr).toContain('llmdev: created .secrets/llmdev_token (the sidecar access token)');
    expect(run.stderr).toContain(
      'llmdev: created .secrets/openai_api_key empty (mock provider until it holds a key: llmdev secrets set openai_api_key)',
    );

    expect(await modeOf(join(dir, '.secrets'))).toBe(0o700);
    for (const name of ['llmdev_token', 'openai_api_key', 'anthropic_api_key']) {
      expect(await modeOf(join(dir, '.secrets', name))).toBe(0o600);
    }
    expect(await read(join(dir, '.secrets/llmdev_token'))).toMatch(/^[0-9a-f]{64}$/);
    expect(await read(join(dir, '.secrets/openai_api_key'))).toBe('');
    expect(await read(join(dir, '.secrets/anthropic_api_key'))).toBe('');
    expect(await read(join(dir, '.devcontainer/.ca-certs.pem'))).toBe('');
    expect(await modeOf(join(dir, '.devcontainer/.ca-certs.pem'))).toBe(0o644);

    const uid = isRoot ? 1000 : process.getuid?.();
    const gid = isRoot ? 1000 : process.getgid?.();
    expect(await read(join(dir, '.devcontainer/.env'))).toBe(
      `COMPOSE_PROJECT_NAME=demo-${await cksum(dir)}\nLLMDEV_UID=${uid}\nLLMDEV_GID=${gid}\nLLMDEV_CA_SUM=${await cksum('')}\n`,
    );
    expect(await modeOf(join(dir, '.devcontainer/.env'))).toBe(0o644);
  });

  it('writes provider keys from the environment without ever printing them, and copies the CA bundle', async () => {
    await project(dir);
    const ca = join(root, 'corp-ca.pem');
    await writeFile(ca, '-----BEGIN CERTIFICATE-----\nMIIB\n-----END CERTIFICATE-----\n');
    const run = await initialize(dir, { OPENAI_API_KEY: KEY, NODE_EXTRA_CA_CERTS: ca });
    expect(run.exitCode).toBe(0);
    expect(run.stderr).toContain('llmdev: wrote .secrets/openai_api_key from $OPENAI_API_KEY');
    expect(`${run.stdout}${run.stderr}`).not.toContain(KEY);
    expect(await read(join(dir, '.secrets/openai_api_key'))).toBe(KEY);
    expect(await modeOf(join(dir, '.secrets/openai_api_key'))).toBe(0o600);
    expect(await read(join(dir, '.secrets/anthropic_api_key'))).toBe('');
    expect(await read(join(dir, '.devcontainer/.ca-certs.pem'))).toBe(await read(ca));
    // The bundle's checksum keys the workspace image's trust-store layer: a new CA rebuilds it.
    expect(await read(join(dir, '.devcontainer/.env'))).toContain(
      `\nLLMDEV_CA_SUM=${await cksum(await read(ca))}\n`,
    );
  });

  it('is idempotent: a second run changes nothing and keeps the token', async () => {
    await project(dir);
    expect((await initialize(dir, { OPENAI_API_KEY: KEY })).exitCode).toBe(0);
    const paths = [
      '.secrets/llmdev_token',
      '.secrets/openai_api_key',
      '.devcontainer/.env',
      '.devcontainer/.ca-certs.pem',
    ];
    const before = await Promise.all(
      paths.map(async (p) => [await read(join(dir, p)), (await stat(join(dir, p))).mtimeMs]),
    );
    const again = await initialize(dir, {
      OPENAI_API_KEY: 'sk-proj-ANOTHERKEYthatmustnotreplacethefirst0123',
    });
    expect(again.exitCode).toBe(0);
    expect(again.stderr).toBe('');
    const after = await Promise.all(
      paths.map(async (p) => [await read(join(dir, p)), (await stat(join(dir, p))).mtimeMs]),
    );
    expect(after).toEqual(before);
  });

  it('fills an empty provider file once the key appears in the environment (Codespaces secret added later)', async () => {
    await project(dir);
    expect((await initialize(dir)).exitCode).toBe(0);
    const run = await initialize(dir, { ANTHROPIC_API_KEY: KEY });
    expect(run.exitCode).toBe(0);
    expect(await read(join(dir, '.secrets/anthropic_api_key'))).toBe(KEY);
    expect(`${run.stdout}${run.stderr}`).not.toContain(KEY);
  });

  it('restores modes of secret files that were loosened', async () => {
    await project(dir);
    expect((await initialize(dir)).exitCode).toBe(0);
    await chmod(join(dir, '.secrets'), 0o755);
    await chmod(join(dir, '.secrets/llmdev_token'), 0o644);
    expect((await initialize(dir)).exitCode).toBe(0);
    expect(await modeOf(join(dir, '.secrets'))).toBe(0o700);
    expect(await modeOf(join(dir, '.secrets/llmdev_token'))).toBe(0o600);
  });

  it('uses configured secret names and environment variables', async () => {
    await project(
      dir,
      'project: {name: demo}\nproviders: {openai: {secret: oai, env: MY_OAI}}\nsidecar: {tokenSecret: tok}\n',
    );
    const run = await initialize(dir, {
      MY_OAI: KEY,
      OPENAI_API_KEY: 'sk-proj-NOTTHISONE0123456789abcdefghijkl',
    });
    expect(run.exitCode).toBe(0);
    expect(await read(join(dir, '.secrets/oai'))).toBe(KEY);
    expect(await read(join(dir, '.secrets/tok'))).toMatch(/^[0-9a-f]{64}$/);
  });

  it('ignores a NODE_EXTRA_CA_CERTS that names no file', async () => {
    await project(dir);
    const run = await initialize(dir, { NODE_EXTRA_CA_CERTS: join(root, 'missing.pem') });
    expect(run.exitCode).toBe(0);
    expect(await read(join(dir, '.devcontainer/.ca-certs.pem'))).toBe('');
  });

  it('copies a configured CA bundle, and fails clearly when it is missing', async () => {
    await project(dir, 'project: {name: demo}\nnetwork: {caCerts: certs/corp.pem}\n');
    const missing = await initialize(dir);
    expect(missing.exitCode).toBe(1);
    expect(missing.stderr).toContain('llmdev: network.caCerts: no such file: certs/corp.pem');
    await mkdir(join(dir, 'certs'));
    await writeFile(join(dir, 'certs/corp.pem'), 'PEM\n');
    const run = await initialize(dir, { NODE_EXTRA_CA_CERTS: '/etc/ssl/certs/ca-certificates.crt' });
    expect(run.exitCode).toBe(0);
    expect(await read(join(dir, '.devcontainer/.ca-certs.pem'))).toBe('PEM\n');
  });

  it('with caCerts none, copies nothing even when NODE_EXTRA_CA_CERTS is set', async () => {
    await project(dir, 'project: {name: demo}\nnetwork: {caCerts: none}\n');
    const ca = join(root, 'ca.pem');
    await writeFile(ca, 'PEM\n');
    expect((await initialize(dir, { NODE_EXTRA_CA_CERTS: ca })).exitCode).toBe(0);
    expect(await read(join(dir, '.devcontainer/.ca-certs.pem'))).toBe('');
  });

  if (isRoot) {
    it('as root, hands the secret files to uid 1000 (the containers user)', async () => {
      await project(dir);
      expect((await initialize(dir, { OPENAI_API_KEY: KEY })).exitCode).toBe(0);
      for (const name of ['llmdev_token', 'openai_api_key', 'anthropic_api_key']) {
        const info = await stat(join(dir, '.secrets', name));
        expect([info.uid, info.gid]).toEqual([1000, 1000]);
      }
    });

    it('as another user, runs the containers as that user', async () => {
      const uid = 4242;
      await project(dir);
      for (const path of [dir, join(dir, '.devcontainer')]) await chown(path, uid, uid);
      const run = await initialize(dir, {}, uid);
      expect(run.stderr).toContain('created .secrets/llmdev_token');
      expect(run.exitCode).toBe(0);
      expect(await read(join(dir, '.devcontainer/.env'))).toContain(`LLMDEV_UID=${uid}\nLLMDEV_GID=${uid}\n`);
      const info = await stat(join(dir, '.secrets/llmdev_token'));
      expect([info.uid, info.mode & 0o777]).toEqual([uid, 0o600]);
    });
  }
});
