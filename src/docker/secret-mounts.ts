/**
 * Compose mounts each secret file into the container by inode. `llmdev secrets set` replaces a
 * file atomically (a new inode), so a container started before keeps seeing the old value until it
 * restarts. `llmdev up` restarts exactly the services whose secret files changed after they started.
 */
import { stat } from 'node:fs/promises';
import { join } from 'node:path';
import { CA_CERTS_SECRET, type Config } from '../config/schema.js';
import { SIDECAR_SERVICE, WORKSPACE_SERVICE } from '../generate/compose.js';
import { layoutOf } from '../generate/layout.js';
import { SECRETS_DIR, sidecarSecrets, workspaceSecrets } from '../generate/secrets.js';
import type { ProjectContainer } from './containers.js';

/** Host files (relative to the project) mounted into each service. */
export function secretFilesByService(config: Config): Record<string, string[]> {
  const caBundle = layoutOf(config).caBundle;
  const file = (name: string) => (name === CA_CERTS_SECRET ? caBundle : `${SECRETS_DIR}/${name}`);
  return {
    [WORKSPACE_SERVICE]: workspaceSecrets(config).map(file),
    [SIDECAR_SERVICE]: sidecarSecrets(config).map(file),
  };
}

/** Running services that started before one of their secret files last changed. Pure. */
export function servicesWithStaleSecrets(
  containers: readonly ProjectContainer[],
  newestChange: Readonly<Record<string, number>>,
): string[] {
  return containers
    .filter((c) => c.state === 'running' && c.startedAt !== undefined)
    .filter((c) => (newestChange[c.service] ?? 0) > Date.parse(c.startedAt ?? ''))
    .map((c) => c.service);
}

/** Newest modification time (ms) among each service's secret files. */
export async function newestSecretChange(dir: string, config: Config): Promise<Record<string, number>> {
  const out: Record<string, number> = {};
  for (const [service, files] of Object.entries(secretFilesByService(config))) {
    const times = await Promise.all(
      files.map((file) =>
        stat(join(dir, file)).then(
          (info) => info.mtimeMs,
          () => 0,
        ),
      ),
    );
    out[service] = Math.max(0, ...times);
  }
  return out;
}
