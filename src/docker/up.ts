/**
 * `llmdev up`: engine check, generated files, initialize.sh, secrets check, then Compose and the
 * Dev Containers CLI, then waits for the sidecar's health. When the workspace container exists,
 * `docker compose up --build` runs first, with the compose files the container was created from
 * (the CLI's overrides included, so nothing is recreated for want of them): building every time
 * keeps the images in step with the Dockerfiles, the config and llmdev's own sources, and BuildKit's
 * cache makes it about a second when nothing changed. When it does not exist, the images are built
 * and `devcontainer up` creates the containers, exactly as VS Code or Codespaces would. Either way
 * `devcontainer up` then runs the lifecycle commands that are due (lifecycle.ts).
 */
import { access } from 'node:fs/promises';
import type { Config } from '../config/schema.js';
import { SIDECAR_SERVICE, WORKSPACE_SERVICE } from '../generate/compose.js';
import { type ComposeProject, loadComposeProject, runCompose } from './compose.js';
import { type ProjectContainer, projectContainers } from './containers.js';
import { assertEngine, connectEngine } from './engine.js';
import { fetchSidecarHealth, type SidecarHealth, sidecarHostUrl, waitForHealthy } from './health.js';
import { runLifecycle } from './lifecycle.js';
import { assertSecretsReady, ensureGenerated, runInitialize } from './prepare.js';
import { newestSecretChange, servicesWithStaleSecrets } from './secret-mounts.js';

export interface UpOptions {
  dir: string;
  /** Rebuild without the layer cache (fresh apt and npm packages). */
  noCache: boolean;
  timeoutMs: number;
  /** Progress lines for the user (stderr). */
  say: (line: string) => void;
}

export interface UpResult {
  config: Config;
  project: ComposeProject;
  /** The sidecar (API and dashboard) on the host, e.g. http://127.0.0.1:4100/. */
  url: string | undefined;
  health: SidecarHealth | undefined;
  restarted: string[];
}

export async function bringUp({ dir, noCache, timeoutMs, say }: UpOptions): Promise<UpResult> {
  const docker = await connectEngine();
  await assertEngine(docker); // before touching any file: no engine is the most common failure
  const { config, notes } = await ensureGenerated(dir);
  for (const note of notes) say(note);
  await runInitialize(dir, config);
  await assertSecretsReady(dir, config);
  const project = await loadComposeProject(dir);
  const containers = () => projectContainers(docker, project.name);
  const workspace = (await containers()).find((c) => c.service === WORKSPACE_SERVICE);
  const files = await composeFilesOf(project, workspace);
  if (noCache) {
    say(`llmdev: rebuilding the images of ${project.name} without the build cache`);
    await runCompose(project, ['build', '--no-cache'], { output: 'progress', files });
  }
  say(`llmdev: ${workspace ? 'starting' : 'building'} Compose project ${project.name}`);
  await runCompose(project, workspace ? ['up', '--detach', '--build', '--remove-orphans'] : ['build'], {
    output: 'progress',
    files,
  });
  const stale = servicesWithStaleSecrets(await containers(), await newestSecretChange(dir, config));
  if (stale.length > 0) {
    say(`llmdev: restarting ${stale.join(', ')}: secret files changed since they started`);
    await runCompose(project, ['restart', ...stale], { output: 'progress', files });
  }
  say('llmdev: devcontainer up (creates what is missing, runs the lifecycle commands that are due)');
  await runLifecycle(
    dir,
    config,
    async () => (await containers()).find((c) => c.service === WORKSPACE_SERVICE)?.id,
  );
  const sidecar = await waitForHealthy(docker, project.name, SIDECAR_SERVICE, { timeoutMs });
  const url = sidecarHostUrl(sidecar, config.sidecar.port);
  const health = url === undefined ? undefined : await fetchSidecarHealth(url);
  return { config, project, url, health, restarted: stale };
}

/**
 * The compose files `container` was created from that still exist, with the project's own first
 * (Compose recreates a container whose files differ). The Dev Containers CLI does the same.
 */
export async function composeFilesOf(
  project: ComposeProject,
  container: ProjectContainer | undefined,
  exists: (path: string) => Promise<boolean> = (path) =>
    access(path).then(
      () => true,
      () => false,
    ),
): Promise<string[]> {
  const others = (container?.configFiles ?? []).filter((file) => file !== project.file);
  const kept = await Promise.all(others.map(async (file) => ((await exists(file)) ? [file] : [])));
  return [project.file, ...kept.flat()];
}
