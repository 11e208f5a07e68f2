/**
 * The README's `make up` / `make down`, run as written in a fresh copy of this repository (its own
 * llmdev.config.yaml and committed .devcontainer/; the copy's path makes the Compose project name
 * unique, and LLMDEV_SIDECAR_HOST_PORT a free port). npm dependencies are the repository's own,
 * linked: `make -o node_modules/.package-lock.json` says they are provided.
 */
import { rm } from 'node:fs/promises';
import { jest } from '@jest/globals';
import { execa } from 'execa';
import { loadComposeProject } from '../../../src/docker/compose.js';
import { copyRepository, freePort, leftovers, removeComposeProject } from './stack.js';

jest.setTimeout(20 * 60_000);

let copy: string;
let hostPort: number;

beforeAll(async () => {
  copy = await copyRepository('make');
  hostPort = await freePort();
});

afterAll(async () => {
  const project = await loadComposeProject(copy).catch(() => undefined);
  if (project) await removeComposeProject(project);
  await rm(copy, { recursive: true, force: true });
});

const make = (target: string) =>
  execa('make', ['-o', 'node_modules/.package-lock.json', target], {
    cwd: copy,
    env: { LLMDEV_SIDECAR_HOST_PORT: String(hostPort) },
    reject: false,
    all: true,
  });

describe('make up / make down in a copy of the repository', () => {
  it('`make up` builds what is missing and starts both services; `make down` leaves nothing running', async () => {
    const up = await make('up');
    if (up.exitCode !== 0) throw new Error(`make up failed:\n${up.all}`);
    expect(up.all).toContain(`Dashboard and API: http://127.0.0.1:${hostPort}/`);
    const health = await fetch(`http://127.0.0.1:${hostPort}/healthz`);
    expect(health.status).toBe(200);

    const { name } = await loadComposeProject(copy);
    const { stdout } = await execa('docker', [
      'ps',
      '--filter',
      `label=com.docker.compose.project=${name}`,
      '--format',
      '{{.Label "com.docker.compose.service"}} {{.Status}}',
    ]);
    expect(stdout.split('\n').sort()).toEqual([
      expect.stringMatching(/^usage-logger Up .*\(healthy\)/),
      expect.stringMatching(/^workspace Up/),
    ]);

    const down = await make('down');
    if (down.exitCode !== 0) throw new Error(`make down failed:\n${down.all}`);
    expect(await leftovers(name)).toEqual([]);
  });
});
