/**
 * The Docker engine through its API (dockerode): reachability, versions and what llmdev needs from
 * it. Every failure becomes a ToolError that says how to get an engine, never a socket stack trace.
 */
import type Dockerode from 'dockerode';
import { ToolError } from '../errors/index.js';

export const ENGINE_HINT =
  'Start Docker (Docker Desktop, or `sudo systemctl start docker`); on a bare Debian machine `make engine` installs and starts one.';

/** The API version that brought BuildKit sessions (build secrets), Docker 18.09. */
export const MIN_BUILDKIT_API = '1.39';

export interface EngineFacts {
  version: string;
  apiVersion: string;
  os: string;
  /** Where images and volumes live, for the disk space check. */
  rootDir: string | undefined;
}

export async function connectEngine(): Promise<Dockerode> {
  const { default: Docker } = await import('dockerode');
  try {
    return new Docker();
  } catch (cause) {
    // docker-modem rejects a malformed DOCKER_HOST while constructing.
    throw new ToolError(`cannot use DOCKER_HOST=${process.env.DOCKER_HOST}: ${(cause as Error).message}`, {
      hint: 'Unset DOCKER_HOST, or set it to unix:///var/run/docker.sock or tcp://host:2375.',
      cause,
    });
  }
}

/** Throws a ToolError with the fix when no engine answers. */
export async function assertEngine(docker: Dockerode): Promise<void> {
  try {
    await docker.ping();
  } catch (cause) {
    throw engineError(cause);
  }
}

/** Versions and storage of a reachable engine; throws ToolError when there is none. */
export async function engineFacts(docker: Dockerode): Promise<EngineFacts> {
  try {
    const [version, info] = await Promise.all([
      docker.version(),
      docker.info() as Promise<{ DockerRootDir?: string }>,
    ]);
    return {
      version: version.Version,
      apiVersion: version.ApiVersion,
      os: `${version.Os}/${version.Arch}`,
      rootDir: info.DockerRootDir,
    };
  } catch (cause) {
    throw engineError(cause);
  }
}

/** A ToolError for a failed engine call, with the fix that fits the failure. */
export function engineError(cause: unknown): ToolError {
  const code = (cause as NodeJS.ErrnoException)?.code;
  const where = process.env.DOCKER_HOST ?? 'the default socket (/var/run/docker.sock)';
  if (code === 'EACCES') {
    return new ToolError(`permission denied on the Docker engine socket (${where})`, {
      hint: 'Add yourself to the docker group (`sudo usermod -aG docker $USER`, then log in again), or run as root.',
      cause,
    });
  }
  if (code === 'ENOENT' || code === 'ECONNREFUSED' || code === 'ECONNRESET' || code === 'ETIMEDOUT') {
    return new ToolError(`no Docker engine answers at ${where} (${code})`, { hint: ENGINE_HINT, cause });
  }
  return new ToolError(`the Docker engine failed: ${(cause as Error)?.message ?? String(cause)}`, {
    hint: 'Check `docker info`; `llmdev doctor` lists what is wrong.',
    cause,
  });
}

/** Compares dotted numeric versions: negative when a < b. */
export function compareVersions(a: string, b: string): number {
  const left = a.split(/[.+-]/).map((part) => Number.parseInt(part, 10) || 0);
  const right = b.split(/[.+-]/).map((part) => Number.parseInt(part, 10) || 0);
  for (let i = 0; i < Math.max(left.length, right.length); i++) {
    const diff = (left[i] ?? 0) - (right[i] ?? 0);
    if (diff !== 0) return diff;
  }
  return 0;
}
