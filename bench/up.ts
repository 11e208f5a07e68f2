/**
 * `npm run bench:up`: how long `make up` takes until the sidecar is healthy, in a copy of this
 * repository (its own Compose project, a free host port):
 *   cold    `make up ARGS=--no-cache`: both images built without the layer cache (other projects'
 *           cache is left alone), containers created, sidecar healthy;
 *   warm    `make up` after `make down`: images cached, containers created and started;
 *   running `make up` while everything runs: the no-op path.
 * Then the image sizes. Options (environment): BENCH_UP_RUNS (5), BENCH_UP_SKIP_COLD=1.
 */

import { rm } from 'node:fs/promises';
import { cpus, totalmem } from 'node:os';
import { join } from 'node:path';
import { execa } from 'execa';
import { loadComposeProject } from '../src/docker/compose.js';
import { LLMDEV_VERSION, PACKAGE_ROOT } from '../src/meta/index.js';
import { copyRepository, freePort, removeComposeProject } from '../test/e2e/containers/stack.js';

const RUNS = Number(process.env.BENCH_UP_RUNS ?? 5);
const SKIP_COLD = process.env.BENCH_UP_SKIP_COLD === '1';

const copy = await copyRepository('bench-up');
const hostPort = await freePort();
const env = { LLMDEV_SIDECAR_HOST_PORT: String(hostPort) };
// The copy's node_modules is a symlink to this checkout's; inside the workspace a symlink under
// the node_modules volume's mount point breaks the mount, so the copy gets none and make runs this
// checkout's compiled CLI (the same sources; `make build` here keeps it current).
await rm(join(copy, 'node_modules'));
const CLI = `LLMDEV=node ${join(PACKAGE_ROOT, 'dist/cli/main.js')}`;

async function make(...args: string[]): Promise<number> {
  const started = performance.now();
  const skip = ['-o', 'node_modules/.package-lock.json', '-o', 'dist/cli/main.js'];
  const result = await execa('make', [...skip, CLI, ...args], {
    cwd: copy,
    env,
    reject: false,
    all: true,
  });
  const seconds = (performance.now() - started) / 1000;
  if (result.exitCode !== 0) throw new Error(`make ${args.join(' ')} failed:\n${result.all}`);
  return seconds;
}

const stats = (samples: number[]) => {
  const sorted = [...samples].sort((a, b) => a - b);
  const median = sorted[Math.floor(sorted.length / 2)] ?? Number.NaN;
  return `median ${median.toFixed(1)} s, min ${sorted[0]?.toFixed(1)} s, max ${sorted.at(-1)?.toFixed(1)} s (${samples.length} runs)`;
};

const report = (line: string) => process.stdout.write(`${line}\n`);

try {
  const { stdout: engine } = await execa('docker', ['version', '--format', '{{.Server.Version}}']);
  const { stdout: compose } = await execa('docker', ['compose', 'version', '--short']);
  report(
    `machine: ${cpus().length} × ${cpus()[0]?.model ?? 'cpu'}, ${Math.round(totalmem() / 1024 ** 3)} GiB; Docker ${engine}, Compose ${compose}`,
  );
  await execa('make', ['build'], { cwd: PACKAGE_ROOT }); // dist/: not part of any figure
  if (!SKIP_COLD)
    report(`cold    make up ARGS=--no-cache: ${(await make('up', 'ARGS=--no-cache')).toFixed(1)} s`);
  else await make('up');
  const warm: number[] = [];
  const running: number[] = [];
  for (let run = 0; run < RUNS; run++) {
    await make('down');
    warm.push(await make('up'));
    running.push(await make('up'));
  }
  report(`warm    make up (after make down): ${stats(warm)}`);
  report(`running make up (already up):      ${stats(running)}`);
  const { name } = await loadComposeProject(copy);
  for (const image of [`llmdev-usage-logger:${LLMDEV_VERSION}`, `${name}-workspace`]) {
    const { stdout } = await execa('docker', ['image', 'inspect', '--format', '{{.Size}}', image]);
    report(`image   ${image.replace(name, '<project>')}: ${(Number(stdout) / 1e6).toFixed(0)} MB`);
  }
} finally {
  const project = await loadComposeProject(copy).catch(() => undefined);
  if (project) await removeComposeProject(project);
  await rm(copy, { recursive: true, force: true });
}
