/**
 * Real-engine test projects: a temp folder with its own llmdev.config.yaml (unique Compose project,
 * free host port), driven by the real CLI, and removed afterwards with everything it created
 * (containers, network, volumes, the per-project workspace image). The shared usage-logger image
 * (llmdev-usage-logger:<version>) is kept: it is what a second project, or a warm start, reuses.
 */
import { randomBytes } from 'node:crypto';
import { readFileSync } from 'node:fs';
import { chmod, copyFile, cp, mkdir, mkdtemp, readFile, rm, symlink, writeFile } from 'node:fs/promises';
import { createServer } from 'node:net';
import { networkInterfaces, tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { execa } from 'execa';
import { stringify } from 'yaml';
import { type ComposeProject, loadComposeProject } from '../../../src/docker/compose.js';
import { BUILT_TAG } from '../../../src/docker/up.js';
import { PACKAGE_ROOT } from '../../../src/meta/index.js';
import { scanImageArchive } from '../../../src/secrets/scan/images.js';
import type { Match, ScanRules } from '../../../src/secrets/scan/matcher.js';
import { scanStream } from '../../../src/secrets/scan/stream.js';
import { type CliResult, runCli } from '../../helpers/cli.js';

/** The SDK versions the repository itself uses, installed in the workspace by npm. */
const versionOf = (name: string) =>
  (
    JSON.parse(
      readFileSync(
        fileURLToPath(new URL(`../../../node_modules/${name}/package.json`, import.meta.url)),
        'utf8',
      ),
    ) as { version: string }
  ).version;

export const SDK_PACKAGES = [
  `openai@${versionOf('openai')}`,
  `@anthropic-ai/sdk@${versionOf('@anthropic-ai/sdk')}`,
];
export const SDK_SCRIPT = fileURLToPath(new URL('./sdk-calls.mjs', import.meta.url));

export interface TestProject {
  /** Absolute project folder. */
  dir: string;
  /** A short unique id, also in the folder and project names. */
  id: string;
  /** project.name in llmdev.config.yaml (the workspace folder is /workspaces/<name>). */
  name: string;
  hostPort: number;
  cli(args: readonly string[], options?: Parameters<typeof runCli>[1]): Promise<CliResult>;
  /** The Compose project name (after the first `up`). */
  composeName(): Promise<string>;
  /** Removes the containers, network, volumes and the project's own images, then the folder. */
  destroy(): Promise<void>;
}

export async function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const server = createServer();
    server.once('error', reject);
    server.listen(0, '127.0.0.1', () => {
      const address = server.address();
      server.close(() => resolve(typeof address === 'object' && address ? address.port : 0));
    });
  });
}

/**
 * An address of this machine that containers reach: its first non-loopback IPv4 address (traffic
 * from a Compose network to any host address is delivered to the host). docker0 is not used: Node
 * does not list it while no container is on the default bridge.
 */
export function hostAddressForContainers(): string {
  const address = Object.values(networkInterfaces())
    .flat()
    .find((entry) => entry?.family === 'IPv4' && !entry.internal);
  if (!address)
    throw new Error('no non-loopback IPv4 address: containers cannot reach a server on this host');
  return address.address;
}

export async function createProject(
  prefix: string,
  config: (ctx: { name: string; hostPort: number }) => Record<string, unknown>,
): Promise<TestProject> {
  const id = randomBytes(3).toString('hex');
  const dir = await mkdtemp(join(tmpdir(), `llmdev-e2e-${prefix}-${id}-`));
  await chmod(dir, 0o755); // mkdtemp makes it 0700; a project folder is readable by the container user
  const name = `e2e-${prefix}-${id}`;
  const hostPort = await freePort();
  await writeFile(join(dir, 'llmdev.config.yaml'), stringify(config({ name, hostPort })));
  await writeFile(join(dir, 'package.json'), `${JSON.stringify({ name, private: true, type: 'module' })}\n`);
  await copyFile(SDK_SCRIPT, join(dir, 'sdk-calls.mjs'));
  const composeName = async () => (await loadComposeProject(dir)).name;
  return {
    dir,
    id,
    name,
    hostPort,
    cli: (args, options) => {
      // --dir goes before a `--`: what follows it is a command for the workspace.
      const end = args.includes('--') ? args.indexOf('--') : args.length;
      return runCli([...args.slice(0, end), '--dir', dir, ...args.slice(end)], options);
    },
    composeName,
    async destroy() {
      const project = await loadComposeProject(dir).catch(() => undefined);
      if (project) await removeComposeProject(project);
      await removeImagesMatching(id);
      await rm(dir, { recursive: true, force: true });
    },
  };
}

/**
 * Containers, network, volumes and the project's own workspace images. Not `down --rmi local`: it
 * also removes the shared llmdev-usage-logger:<version> image that the next project reuses.
 */
