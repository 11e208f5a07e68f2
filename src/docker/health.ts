/** Waiting for the sidecar to be healthy, and asking it how it is (GET /healthz, no token). */
import type Dockerode from 'dockerode';
import { SidecarError } from '../errors/index.js';
import { type ProjectContainer, projectContainers } from './containers.js';

export interface SidecarHealth {
  status: string;
  version?: string;
  database?: string;
  /** e.g. `{openai: "live (https://api.openai.com)", anthropic: "mock (no key)"}`. */
  providers?: Record<string, string>;
  /** Team mode's replication (src/team/replicator.ts ReplicationStatus). */
  team?: {
    state: string;
    server: string;
    backlog: number;
    oldestPending: string | null;
    lastError: { message: string; hint?: string } | null;
  };
}

export interface WaitOptions {
  timeoutMs: number;
  pollMs?: number;
  sleep?: (ms: number) => Promise<void>;
  now?: () => number;
}

const delay = (ms: number) => new Promise<void>((resolve) => setTimeout(resolve, ms));

/** Polls the engine until `service`'s container is healthy; throws when it exits or turns unhealthy. */
export async function waitForHealthy(
  docker: Dockerode,
  project: string,
  service: string,
  { timeoutMs, pollMs = 250, sleep = delay, now = Date.now }: WaitOptions,
): Promise<ProjectContainer> {
  const deadline = now() + timeoutMs;
  for (;;) {
    const container = (await projectContainers(docker, project)).find((c) => c.service === service);
    if (container?.health === 'healthy') return container;
    const stopped =
      container !== undefined && container.state !== 'running' && container.state !== 'restarting';
    if (container?.health === 'unhealthy' || stopped || now() > deadline) {
      const what =
        container === undefined
          ? 'does not exist'
          : `is ${container.state}${container.health === 'none' ? '' : ` and ${container.health}`}`;
      throw new SidecarError(`the ${service} container ${what}`, {
        hint: `See why with \`llmdev logs ${service}\`; \`llmdev doctor\` checks secrets and ports.`,
      });
    }
    await sleep(pollMs);
  }
}

/** GET <url>/healthz; undefined when nothing answers. */
export async function fetchSidecarHealth(
  baseUrl: string,
  timeoutMs = 3000,
): Promise<SidecarHealth | undefined> {
  try {
    const response = await fetch(new URL('/healthz', baseUrl), { signal: AbortSignal.timeout(timeoutMs) });
    return (await response.json()) as SidecarHealth;
  } catch {
    return undefined; // not listening, not JSON, or timed out: all mean "no healthy sidecar here"
  }
}

/** The sidecar's URL on the host, from the port Compose published for `containerPort`. */
export function sidecarHostUrl(
  container: ProjectContainer | undefined,
  containerPort: number,
): string | undefined {
  const binding = container?.ports.find((port) => port.containerPort === containerPort);
  if (binding === undefined) return undefined;
  const host = binding.hostIp === '' || binding.hostIp === '0.0.0.0' ? '127.0.0.1' : binding.hostIp;
  return `http://${host.includes(':') ? `[${host}]` : host}:${binding.hostPort}/`;
}
