/**
 * The README's `make up`, the way a newcomer meets it: a fresh `git clone` of this repository (no
 * .secrets/, no dist/, an empty node_modules volume), `make up`, then in the workspace folder the
 * stock OpenAI and Anthropic SDKs (plain and streaming, mock provider: no keys) from the packages
 * the dev container's postCreateCommand (`npm ci`) installed, and `make demo`; the calls are in
 * `llmdev usage`. Then `make down` + `make up`: the same again, and postCreateCommand did not run a
 * second time. The host's npm dependencies are the repository's own, linked entry by entry (a real
 * node_modules folder, so the workspace's volume mounts over it): `make -o
 * node_modules/.package-lock.json` says they are provided. Prints the cold and warm times.
 */
import { chmod, mkdir, mkdtemp, readdir, rm, symlink } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { basename, join } from 'node:path';
import { jest } from '@jest/globals';
import { execa } from 'execa';
import { loadComposeProject } from '../../../src/docker/compose.js';
import { PACKAGE_ROOT } from '../../../src/meta/index.js';
import { freePort, leftovers, removeComposeProject, removeImagesMatching } from './stack.js';

jest.setTimeout(40 * 60_000);

let clone: string;
let hostPort: number;
const figures: Record<string, string> = {};

beforeAll(async () => {
  clone = await mkdtemp(join(tmpdir(), 'llmdev-e2e-clone-'));
  await chmod(clone, 0o755); // readable by the container user
  await execa('git', ['clone', '--quiet', PACKAGE_ROOT, clone]);
  await mkdir(join(clone, 'node_modules'));
  for (const entry of await readdir(join(PACKAGE_ROOT, 'node_modules'))) {
    await symlink(join(PACKAGE_ROOT, 'node_modules', entry), join(clone, 'node_modules', entry));
  }
  hostPort = await freePort();
});

afterAll(async () => {
  const project = await loadComposeProject(clone).catch(() => undefined);
  if (project) await removeComposeProject(project);
  await removeImagesMatching(basename(clone).toLowerCase()); // the Dev Containers CLI's image
  await rm(clone, { recursive: true, force: true });
  process.stderr.write(
    `make figures (load average ${(await execa('cat', ['/proc/loadavg'])).stdout}):\n${Object.entries(figures)
      .map(([k, v]) => `  ${k}: ${v}`)
      .join('\n')}\n`,
  );
});

const env = () => ({ LLMDEV_SIDECAR_HOST_PORT: String(hostPort) });

async function make(target: string, label = target): Promise<string> {
  const started = performance.now();
  const result = await execa('make', ['-o', 'node_modules/.package-lock.json', target], {
    cwd: clone,
    env: env(),
    reject: false,
    all: true,
  });
  figures[label] = `${((performance.now() - started) / 1000).toFixed(1)} s`;
  if (result.exitCode !== 0) throw new Error(`make ${target} failed:\n${result.all}`);
  return String(result.all);
}

interface SdkResults {
  openai: { text: string };
  openaiStream: { text: string };
  anthropic: { text: string };
  anthropicStream: { text: string };
}

/** The stock SDKs in the workspace folder, from its node_modules volume: `llmdev shell -- node ...`. */
async function sdkCalls(): Promise<void> {
  const run = await execa(
    'node',
    ['dist/cli/main.js', 'shell', '--', 'node', 'test/e2e/containers/sdk-calls.mjs'],
    { cwd: clone, env: env(), reject: false },
  );
  if (run.exitCode !== 0) throw new Error(`sdk calls failed:\n${run.stderr}\n${run.stdout}`);
  const results = JSON.parse(run.stdout.trim().split('\n').at(-1) ?? '{}') as SdkResults;
  for (const answer of [results.openai, results.openaiStream, results.anthropic, results.anthropicStream]) {
    expect(answer.text).toMatch(/mock/i);
  }
}

async function usageModels(): Promise<string> {
  const usage = await execa('node', ['dist/cli/main.js', 'usage', '--json'], { cwd: clone, env: env() });
  return usage.stdout;
}

describe('make up in a fresh clone', () => {
  it('`make up` runs postCreateCommand; the stock SDKs work in the workspace folder; `make demo` installs nothing', async () => {
    const up = await make('up', 'cold make up (fresh clone: build, images, npm ci in the workspace)');
    expect(up).toContain(`Dashboard and API: http://127.0.0.1:${hostPort}/`);
    expect(up).toContain('Running the postCreateCommand from devcontainer.json');
    await sdkCalls();
    const demo = await make('demo', 'make demo');
    expect(demo).not.toContain('Running the postCreateCommand');
    expect(demo).toContain('== examples/cost-estimate.ts');
    const usage = await usageModels();
    expect(usage).toContain('gpt-4o-mini');
    expect(usage).toMatch(/claude/);
  });

  it('`make down` + `make up`: the same containers, postCreateCommand not rerun, the SDKs still work', async () => {
    const { name } = await loadComposeProject(clone);
    await make('down');
    expect((await leftovers(name)).filter((entry) => entry.startsWith('container'))).toHaveLength(2);
    const up = await make('up', 'make up after make down (containers stopped)');
    expect(up).not.toContain('Running the postCreateCommand');
    await sdkCalls();
    const warm = await make('up', 'warm make up (nothing changed)');
    expect(warm).not.toContain('Running the postCreateCommand');
    await make('down');
  });
});
