/**
 * On a real engine: the running containers are hardened as generated (non-root users, the
 * sidecar's read-only root, no capabilities, no-new-privileges, loopback-only port, private
 * usage.db and secret files), and `llmdev secrets scan` scans a clean project clean (all four
 * sources), then finds a stored key planted in an image layer and an unknown key printed to a
 * container log, naming each place and never printing a value.
 */
import { randomBytes } from 'node:crypto';
import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { jest } from '@jest/globals';
import { execa } from 'execa';
import { fingerprint } from '../../../src/redact/index.js';
import {
  containerId,
  createProject,
  expectSuccess,
  readToken,
  type TestProject,
} from '../containers/stack.js';

jest.setTimeout(20 * 60_000);

const KEY = `sk-proj-${randomBytes(36).toString('base64url')}7q`;
const LOGGED_KEY = `sk-ant-api03-${randomBytes(60).toString('base64url')}3X`;

let project: TestProject;
let composeName: string;
const planted: { image?: string; container?: string } = {};

beforeAll(async () => {
  project = await createProject('rel', ({ name, hostPort }) => ({
    project: { name },
    sidecar: { hostPort },
  }));
  expectSuccess(await project.cli(['up']));
  composeName = await project.composeName();
  // A repository, as a real project is: the scan reads its history too.
  const git = (...args: string[]) =>
    execa('git', ['-c', 'user.email=e2e@example.com', '-c', 'user.name=e2e', ...args], { cwd: project.dir });
  await git('init', '-q');
  await git('add', '.');
  await git('commit', '-qm', 'project');
});

afterAll(async () => {
  if (planted.container) await execa('docker', ['rm', '-f', planted.container], { reject: false });
  if (planted.image) await execa('docker', ['rmi', '-f', planted.image], { reject: false });
  await project?.destroy();
});

const inspect = async (id: string) =>
  JSON.parse((await execa('docker', ['inspect', id])).stdout)[0] as {
    Config: { User: string };
    HostConfig: {
      ReadonlyRootfs: boolean;
      CapDrop: string[] | null;
      CapAdd: string[] | null;
      SecurityOpt: string[] | null;
      Privileged: boolean;
      PortBindings: Record<string, { HostIp: string; HostPort: string }[]>;
    };
  };
const exec = (id: string, script: string) =>
  execa('docker', ['exec', id, 'sh', '-c', script], { reject: false });

describe('running containers', () => {
  it('the sidecar: non-root, read-only root, no capabilities, no-new-privileges, port on 127.0.0.1 only', async () => {
    const id = await containerId(composeName, 'usage-logger');
    const info = await inspect(id);
    expect(info.Config.User).toMatch(/^[1-9]\d*:[1-9]\d*$/);
    expect(info.HostConfig).toMatchObject({
      ReadonlyRootfs: true,
      CapDrop: ['ALL'],
      CapAdd: null,
      Privileged: false,
      SecurityOpt: ['no-new-privileges:true'],
    });
    for (const bindings of Object.values(info.HostConfig.PortBindings)) {
      for (const binding of bindings) expect(binding.HostIp).toBe('127.0.0.1');
    }
    const status = await exec(
      id,
      'id -u; grep -E "^(CapEff|NoNewPrivs):" /proc/1/status; touch /probe 2>&1; echo "touch: $?"',
    );
    const [uid, capEff, noNewPrivs, ...touch] = status.stdout.split('\n');
    expect(Number(uid)).toBeGreaterThan(0);
    expect(capEff).toMatch(/^CapEff:\s+0+$/);
    expect(noNewPrivs).toMatch(/^NoNewPrivs:\s+1$/);
    expect(touch.join('\n')).toMatch(/Read-only file system[\s\S]*touch: 1/);
  });

  it('the sidecar: usage.db private to its user, secret files not world-readable', async () => {
    const id = await containerId(composeName, 'usage-logger');
    // /data itself is the image's 1777 mount point (the sidecar runs as the host's uid, unknown at
    // build time); what it holds is created 0600 by the sidecar.
    const files =
      '/data/usage.db /data/usage.db-wal /data/usage.db-shm /run/secrets/llmdev_token /run/secrets/openai_api_key';
    const modes = await exec(
      id,
      `u=$(id -u); for f in ${files}; do echo "$(stat -c %a "$f") $([ "$(stat -c %u "$f")" = "$u" ] && echo mine || echo other) $f"; done`,
    );
    expect(modes.stdout.split('\n')).toEqual(files.split(' ').map((file) => `600 mine ${file}`));
  });

  it('the workspace: every process runs as the non-root user', async () => {
    const id = await containerId(composeName, 'workspace');
    const uids = await exec(
      id,
      'for s in /proc/[0-9]*/status; do awk "/^Uid:/ {print \\$2}" "$s"; done | sort -u',
    );
    expect(uids.stdout.split('\n').filter(Boolean)).toEqual(['1000']);
  });
});

