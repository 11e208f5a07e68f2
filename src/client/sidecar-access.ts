/**
 * How a command (`llmdev replay`, `llmdev usage`...) reaches the sidecar, wherever it runs:
 * - in the workspace (LLMDEV_URL set by the generated compose): the client settings (LLMDEV_URL,
 *   LLMDEV_TOKEN_FILE);
 * - on the host: the published port from llmdev.config.yaml (`sidecar.hostPort`, or
 *   LLMDEV_SIDECAR_HOST_PORT) on 127.0.0.1, and the token from `.secrets/<sidecar.tokenSecret>`
 *   unless LLMDEV_TOKEN / LLMDEV_TOKEN_FILE name one.
 */
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { loadConfig as loadProjectConfig } from '../config/load.js';
import { SecretError } from '../errors/index.js';
import { lookupSecret } from './secret-sources.js';
import { loadConfig as loadClientSettings } from './settings.js';
import type { SidecarAccess } from './sidecar-api.js';

export async function resolveSidecarAccess(
  dir: string,
  env: Readonly<Record<string, string | undefined>> = process.env,
): Promise<SidecarAccess> {
  const settings = loadClientSettings({ env, cwd: dir });
  if (env.LLMDEV_URL) {
    if (settings.token) return { url: settings.sidecarUrl, token: settings.token };
    throw missingToken(settings.lookups.token);
  }
  const { config } = await loadProjectConfig({ dir, env });
  const url = `http://127.0.0.1:${config.sidecar.hostPort}`;
  if (settings.token) return { url, token: settings.token };
  const file = join(dir, '.secrets', config.sidecar.tokenSecret);
  const { secret, tried } = lookupSecret(
    { variable: 'LLMDEV_TOKEN', defaultFile: file },
    { vars: {}, fromDotenv: new Set(), cwd: dir, readText: (path) => readFileSync(path, 'utf8') },
  );
  if (secret) return { url, token: secret };
  throw missingToken([...settings.lookups.token, ...tried.slice(-1)]);
}

function missingToken(tried: readonly string[]): SecretError {
  return new SecretError(`no llmdev sidecar token; looked at: ${tried.join(', ')}`, {
    hint: 'Run `llmdev up` in the project (it creates .secrets/llmdev_token), or point LLMDEV_TOKEN_FILE at the token file.',
  });
}
