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
import { execa } from 'execa';
import { loadComposeProject } from '../src/docker/compose.js';
import { LLMDEV_VERSION } from '../src/meta/index.js';
import { copyRepository, freePort, removeComposeProject } from '../test/e2e/containers/stack.js';

const RUNS = Number(process.env.BENCH_UP_RUNS ?? 5);
const SKIP_COLD = process.env.BENCH_UP_SKIP_COLD === '1';

const copy = await copyRepository('bench-up');
const hostPort = await freePort();
const env = { LLMDEV_SIDECAR_HOST_PORT: String(hostPort) };

async function make(...args: string[]): Promise<number> {
  const started = performance.now();
  const result = await execa('make', ['-o', 'node_modules/.package-lock.json', ...args], {
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
  await make('build'); // dist/ for the copy: not part of any figure
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