describe('llmdev secrets scan', () => {
  it('scans the clean, running project clean: files, history, images and logs', async () => {
    const started = performance.now();
    const scan = await project.cli(['secrets', 'scan']);
    const seconds = (performance.now() - started) / 1000;
    expect(scan.stderr).toContain(`looked for llmdev_token ${fingerprint(await readToken(project.dir))}`);
    for (const source of ['files', 'git', 'images', 'logs'])
      expect(scan.stderr).toMatch(new RegExp(`^  ${source} +\\d+ `, 'm'));
    expect(scan.stderr).toContain('llmdev: no leaks found');
    expect(scan.exitCode).toBe(0);
    console.log(
      `[scan] clean running project, all sources: ${seconds.toFixed(1)} s (CLI start included)\n${scan.stderr}`,
    );
  });

  it('finds a stored key in an image layer and an unknown key in a container log, without printing them', async () => {
    expectSuccess(await project.cli(['secrets', 'set', 'openai_api_key'], { input: `${KEY}\n` }));
    // An image built FROM the local base with the key in a file, as a careless COPY would.
    const context = await mkdtemp(join(tmpdir(), 'llmdev-e2e-leak-'));
    try {
      await writeFile(join(context, 'settings.env'), `OPENAI_API_KEY=${KEY}\n`);
      await writeFile(
        join(context, 'Dockerfile'),
        'FROM node:22-bookworm-slim\nCOPY settings.env /opt/app/settings.env\n',
      );
      planted.image = `llmdev-e2e-leak-${project.id}:1`;
      await execa('docker', ['build', '-q', '-t', planted.image, context]);
    } finally {
      await rm(context, { recursive: true, force: true });
    }
    // A container of the project (Compose's label) that printed a key to its log.
    planted.container = `${composeName}-leak-${project.id}`;
    await execa(
      'docker',
      [
        'run',
        '-i',
        '--name',
        planted.container,
        '--label',
        `com.docker.compose.project=${composeName}`,
        planted.image,
        'cat',
      ],
      { input: `debug: using key ${LOGGED_KEY}\n` },
    );

    const scan = await project.cli(['secrets', 'scan', '--images', '--logs', '--json']);
    expect(scan.exitCode).toBe(1);
    for (const value of [KEY, LOGGED_KEY]) expect(scan.stdout + scan.stderr).not.toContain(value);
    const report = JSON.parse(scan.stdout) as {
      findings: { source: string; location: string; rule: string; fingerprint: string }[];
    };
    expect(report.findings).toEqual(
      expect.arrayContaining([
        expect.objectContaining({
          source: 'images',
          location: expect.stringMatching(
            new RegExp(`^${planted.image}:[0-9a-f]{12}:opt/app/settings\\.env$`),
          ),
          rule: 'value of secret openai_api_key',
          fingerprint: fingerprint(KEY),
        }),
        expect.objectContaining({
          source: 'logs',
          location: `${planted.container}:stdout:1`,
          rule: 'Anthropic API key',
          fingerprint: fingerprint(LOGGED_KEY),
        }),
      ]),
    );
    expect(scan.stderr).toMatch(/^LEAK images .*opt\/app\/settings\.env: value of secret openai_api_key/m);
    console.log(`[scan] planted image layer and container log:\n${scan.stderr}`);
  });
});
