/**
 * `llmdev up`: engine check, generated files, initialize.sh, secrets check, `docker compose build`
 * (BuildKit's cache makes it about a second when nothing changed; building every time keeps the
 * images in step with the Dockerfiles, the config and llmdev's own sources), then `devcontainer up`,
 * which creates or starts the workspace and runs the lifecycle commands that are due
 * (lifecycle.ts), then waits for the sidecar's health. A workspace container whose image or
 * lifecycle commands changed is replaced, so the CLI creates it afresh (it would keep running the
 * commands it was created with). When the workspace stays, the sidecar is brought up to date with
 * the compose files the containers were created from (the CLI's overrides included), so nothing is
 * recreated for want of them.
 */
import { access } from 'node:fs/promises';
import type { Config } from '../config/schema.js';
import { LIFECYCLE_LABEL, lifecycleDigest, SIDECAR_SERVICE, WORKSPACE_SERVICE } from '../generate/compose.js';
import { type ComposeProject, loadComposeProject, runCompose } from './compose.js';
import { imageId, type ProjectContainer, projectContainers, tagImage } from './containers.js';
import { assertEngine, connectEngine } from './engine.js';
import { fetchSidecarHealth, type SidecarHealth, sidecarHostUrl, waitForHealthy } from './health.js';
import { runLifecycle } from './lifecycle.js';
import { assertSecretsReady, ensureGenerated, runInitialize } from './prepare.js';
import { newestSecretChange, servicesWithStaleSecrets } from './secret-mounts.js';

/** The tag of the workspace image the last `llmdev up` built: `<project>-workspace:llmdev-built`. */
export const BUILT_TAG = 'llmdev-built';

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
  let workspace = (await containers()).find((c) => c.service === WORKSPACE_SERVICE);
  // Whether the workspace's Dockerfile or build args changed: Compose's build of it, compared with
  // the one the last `llmdev up` built (kept under a tag of its own: the CLI builds its image of
  // the container under Compose's name too).
  const workspaceImage = `${project.name}-${WORKSPACE_SERVICE}`;
  const lastBuilt = await imageId(docker, `${workspaceImage}:${BUILT_TAG}`);
  say(`llmdev: building the images of ${project.name}${noCache ? ' without the build cache' : ''}`);
  await runCompose(project, ['build', ...(noCache ? ['--no-cache'] : [])], { output: 'progress' });
  const built = await imageId(docker, workspaceImage);
  const rebuilt = lastBuilt === undefined || lastBuilt !== built;
  if (built !== undefined && rebuilt) await tagImage(docker, built, workspaceImage, BUILT_TAG);
  const changedHooks =
    workspace !== undefined && workspace.labels[LIFECYCLE_LABEL] !== lifecycleDigest(config);
  if (workspace && (rebuilt || changedHooks)) {
    say(
      `llmdev: the workspace ${changedHooks ? 'lifecycle commands' : 'image'} changed: replacing its container`,
    );
    await runCompose(project, ['rm', '--stop', '--force', WORKSPACE_SERVICE], { output: 'progress' });
    workspace = undefined;
  }
  const files = await composeFilesOf(project, workspace);
  if (workspace) {
    // The sidecar's image or config may have changed; the workspace container is the CLI's to start.
    await runCompose(project, ['up', '--detach', '--no-build', '--remove-orphans', SIDECAR_SERVICE], {
      output: 'progress',
      files,
    });
  }
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