export async function removeComposeProject(project: ComposeProject): Promise<void> {
  await execa(
    'docker',
    ['compose', '-p', project.name, '-f', project.file, 'down', '--volumes', '--remove-orphans'],
    {
      reject: false,
    },
  );
  await execa('docker', ['rmi', `${project.name}-workspace`, `${project.name}-workspace:${BUILT_TAG}`], {
    reject: false,
  });
}

/**
 * A copy of this repository's working tree (tracked and untracked files git does not ignore), with
 * timestamps kept and node_modules linked to the repository's: a clone where `make` finds
 * everything installed.
 */
export async function copyRepository(label: string): Promise<string> {
  const copy = await mkdtemp(join(tmpdir(), `llmdev-e2e-${label}-`));
  await chmod(copy, 0o755);
  const { stdout } = await execa('git', ['ls-files', '-co', '--exclude-standard', '-z'], {
    cwd: PACKAGE_ROOT,
  });
  for (const file of stdout.split('\0').filter(Boolean)) {
    await mkdir(dirname(join(copy, file)), { recursive: true });
    await cp(join(PACKAGE_ROOT, file), join(copy, file), { preserveTimestamps: true }).catch(
      (error: NodeJS.ErrnoException) => {
        if (error.code !== 'ENOENT') throw error; // listed, but deleted in the working tree
      },
    );
  }
  await symlink(join(PACKAGE_ROOT, 'node_modules'), join(copy, 'node_modules'));
  return copy;
}

/** Images whose name contains `id` (the Dev Containers CLI names its images after the folder). */
export async function removeImagesMatching(id: string): Promise<void> {
  const { stdout } = await execa('docker', ['images', '--format', '{{.Repository}}:{{.Tag}}']);
  const mine = stdout.split('\n').filter((image) => image.includes(id));
  if (mine.length > 0) await execa('docker', ['rmi', '--force', ...mine], { reject: false });
}

/** Containers and networks Compose still has for the project. */
export async function leftovers(composeName: string): Promise<string[]> {
  const label = `label=com.docker.compose.project=${composeName}`;
  const containers = await execa('docker', [
    'ps',
    '-a',
    '--filter',
    label,
    '--format',
    'container {{.Names}}',
  ]);
  const networks = await execa('docker', [
    'network',
    'ls',
    '--filter',
    label,
    '--format',
    'network {{.Name}}',
  ]);
  return [...containers.stdout.split('\n'), ...networks.stdout.split('\n')].filter(Boolean);
}

export async function containerId(composeName: string, service: string): Promise<string> {
  const { stdout } = await execa('docker', [
    'ps',
    '-q',
    '--filter',
    `label=com.docker.compose.project=${composeName}`,
    '--filter',
    `label=com.docker.compose.service=${service}`,
  ]);
  const id = stdout.trim().split('\n')[0];
  if (!id) throw new Error(`no running ${service} container in ${composeName}`);
  return id;
}

/**
 * The needles that occur in `docker save <image>` (every layer, config and history entry), found
 * by the scanner of `llmdev secrets scan --images`.
 */
export async function imageContains(image: string, needles: readonly string[]): Promise<string[]> {
  const { hits } = await scanImageArchive([image], needleRules(needles));
  return foundNeedles(
    needles,
    hits.map((hit) => hit.match),
  );
}

/** The needles that occur anywhere in a byte stream (a log), by the same scanner. */
export async function streamContains(
  stream: AsyncIterable<Buffer>,
  needles: readonly string[],
): Promise<string[]> {
  const matches: Match[] = [];
  await scanStream(stream, needleRules(needles), false, (match) => matches.push(match));
  return foundNeedles(needles, matches);
}

const needleRules = (needles: readonly string[]): ScanRules => ({
  secrets: needles.map((value, i) => ({ name: String(i), value })),
  patterns: false,
});

const foundNeedles = (needles: readonly string[], matches: readonly Match[]): string[] => [
  ...new Set(matches.map((match) => needles[Number(match.secret)] as string)),
];

/** Fails with the command's output, so a failure says why. */
export function expectSuccess(result: CliResult): CliResult {
  if (result.exitCode !== 0) {
    throw new Error(`exit code ${result.exitCode}\nstderr:\n${result.stderr}\nstdout:\n${result.stdout}`);
  }
  return result;
}

export async function readToken(dir: string): Promise<string> {
  return (await readFile(join(dir, '.secrets', 'llmdev_token'), 'utf8')).trim();
}

/** GET a sidecar API path with the project's token. */
export async function sidecarGet<T>(project: TestProject, path: string): Promise<T> {
  const response = await fetch(`http://127.0.0.1:${project.hostPort}${path}`, {
    headers: { authorization: `Bearer ${await readToken(project.dir)}` },
  });
  if (!response.ok) throw new Error(`GET ${path}: ${response.status} ${await response.text()}`);
  return (await response.json()) as T;
}
