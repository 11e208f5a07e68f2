/**
 * The dev container lifecycle behind `llmdev up`, on a real engine: a failing postCreateCommand
 * gives an error naming it (exit code, last lines, how to rerun) with the sidecar left running;
 * fixed, the next `llmdev up` runs it; `llmdev down` + `llmdev up` runs postStartCommand again but
 * not postCreateCommand; `devcontainer up` on the same folder reuses the same containers and reruns
 * nothing that was done.
 */
import { writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { jest } from '@jest/globals';
import { execa } from 'execa';
import { stringify } from 'yaml';
import { devcontainerCliPath } from '../../../src/docker/lifecycle.js';
import { containerId, createProject, expectSuccess, type TestProject } from './stack.js';

jest.setTimeout(20 * 60_000);

let project: TestProject;
const workspace = (postCreateCommand: string) => ({
  postCreateCommand,
  postStartCommand: 'echo started >> ~/starts.log',
});

async function configure(postCreateCommand: string): Promise<void> {
  await writeFile(
    join(project.dir, 'llmdev.config.yaml'),
    stringify({
      project: { name: project.name },
      sidecar: { hostPort: project.hostPort },
      workspace: workspace(postCreateCommand),
    }),
  );
}

/** What the hooks wrote in the workspace: `[created, started]` line counts. */
async function counts(): Promise<[number, number]> {
  const id = await containerId(await project.composeName(), 'workspace');
  const { stdout } = await execa('docker', [
    'exec',
    '-u',
    'node',
    id,
    'sh',
    '-c',
    'cat ~/created.log 2>/dev/null | wc -l; cat ~/starts.log 2>/dev/null | wc -l',
  ]);
  const [created, started] = stdout.trim().split('\n').map(Number);
  return [created ?? 0, started ?? 0];
}

const healthz = async () => (await fetch(`http://127.0.0.1:${project.hostPort}/healthz`)).status;

beforeAll(async () => {
  project = await createProject('hooks', ({ name, hostPort }) => ({
    project: { name },
    sidecar: { hostPort },
    workspace: workspace('echo installing; echo "no such package" >&2; exit 3'),
  }));
});

afterAll(async () => {
  await project?.destroy();
});

describe('lifecycle commands through llmdev up', () => {
  it('a failing postCreateCommand: named, with exit code, last lines and how to rerun; the sidecar keeps running', async () => {
    const up = await project.cli(['up']);
    expect(up.exitCode).toBe(1);
    const error = up.stderr.slice(up.stderr.indexOf('error: '));
    expect(error).toMatch(
      /^error: postCreateCommand \(\.devcontainer\/devcontainer\.json\) failed with exit code 3; its last lines:\n/,
    );
    // stdout and stderr share a terminal in the container: their order may vary.
    expect(error).toContain('\n  installing\n');
    expect(error).toContain('\n  no such package\n');
    expect(up.stderr).toMatch(
      /hint: The sidecar is still running .*run `llmdev up` again: it reruns postCreateCommand/,
    );
    expect(await healthz()).toBe(200);
  });

  it('fixed, the next `llmdev up` runs it (and postStartCommand) once', async () => {
    await configure('echo created >> ~/created.log');
    expectSuccess(await project.cli(['up']));
    expect(await counts()).toEqual([1, 1]);
    const again = expectSuccess(await project.cli(['up']));
    expect(again.stderr).not.toContain('Running the postCreateCommand');
    expect(await counts()).toEqual([1, 1]);
  });

  it('`llmdev down` + `llmdev up`: the same container, postStartCommand again, postCreateCommand not', async () => {
    const before = await containerId(await project.composeName(), 'workspace');
    expectSuccess(await project.cli(['down']));
    expectSuccess(await project.cli(['up']));
    expect(await containerId(await project.composeName(), 'workspace')).toBe(before);
    expect(await counts()).toEqual([1, 2]);
  });

  it('`devcontainer up` on the same folder: the same containers, nothing rerun', async () => {
    const name = await project.composeName();
    const before = await containerId(name, 'workspace');
    const up = await execa(process.execPath, [
      devcontainerCliPath(),
      'up',
      '--workspace-folder',
      project.dir,
    ]);
    const outcome = JSON.parse(up.stdout.trim().split('\n').at(-1) ?? '{}') as {
      outcome: string;
      composeProjectName: string;
      containerId: string;
    };
    expect(outcome).toMatchObject({ outcome: 'success', composeProjectName: name });
    expect(outcome.containerId.startsWith(before)).toBe(true); // `docker ps -q` gives the short id
    expect(await counts()).toEqual([1, 2]);
  });
});
