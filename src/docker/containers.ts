/** The project's containers as the engine sees them (Compose labels), with health and ports. */
import type Dockerode from 'dockerode';
import { engineError } from './engine.js';

export interface PublishedPort {
  containerPort: number;
  hostIp: string;
  hostPort: number;
}

export interface ProjectContainer {
  id: string;
  name: string;
  service: string;
  image: string;
  /** running, exited, created, restarting... */
  state: string;
  /** healthy, unhealthy, starting, or none (no healthcheck). */
  health: string;
  ports: PublishedPort[];
  /** When the container last started (ISO), or undefined if never. */
  startedAt: string | undefined;
  /** The compose files it was created from (the Dev Containers CLI adds overrides of its own). */
  configFiles: string[];
  labels: Record<string, string>;
}

const PROJECT_LABEL = 'com.docker.compose.project';
const SERVICE_LABEL = 'com.docker.compose.service';
const CONFIG_FILES_LABEL = 'com.docker.compose.project.config_files';

export async function projectContainers(docker: Dockerode, project: string): Promise<ProjectContainer[]> {
  try {
    const list = await docker.listContainers({
      all: true,
      filters: { label: [`${PROJECT_LABEL}=${project}`] },
    });
    const containers = await Promise.all(list.map((entry) => docker.getContainer(entry.Id).inspect()));
    return containers
      .map((info) => ({
        id: info.Id,
        name: info.Name.replace(/^\//, ''),
        service: info.Config.Labels?.[SERVICE_LABEL] ?? '',
        image: info.Config.Image,
        state: info.State.Status,
        health: info.State.Health?.Status ?? 'none',
        ports: publishedPorts(info.NetworkSettings.Ports ?? {}),
        startedAt: info.State.StartedAt?.startsWith('0001-') ? undefined : info.State.StartedAt,
        configFiles: (info.Config.Labels?.[CONFIG_FILES_LABEL] ?? '').split(',').filter(Boolean),
        labels: info.Config.Labels ?? {},
      }))
      .sort((a, b) => a.service.localeCompare(b.service));
  } catch (cause) {
    throw engineError(cause);
  }
}

/** The id of a local image, or undefined when there is none by that name. */
export async function imageId(docker: Dockerode, name: string): Promise<string | undefined> {
  try {
    return (await docker.getImage(name).inspect()).Id;
  } catch (cause) {
    if ((cause as { statusCode?: number }).statusCode === 404) return undefined;
    throw engineError(cause);
  }
}

/** Gives a local image a second name (`repo:tag`). */
export async function tagImage(docker: Dockerode, image: string, repo: string, tag: string): Promise<void> {
  try {
    await docker.getImage(image).tag({ repo, tag });
  } catch (cause) {
    throw engineError(cause);
  }
}

/** Networks Compose created for the project (a clean `down` leaves none). */
export async function projectNetworks(docker: Dockerode, project: string): Promise<string[]> {
  try {
    const networks = await docker.listNetworks({ filters: { label: [`${PROJECT_LABEL}=${project}`] } });
    return networks.map((network) => network.Name);
  } catch (cause) {
    throw engineError(cause);
  }
}

type PortMap = Record<string, { HostIp: string; HostPort: string }[] | null>;

export function publishedPorts(ports: PortMap): PublishedPort[] {
  const out: PublishedPort[] = [];
  for (const [key, bindings] of Object.entries(ports)) {
    const containerPort = Number.parseInt(key, 10);
    for (const binding of bindings ?? []) {
      out.push({ containerPort, hostIp: binding.HostIp, hostPort: Number(binding.HostPort) });
    }
  }
  return out;
}
