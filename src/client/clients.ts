/**
 * Stock `openai` and `@anthropic-ai/sdk` clients, set up from the client settings:
 * - proxy route (default): pointed at the sidecar with the sidecar token as API key; the sidecar
 *   holds the real key and logs every call;
 * - direct route: pointed at the provider with the real key, and a fetch that reports each call's
 *   usage to the sidecar in the background (see observe-fetch.ts and reporter.ts).
 * Timeouts and retries are the SDKs' own (exponential backoff that honours `retry-after`), set from
 * LLM_TIMEOUT and LLM_MAX_RETRIES. Default tags go on every call; `callOptions` adds per-call tags
 * and the prompt version.
 */
import Anthropic, { type ClientOptions as AnthropicOptions } from '@anthropic-ai/sdk';
import OpenAI, { type ClientOptions as OpenAIOptions } from 'openai';
import { SecretError } from '../errors/index.js';
import type { Provider } from '../usage/record.js';
import { createObservingFetch } from './observe-fetch.js';
import { createUsageReporter, type ReporterStats, type UsageReporter } from './reporter.js';
import type { Secret } from './secret.js';
import { type ClientSettings, loadConfig } from './settings.js';
import { formatTags, mergeTags, PROMPT_HEADER, TAGS_HEADER, type Tags } from './tags.js';

export interface LlmdevClientOptions {
  /** Default: `loadConfig()`. */
  settings?: ClientSettings;
  /** Tags on every call of this client, on top of LLMDEV_TAGS. */
  tags?: Tags;
  /** Direct route: where usage is reported. Default: one shared reporter per sidecar. */
  reporter?: UsageReporter;
  /** The fetch underneath (the SDK's, or the direct-mode observer's). Default: global fetch. */
  fetch?: typeof globalThis.fetch;
}

/** Anything with a prompt id: a loaded Prompt, or `name@version` itself. */
export type PromptRef = { id: string } | string;

export interface CallOptionsInput {
  /** Added to the client's default tags for this call. */
  tags?: Tags;
  prompt?: PromptRef;
}

/** The default tags of clients made here, so per-call tags can extend instead of replace them. */
const clientTags = new WeakMap<object, Tags>();
const sharedReporters = new Map<string, UsageReporter>();

export function createOpenAI(options: LlmdevClientOptions & { sdk?: Partial<OpenAIOptions> } = {}): OpenAI {
  const settings = options.settings ?? loadConfig();
  const setup = clientSetup('openai', settings, options);
  const client = new OpenAI({
    apiKey: setup.apiKey.reveal(),
    baseURL: settings.openai.baseUrl,
    timeout: settings.timeoutMs,
    maxRetries: settings.maxRetries,
    ...options.sdk,
    defaultHeaders: { ...setup.headers, ...options.sdk?.defaultHeaders },
    ...(setup.fetch ? { fetch: setup.fetch } : {}),
  });
  clientTags.set(client, setup.tags);
  return client;
}

export function createAnthropic(
  options: LlmdevClientOptions & { sdk?: Partial<AnthropicOptions> } = {},
): Anthropic {
  const settings = options.settings ?? loadConfig();
  const setup = clientSetup('anthropic', settings, options);
  const client = new Anthropic({
    apiKey: setup.apiKey.reveal(),
    baseURL: settings.anthropic.baseUrl,
    timeout: settings.timeoutMs,
    maxRetries: settings.maxRetries,
    ...options.sdk,
    defaultHeaders: { ...setup.headers, ...options.sdk?.defaultHeaders },
    ...(setup.fetch ? { fetch: setup.fetch } : {}),
  });
  clientTags.set(client, setup.tags);
  return client;
}

/**
 * Request options for one call: the client's default tags plus `tags`, and the prompt version, e.g.
 * `openai.chat.completions.create(body, callOptions(openai, { prompt, tags: { step: 'draft' } }))`.
 */
export function callOptions(client: object, input: CallOptionsInput): { headers: Record<string, string> } {
  const headers: Record<string, string> = {};
  const tags = mergeTags(clientTags.get(client), input.tags);
  if (Object.keys(tags).length > 0) headers[TAGS_HEADER] = formatTags(tags);
  if (input.prompt !== undefined) {
    headers[PROMPT_HEADER] = typeof input.prompt === 'string' ? input.prompt : input.prompt.id;
  }
  return { headers };
}

/** Flushes the shared direct-mode reporters (call before `process.exit()`). */
export async function flushUsage(options: { timeoutMs?: number } = {}): Promise<ReporterStats[]> {
  return Promise.all([...sharedReporters.values()].map((reporter) => reporter.flush(options)));
}

interface Setup {
  apiKey: Secret;
  tags: Tags;
  headers: Record<string, string>;
  fetch: typeof globalThis.fetch | undefined;
}

function clientSetup(provider: Provider, settings: ClientSettings, options: LlmdevClientOptions): Setup {
  const access = settings[provider];
  const tags = mergeTags(settings.tags, options.tags);
  const headers: Record<string, string> = {};
  if (Object.keys(tags).length > 0) headers[TAGS_HEADER] = formatTags(tags);
  const token = requireToken(settings, provider);
  if (access.route === 'proxy') {
    return { apiKey: token, tags, headers, fetch: options.fetch };
  }
  const apiKey = requireProviderKey(settings, provider);
  const reporter = options.reporter ?? sharedReporter(settings, token, options.fetch);
  const fetch = createObservingFetch({
    provider,
    report: reporter.report,
    knownSecrets: [apiKey.reveal(), token.reveal()],
    ...(options.fetch ? { fetch: options.fetch } : {}),
  });
  return { apiKey, tags, headers, fetch };
}

function sharedReporter(
  settings: ClientSettings,
  token: Secret,
  fetch: typeof globalThis.fetch | undefined,
): UsageReporter {
  const key = `${settings.sidecarUrl}\n${token.source}`;
  let reporter = sharedReporters.get(key);
  if (!reporter) {
    reporter = createUsageReporter({ url: settings.sidecarUrl, token, ...(fetch ? { fetch } : {}) });
    sharedReporters.set(key, reporter);
  }
  return reporter;
}

function requireToken(settings: ClientSettings, provider: Provider): Secret {
  if (settings.token) return settings.token;
  const why =
    settings[provider].route === 'proxy'
      ? `calls to ${provider} go through the sidecar`
      : `direct ${provider} calls report their usage to the sidecar`;
  throw new SecretError(`no llmdev sidecar token (${why}); looked at: ${settings.lookups.token.join(', ')}`, {
    hint: 'In the workspace container LLMDEV_TOKEN_FILE=/run/secrets/llmdev_token is set for you (recreate it with `llmdev up` if not). Elsewhere, point LLMDEV_TOKEN_FILE at the token file, e.g. LLMDEV_TOKEN_FILE=.secrets/llmdev_token on the host.',
  });
}

function requireProviderKey(settings: ClientSettings, provider: Provider): Secret {
  const key = settings[provider].apiKey;
  if (key) return key;
  const upper = provider.toUpperCase();
  throw new SecretError(
    `no ${provider} API key for the direct route; looked at: ${settings.lookups[provider].join(', ')}`,
    {
      hint: `With providers.${provider}.route: direct the workspace reads the key from the file LLMDEV_${upper}_KEY_FILE names: put it there on the host with \`llmdev secrets set ${provider}_api_key\` (or set ${upper}_API_KEY before \`llmdev up\`). Or set LLMDEV_${upper}_ROUTE=proxy to go through the sidecar.`,
    },
  );
}
