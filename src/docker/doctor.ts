/**
 * `llmdev doctor`: every precondition of `llmdev up` (and, in team mode, the team database), each a
 * pass or a fail with a one-line fix.
 * Checks never throw; a check that cannot run fails with the reason.
 */
import { statfs } from 'node:fs/promises';
import { createServer } from 'node:net';
import { loadConfig } from '../config/load.js';
import type { Config } from '../config/schema.js';
import { LlmdevError } from '../errors/index.js';
import { SIDECAR_SERVICE } from '../generate/compose.js';
import { outOfDate } from '../generate/plan.js';
import { planProject } from '../generate/project.js';
import { assessSecrets, type Finding, snapshotSecrets } from '../secrets/check.js';
import { secretsDir } from '../secrets/store.js';
import { teamCheck } from '../team/check.js';
import { COMPOSE_HINT, composeVersion, loadComposeProject, MIN_COMPOSE_VERSION } from './compose.js';
import { projectContainers } from './containers.js';
import {
  compareVersions,
  connectEngine,
  ENGINE_HINT,
  type EngineFacts,
  engineFacts,
  MIN_BUILDKIT_API,
} from './engine.js';

export type { Finding } from '../secrets/check.js';

/** Below this, a first build (two images, ~1 GB with build stages) is likely to fail. */
export const MIN_FREE_BYTES = 2 * 1024 ** 3;

const fail = (check: string, detail: string, fix: string): Finding => ({ check, ok: false, detail, fix });
const pass = (check: string, detail: string): Finding => ({ check, ok: true, detail });
const reason = (error: unknown) => (error instanceof LlmdevError ? error.message : String(error));

export async function runDoctor(dir: string): Promise<Finding[]> {
  const findings: Finding[] = [];
  const docker = await connectEngine().catch(() => undefined);
  let engine: EngineFacts | undefined;
  try {
    if (docker === undefined) throw new Error('DOCKER_HOST is not usable');
    engine = await engineFacts(docker);
    findings.push(pass('Docker engine', `Docker ${engine.version} (API ${engine.apiVersion}, ${engine.os})`));
  } catch (error) {
    findings.push(fail('Docker engine', reason(error), ENGINE_HINT));
  }
  findings.push(await composeCheck());
  findings.push(buildKitCheck(engine));

  let config: Config | undefined;
  try {
    config = (await loadConfig({ dir })).config;
  } catch (error) {
    findings.push(
      fail('llmdev.config.yaml', reason(error), 'Run `llmdev init`, or fix the file as the message says.'),
    );
  }
  if (config !== undefined) {
    findings.push(await generatedCheck(dir));
    findings.push(await portCheck(dir, config, docker));
    findings.push(...assessSecrets(config, await snapshotSecrets(dir, config), { beforeInitialize: true }));
    if (config.team) findings.push(await teamCheck(config.team, secretsDir(dir)));
  }
  findings.push(await diskCheck([engine?.rootDir, dir]));
  return findings;
}

async function composeCheck(): Promise<Finding> {
  try {
    const version = await composeVersion();
    return compareVersions(version, MIN_COMPOSE_VERSION) >= 0
      ? pass('Docker Compose', `v${version}`)
      : fail('Docker Compose', `v${version} is older than v${MIN_COMPOSE_VERSION}`, COMPOSE_HINT);
  } catch (error) {
    return fail('Docker Compose', reason(error), COMPOSE_HINT);
  }
}

function buildKitCheck(engine: EngineFacts | undefined): Finding {
  if (process.env.DOCKER_BUILDKIT === '0') {
    return fail(
      'BuildKit',
      'DOCKER_BUILDKIT=0 selects the legacy builder (no build secrets)',
      'Unset DOCKER_BUILDKIT.',
    );
  }
  if (engine === undefined) return fail('BuildKit', 'no engine to ask', ENGINE_HINT);
  return compareVersions(engine.apiVersion, MIN_BUILDKIT_API) >= 0
    ? pass('BuildKit', `available (engine API ${engine.apiVersion})`)
    : fail(
        'BuildKit',
        `engine API ${engine.apiVersion} predates BuildKit (${MIN_BUILDKIT_API})`,
        'Upgrade Docker to 18.09 or later.',
      );
}

/** Informational: `llmdev up` regenerates stale files and keeps hand-edited ones. */
async function generatedCheck(dir: string): Promise<Finding> {
  try {
    const stale = outOfDate((await planProject(dir)).plans);
    if (stale.length === 0) return pass('generated files', 'up to date with llmdev.config.yaml');
    const edited = stale.filter((plan) => plan.status === 'edited').map((plan) => plan.file.path);
    const outdated = stale.filter((plan) => plan.status !== 'edited').map((plan) => plan.file.path);
    return pass(
      'generated files',
      [
        outdated.length ? `${outdated.join(', ')} out of date (\`llmdev up\` regenerates them)` : '',
        edited.length
          ? `${edited.join(', ')} edited by hand (kept; \`llmdev generate --force\` replaces them)`
          : '',
      ]
        .filter(Boolean)
        .join('; '),
    );
  } catch (error) {
    return fail(
      'generated files',
      reason(error),
      'Fix llmdev.config.yaml as the message says, then `llmdev generate`.',
    );
  }
}

/** The host port must be free, unless our own sidecar holds it. */
async function portCheck(
  dir: string,
  config: Config,
  docker: Awaited<ReturnType<typeof connectEngine>> | undefined,
): Promise<Finding> {
  const envPort = process.env.LLMDEV_SIDECAR_HOST_PORT;
  const port = envPort && /^\d+$/.test(envPort) ? Number(envPort) : config.sidecar.hostPort;
  const check = `host port 127.0.0.1:${port}`;
  if (await isPortFree(port)) return pass(check, 'free');
  try {
    if (docker !== undefined) {
      const project = await loadComposeProject(dir);
      const sidecar = (await projectContainers(docker, project.name)).find(
        (c) => c.service === SIDECAR_SERVICE,
      );
      if (sidecar?.ports.some((p) => p.hostPort === port))
        return pass(check, `used by this project's ${SIDECAR_SERVICE}`);
    }
  } catch {
    // no compose file or no engine: the port is simply taken by something else
  }
  return fail(
    check,
    'in use by another program',
    `Free it, or pick another: sidecar.hostPort in llmdev.config.yaml (or LLMDEV_SIDECAR_HOST_PORT=<port>).`,
  );
}

export function isPortFree(port: number, host = '127.0.0.1'): Promise<boolean> {
  return new Promise((resolve) => {
    const server = createServer();
    server.once('error', () => resolve(false));
    server.listen({ port, host, exclusive: true }, () => server.close(() => resolve(true)));
  });
}

/** Free space where Docker keeps images, or at the project when that is not on this machine. */
async function diskCheck(paths: readonly (string | undefined)[]): Promise<Finding> {
  const check = 'disk space';
  for (const path of paths) {
    if (path === undefined) continue;
    const info = await statfs(path).catch(() => undefined);
    if (info === undefined) continue; // Docker Desktop: the engine's storage is inside its VM
    const free = info.bavail * info.bsize;
    const gib = (free / 1024 ** 3).toFixed(1);
    return free >= MIN_FREE_BYTES
      ? pass(check, `${gib} GiB free at ${path}`)
      : fail(
          check,
          `only ${gib} GiB free at ${path}`,
          'Free some space; `docker image ls` shows what images take (remove only what you know).',
        );
  }
  return fail(check, 'cannot read the free space', 'Check that the project folder exists.');
}
