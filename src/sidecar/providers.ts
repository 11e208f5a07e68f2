/**
 * Which providers are live (forwarded upstream with the real key) and which the built-in mock
 * answers. Pure: the decision comes from config modes and the keys read from the secret files.
 */
import type { Config, ProviderName } from '../config/schema.js';
import { PROVIDER_NAMES } from '../config/schema.js';
import { SecretError } from '../errors/index.js';
import type { SidecarSecrets } from './secrets.js';

export type ProviderMode = 'live' | 'mock';

export interface LiveProvider {
  name: ProviderName;
  mode: 'live';
  key: string;
  /** Upstream base, without a trailing slash, e.g. `https://api.openai.com/v1`. */
  baseUrl: URL;
}

export interface MockProvider {
  name: ProviderName;
  mode: 'mock';
  /** Why it is mocked, for logs and /healthz. */
  reason: 'mode mock' | 'no key';
}

export type ProviderState = LiveProvider | MockProvider;
export type ProviderStates = Record<ProviderName, ProviderState>;

export function resolveProviders(config: Config, secrets: SidecarSecrets): ProviderStates {
  const states = {} as ProviderStates;
  for (const name of PROVIDER_NAMES) {
    const settings = config.providers[name];
    const key = secrets.providerKeys[name];
    if (settings.mode === 'mock') {
      states[name] = { name, mode: 'mock', reason: 'mode mock' };
    } else if (key !== null) {
      states[name] = { name, mode: 'live', key, baseUrl: new URL(settings.baseUrl.replace(/\/+$/, '')) };
    } else if (settings.mode === 'live') {
      throw new SecretError(
        `providers.${name}.mode is live but the key file .secrets/${settings.secret} is missing or empty`,
        {
          hint: `Put the ${name} API key in .secrets/${settings.secret} (or set ${settings.env} before \`llmdev up\`), or set providers.${name}.mode to auto to use the mock without a key.`,
        },
      );
    } else {
      states[name] = { name, mode: 'mock', reason: 'no key' };
    }
  }
  return states;
}

/** `{openai: "live", anthropic: "mock (no key)"}`: for startup logs and /healthz, no secrets. */
export function describeProviders(states: ProviderStates): Record<ProviderName, string> {
  const out = {} as Record<ProviderName, string>;
  for (const state of Object.values(states)) {
    out[state.name] = state.mode === 'live' ? `live (${state.baseUrl.origin})` : `mock (${state.reason})`;
  }
  return out;
}
