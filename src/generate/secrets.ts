/**
 * Which secret goes where. Provider keys reach only the usage-logger unless the provider is routed
 * `direct` (then the workspace holds that key too); the sidecar token reaches both.
 */
import { CA_CERTS_SECRET, type Config, PROVIDER_NAMES, type ProviderName } from '../config/schema.js';

export const SECRETS_DIR = '.secrets';
/** Where Compose mounts file secrets in every container. */
export const RUN_SECRETS = '/run/secrets';

export interface ProviderSecret {
  provider: ProviderName;
  /** Secret (file) name. */
  secret: string;
  /** Environment variable that may supply the key (Codespaces secrets). */
  env: string;
  direct: boolean;
}

export function providerSecrets(config: Config): ProviderSecret[] {
  return PROVIDER_NAMES.map((provider) => {
    const { secret, env, route } = config.providers[provider];
    return { provider, secret, env, direct: route === 'direct' };
  });
}

/** Secrets the workspace container sees. */
export function workspaceSecrets(config: Config): string[] {
  const direct = providerSecrets(config).filter((p) => p.direct);
  return [config.sidecar.tokenSecret, ...direct.map((p) => p.secret), CA_CERTS_SECRET];
}

/** The team database password (team mode only): the sidecar's alone. */
const teamSecrets = (config: Config): string[] => (config.team ? [config.team.passwordSecret] : []);

/** Secrets the usage-logger container sees. */
export function sidecarSecrets(config: Config): string[] {
  return [
    config.sidecar.tokenSecret,
    ...providerSecrets(config).map((p) => p.secret),
    ...teamSecrets(config),
    CA_CERTS_SECRET,
  ];
}

/** Host files of the secrets under .secrets/, token first. */
export function hostSecretNames(config: Config): string[] {
  return [
    config.sidecar.tokenSecret,
    ...providerSecrets(config).map((p) => p.secret),
    ...teamSecrets(config),
  ];
}
