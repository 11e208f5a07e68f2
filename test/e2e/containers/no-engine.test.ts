/** Without a reachable Docker engine every command fails with one clear message and its fix. */
import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { jest } from '@jest/globals';
import { runCli } from '../../helpers/cli.js';

jest.setTimeout(120_000);

let dir: string;
const env = { NO_COLOR: '1', DOCKER_HOST: 'unix:///nonexistent/llmdev-no-engine.sock' };

beforeAll(async () => {
  dir = await mkdtemp(join(tmpdir(), 'llmdev-no-engine-'));
  await writeFile(join(dir, 'llmdev.config.yaml'), 'project: {name: no-engine}\n');
});
afterAll(async () => {
  await rm(dir, { recursive: true, force: true });
});

describe('with no Docker engine', () => {
  it.each([['up'], ['status'], ['down']])(
    '`llmdev %s` says so and how to fix it, without a stack trace',
    async (command) => {
      if (command !== 'up') expect((await runCli(['generate', '--dir', dir])).exitCode).toBe(0);
      const result = await runCli([command, '--dir', dir], { env });
      expect(result.exitCode).toBe(1);
      expect(result.stderr).toMatch(/^error: no Docker engine answers at unix:\/\/\/nonexistent/m);
      expect(result.stderr).toMatch(/^hint: .*make engine/m);
      expect(result.stderr).not.toMatch(/\bat .*\.(ts|js):\d+/);
    },
  );

  it('`llmdev doctor` fails the engine checks, each with its fix, and exits 1', async () => {
    const result = await runCli(['doctor', '--json', '--dir', dir], { env });
    expect(result.exitCode).toBe(1);
    const { ok, checks } = JSON.parse(result.stdout) as {
      ok: boolean;
      checks: { check: string; ok: boolean; fix?: string }[];
    };
    expect(ok).toBe(false);
    const engine = checks.find((c) => c.check === 'Docker engine');
    expect(engine).toMatchObject({ ok: false, fix: expect.stringMatching(/make engine/) });
    for (const check of checks.filter((c) => !c.ok)) expect(check.fix).toBeTruthy();
  });
});
