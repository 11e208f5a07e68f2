/** `llmdev status`: the project's containers, their health and ports, and the sidecar's providers. */
import { loadConfig } from '../config/load.js';
import { SIDECAR_SERVICE } from '../generate/compose.js';
import { loadComposeProject } from './compose.js';
import { type ProjectContainer, projectContainers } from './containers.js';
import { connectEngine } from './engine.js';
import { fetchSidecarHealth, type SidecarHealth, sidecarHostUrl } from './health.js';

export interface StackStatus {
  project: string;
  containers: ProjectContainer[];
  sidecar: { url: string | undefined; health: SidecarHealth | undefined };
}

export async function stackStatus(dir: string): Promise<StackStatus> {
  const { config } = await loadConfig({ dir });
  const project = await loadComposeProject(dir);
  const containers = await projectContainers(await connectEngine(), project.name);
  const sidecar = containers.find((c) => c.service === SIDECAR_SERVICE);
  const url = sidecar?.state === 'running' ? sidecarHostUrl(sidecar, config.sidecar.port) : undefined;
  const health = url === undefined ? undefined : await fetchSidecarHealth(url);
  return { project: project.name, containers, sidecar: { url, health } };
}

/** Human lines for a status (stderr). */
export function describeStatus(status: StackStatus): string[] {
  if (status.containers.length === 0) {
    return [`llmdev: Compose project ${status.project} has no containers (start it with \`llmdev up\`)`];
  }
  const lines = [`llmdev: Compose project ${status.project}`];
  for (const c of status.containers) {
    const health = c.health === 'none' ? '' : ` (${c.health})`;
    const ports = c.ports.map((p) => `${p.hostIp}:${p.hostPort}->${p.containerPort}`).join(', ');
    lines.push(`  ${c.service.padEnd(14)} ${c.state}${health}${ports ? `  ${ports}` : ''}`);
  }
  const { url, health } = status.sidecar;
  if (url !== undefined) lines.push(`  dashboard/API  ${url}${health ? '' : ' (not answering)'}`);
  for (const [provider, mode] of Object.entries(health?.providers ?? {})) {
    lines.push(`  ${provider.padEnd(14)} ${mode}`);
  }
  const team = health?.team;
  if (team) {
    const pending = team.oldestPending ? `, oldest since ${team.oldestPending}` : '';
    lines.push(
      `  ${'team database'.padEnd(14)} ${team.state} (${team.server}), backlog ${team.backlog}${pending}`,
    );
    if (team.lastError)
      lines.push(
        `  ${''.padEnd(14)} ${team.lastError.message}${team.lastError.hint ? `: ${team.lastError.hint}` : ''}`,
      );
  }
  return lines;
}
