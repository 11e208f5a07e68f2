/**
 * The sidecar's secrets, read from files (Docker secrets at /run/secrets/<name>): the access token
 * clients must present, and one API key per provider. Re-read on SIGHUP so keys rotate without a
 * restart. Values never leave this module except to the auth check and the upstream request.
 */
import { join } from 'node:path';
import type { Config, ProviderName } from '../config/schema.js';
import { PROVIDER_NAMES } from '../config/schema.js';
import { SecretError } from '../errors/index.js';
import { readSecretFile } from '../secrets/read.js';

/** A guessable token would make the sidecar an open proxy for the real keys. */
const MIN_TOKEN_LENGTH = 16;

export interface SidecarSecrets {
  token: string;
  /** null: no key (file absent or empty). */
  providerKeys: Record<ProviderName, string | null>;
}

export async function readSidecarSecrets(config: Config, secretsDir: string): Promise<SidecarSecrets> {
  const tokenFile = join(secretsDir, config.sidecar.tokenSecret);
  const token = await readSecretFile(tokenFile);
  const setIt = `Run \`llmdev up\` (it creates .secrets/${config.sidecar.tokenSecret}), or pass --secrets with a directory holding a ${config.sidecar.tokenSecret} file of at least ${MIN_TOKEN_LENGTH} characters.`;
  if (token === undefined) {
    throw new SecretError(`${tokenFile}: the sidecar access token file does not exist`, { hint: setIt });
  }
  if (token.length < MIN_TOKEN_LENGTH) {
    throw new SecretError(
      `${tokenFile}: the sidecar access token is ${token.length === 0 ? 'empty' : `only ${token.length} characters`}`,
      { hint: setIt },
    );
  }
  const providerKeys = {} as Record<ProviderName, string | null>;
  for (const name of PROVIDER_NAMES) {
    const key = await readSecretFile(join(secretsDir, config.providers[name].secret));
    providerKeys[name] = key ? key : null;
  }
  return { token, providerKeys };
}

/** Every secret value, for log redaction. */
export function secretValues(secrets: SidecarSecrets): string[] {
  return [secrets.token, ...Object.values(secrets.providerKeys).filter((key): key is string => key !== null)];
}
