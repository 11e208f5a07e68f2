/**
 * `llmdev up`: engine check, generated files, initialize.sh, secrets check, `docker compose up
 * --build`, restarts for changed secrets, then waits for the sidecar's health. Building every time
 * is what keeps the images in step with the Dockerfiles, the config (aptPackages, base image) and
 * llmdev's own sources; BuildKit's layer cache makes it about a second when nothing changed.
 */
import type { Config } from '../config/schema.js';
import { SIDECAR_SERVICE } from '../generate/compose.js';
import { type ComposeProject, loadComposeProject, runCompose } from './compose.js';
import { projectContainers } from './containers.js';
import { assertEngine, connectEngine } from './engine.js';
import { fetchSidecarHealth, type SidecarHealth, sidecarHostUrl, waitForHealthy } from './health.js';
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
  if (noCache) {
    say(`llmdev: rebuilding the images of ${project.name} without the build cache`);
    await runCompose(project, ['build', '--no-cache'], { output: 'progress' });
  }
  say(`llmdev: starting Compose project ${project.name}`);
  await runCompose(project, ['up', '--detach', '--build', '--remove-orphans'], { output: 'progress' });
  const stale = servicesWithStaleSecrets(
    await projectContainers(docker, project.name),
    await newestSecretChange(dir, config),
  );
  if (stale.length > 0) {
    say(`llmdev: restarting ${stale.join(', ')}: secret files changed since they started`);
    await runCompose(project, ['restart', ...stale], { output: 'progress' });
  }
  const sidecar = await waitForHealthy(docker, project.name, SIDECAR_SERVICE, { timeoutMs });
  const url = sidecarHostUrl(sidecar, config.sidecar.port);
  const health = url === undefined ? undefined : await fetchSidecarHealth(url);
  return { config, project, url, health, restarted: stale };
}
