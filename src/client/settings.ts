/**
 * Client settings for code in the workspace: from the environment, the project's `.env` (the
 * environment wins; process.env is left alone unless asked) and secret files. Validated by zod;
 * every bad value is reported with its variable, what was expected and what was found.
 *
 * Which way each provider's calls go: `proxy` (default) sends them to the sidecar with the sidecar
 * token as API key; `direct` (`providers.X.route: direct` in llmdev.config.yaml, which gives the
 * workspace `LLMDEV_<PROVIDER>_KEY_FILE`) calls the provider with the real key and reports usage to
 * the sidecar. Credentials are looked up here but only required by the client that needs them.
 */
import { readFileSync } from 'node:fs';
import { isAbsolute, resolve } from 'node:path';
import { parse as parseDotenv } from 'dotenv';
import { z } from 'zod';
import { ConfigError, type ConfigIssue } from '../errors/index.js';
import { redact } from '../redact/index.js';
import type { Provider } from '../usage/record.js';
import type { Secret } from './secret.js';
import { lookupSecret, type ReadText, type SecretContext } from './secret-sources.js';
import { parseTags, type Tags } from './tags.js';

export type Route = 'proxy' | 'direct';

export interface ProviderAccess {
  route: Route;
  /** Where the SDK sends calls: the sidecar (proxy) or the provider (direct). */
  baseUrl: string;
  /** The provider's own key: only looked up for the direct route. */
  apiKey: Secret | null;
}

export interface ClientSettings {
  /** LLM_PROVIDER: the provider your code should use. */
  provider: Provider;
  /** LLM_MODEL, else a small current model of `provider`. */
  model: string;
  /** LLM_MAX_TOKENS */
  maxTokens: number | undefined;
  /** LLM_TEMPERATURE */
  temperature: number | undefined;
  /** LLM_TIMEOUT (seconds) in milliseconds, per request attempt. */
  timeoutMs: number;
  /** LLM_MAX_RETRIES: retries after the first attempt (429, 5xx, timeouts), honouring retry-after. */
  maxRetries: number;
  /** LLMDEV_URL: the sidecar, without a trailing slash. */
  sidecarUrl: string;
  /** The sidecar token: LLMDEV_TOKEN, LLMDEV_TOKEN_FILE, or /run/secrets/llmdev_token. */
  token: Secret | null;
  /** LLMDEV_TAGS: tags every call carries. */
  tags: Tags;
  /** LLMDEV_PROMPTS_DIR, absolute. */
  promptsDir: string;
  openai: ProviderAccess;
  anthropic: ProviderAccess;
  /** Where each credential was looked for (never values), for error messages. */
  lookups: Readonly<Record<'token' | Provider, readonly string[]>>;
}

export const DEFAULT_MODELS: Readonly<Record<Provider, string>> = {
  openai: 'gpt-4o-mini',
  anthropic: 'claude-haiku-4-5',
};

export const DEFAULT_SIDECAR_URL = 'http://127.0.0.1:4100';
const PUBLIC_BASE_URLS: Readonly<Record<Provider, string>> = {
  openai: 'https://api.openai.com/v1',
  anthropic: 'https://api.anthropic.com',
};

export interface LoadConfigOptions {
  /** Default: process.env. */
  env?: Readonly<Record<string, string | undefined>>;
  /** Base of relative paths and of `.env`. Default: process.cwd(). */
  cwd?: string;
  /** The dotenv file; false: none. Default: `<cwd>/.env` when it exists. */
  envFile?: string | false;
  /** Where Docker/Compose secrets are mounted. Default: /run/secrets. */
  secretsDir?: string;
  /** Reads a text file (throws like fs.readFileSync). */
  readText?: ReadText;
  /** Also copy `.env` entries that are not set yet into process.env (for other libraries). */
  populateProcessEnv?: boolean;
}

/** Turns text into a number or reports `message`; empty values never reach this (they count as unset). */
const numberText = (message: string, valid: (n: number) => boolean) =>
  z.string().transform((text, ctx) => {
    const value = Number(text.trim());
    if (Number.isFinite(value) && valid(value)) return value;
    ctx.addIssue({ code: 'custom', message });
    return z.NEVER;
  });

const url = () =>
  z
    .url({ protocol: /^https?$/, error: 'expected an http:// or https:// URL' })
    .transform((text) => text.replace(/\/+$/, ''));

const route = z.enum(['proxy', 'direct'], { error: 'expected proxy or direct' }).optional();

const variablesSchema = z.object({
  LLM_PROVIDER: z
    .string()
    .transform((text) => text.trim().toLowerCase())
    .pipe(z.enum(['openai', 'anthropic'], { error: 'expected openai or anthropic' }))
    .default('openai'),
  LLM_MODEL: z.string().trim().optional(),
  LLM_MAX_TOKENS: numberText(
    'expected a positive whole number',
    (n) => Number.isInteger(n) && n > 0,
  ).optional(),
  LLM_TEMPERATURE: numberText('expected a number from 0 to 2', (n) => n >= 0 && n <= 2).optional(),
  LLM_TIMEOUT: numberText('expected a number of seconds above 0', (n) => n > 0).default(60),
  LLM_MAX_RETRIES: numberText(
    'expected a whole number from 0 to 10',
    (n) => Number.isInteger(n) && n >= 0 && n <= 10,
  ).default(2),
  LLMDEV_URL: url().default(DEFAULT_SIDECAR_URL),
  OPENAI_BASE_URL: url().optional(),
  ANTHROPIC_BASE_URL: url().optional(),
  LLMDEV_OPENAI_ROUTE: route,
  LLMDEV_ANTHROPIC_ROUTE: route,
  LLMDEV_TAGS: z
    .string()
    .transform((text, ctx) => {
      const tags = parseTags(text);
      if (typeof tags !== 'string') return tags;
      ctx.addIssue({ code: 'custom', message: tags });
      return z.NEVER;
    })
    .default({}),
  LLMDEV_PROMPTS_DIR: z.string().default('prompts'),
});

/** Example values for the hint of each variable. */
const EXAMPLES: Readonly<Record<keyof z.input<typeof variablesSchema>, string>> = {
  LLM_PROVIDER: 'anthropic',
  LLM_MODEL: 'gpt-4o-mini',
  LLM_MAX_TOKENS: '512',
  LLM_TEMPERATURE: '0.2',
  LLM_TIMEOUT: '60',
  LLM_MAX_RETRIES: '2',
  LLMDEV_URL: 'http://usage-logger:4100',
  OPENAI_BASE_URL: 'http://usage-logger:4100/v1',
  ANTHROPIC_BASE_URL: 'http://usage-logger:4100',
  LLMDEV_OPENAI_ROUTE: 'proxy',
  LLMDEV_ANTHROPIC_ROUTE: 'proxy',
  LLMDEV_TAGS: 'feature=search,team=core',
  LLMDEV_PROMPTS_DIR: 'prompts',
};

export function loadConfig(options: LoadConfigOptions = {}): ClientSettings {
  const env = options.env ?? process.env;
  const cwd = options.cwd ?? process.cwd();
  const readText: ReadText = options.readText ?? ((path) => readFileSync(path, 'utf8'));
  const dotenv = readDotenv(options.envFile === undefined ? resolve(cwd, '.env') : options.envFile, readText);
  if (options.populateProcessEnv) {
    for (const [name, value] of Object.entries(dotenv)) process.env[name] ??= value;
  }

  const vars: Record<string, string> = {};
  for (const source of [dotenv, env]) {
    for (const [name, value] of Object.entries(source)) {
      // `NAME=` in .env or the environment means "not set".
      if (value !== undefined && value !== '') vars[name] = value;
    }
  }
  const fromDotenv = new Set(
    Object.keys(dotenv).filter((name) => env[name] === undefined || env[name] === ''),
  );
  const parsed = variablesSchema.safeParse(vars);
  if (!parsed.success) throw settingsError(parsed.error.issues, vars, fromDotenv);
  const v = parsed.data;

  const ctx: SecretContext = { vars, fromDotenv, cwd, readText };
  const secretsDir = options.secretsDir ?? '/run/secrets';
  const token = lookupSecret({ variable: 'LLMDEV_TOKEN', defaultFile: `${secretsDir}/llmdev_token` }, ctx);
  const access = (provider: Provider, explicitRoute: Route | undefined, baseUrl: string | undefined) => {
    const upper = provider.toUpperCase();
    const keyVariable = `LLMDEV_${upper}_KEY`;
    // The generated compose hands the workspace a key file only for `route: direct`.
    const direct =
      explicitRoute === 'direct' ||
      (explicitRoute === undefined && (vars[keyVariable] ?? vars[`${keyVariable}_FILE`]) !== undefined);
    if (!direct) {
      const proxied = provider === 'openai' ? `${v.LLMDEV_URL}/v1` : v.LLMDEV_URL;
      return { route: 'proxy' as const, baseUrl: baseUrl ?? proxied, apiKey: null, tried: [] };
    }
    const key = lookupSecret(
      {
        variable: keyVariable,
        fileVariables: [`${upper}_API_KEY_FILE`],
        defaultFile: `${secretsDir}/${provider}_api_key`,
      },
      ctx,
    );
    return {
      route: 'direct' as const,
      baseUrl: baseUrl ?? PUBLIC_BASE_URLS[provider],
      apiKey: key.secret,
      tried: key.tried,
    };
  };
  const { tried: openaiTried, ...openai } = access('openai', v.LLMDEV_OPENAI_ROUTE, v.OPENAI_BASE_URL);
  const { tried: anthropicTried, ...anthropic } = access(
    'anthropic',
    v.LLMDEV_ANTHROPIC_ROUTE,
    v.ANTHROPIC_BASE_URL,
  );

  return {
    provider: v.LLM_PROVIDER,
    model: v.LLM_MODEL || DEFAULT_MODELS[v.LLM_PROVIDER],
    maxTokens: v.LLM_MAX_TOKENS,
    temperature: v.LLM_TEMPERATURE,
    timeoutMs: Math.round(v.LLM_TIMEOUT * 1000),
    maxRetries: v.LLM_MAX_RETRIES,
    sidecarUrl: v.LLMDEV_URL,
    token: token.secret,
    tags: v.LLMDEV_TAGS,
    promptsDir: isAbsolute(v.LLMDEV_PROMPTS_DIR) ? v.LLMDEV_PROMPTS_DIR : resolve(cwd, v.LLMDEV_PROMPTS_DIR),
    openai,
    anthropic,
    lookups: { token: token.tried, openai: openaiTried, anthropic: anthropicTried },
  };
}

/** The model to use with `provider`: LLM_MODEL when LLM_PROVIDER is that provider, else its default. */
export function modelFor(settings: Pick<ClientSettings, 'provider' | 'model'>, provider: Provider): string {
  return settings.provider === provider ? settings.model : DEFAULT_MODELS[provider];
}

function readDotenv(file: string | false, readText: ReadText): Record<string, string> {
  if (file === false) return {};
  let text: string;
  try {
    text = readText(file);
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code === 'ENOENT') return {};
    throw new ConfigError(`cannot read ${file} (${(error as NodeJS.ErrnoException).code})`, [], {
      hint: 'Make the .env file readable, or remove it.',
      cause: error,
    });
  }
  return parseDotenv(text);
}

function settingsError(
  zodIssues: readonly z.core.$ZodIssue[],
  vars: Readonly<Record<string, string>>,
  fromDotenv: ReadonlySet<string>,
): ConfigError {
  const issues: ConfigIssue[] = zodIssues.map((issue) => {
    const name = String(issue.path[0]);
    const value = vars[name] ?? '';
    const shown = JSON.stringify(redact(value.length > 60 ? `${value.slice(0, 57)}...` : value));
    return {
      source: fromDotenv.has(name) ? '.env' : 'environment',
      path: name,
      message: `${issue.message}, got ${shown}`,
    };
  });
  const lines = issues.map(
    (issue) => `  ${issue.path}${issue.source === '.env' ? ' (in .env)' : ''}: ${issue.message}`,
  );
  const examples = issues.map((issue) => `${issue.path}=${EXAMPLES[issue.path as keyof typeof EXAMPLES]}`);
  return new ConfigError(`invalid llmdev client settings:\n${lines.join('\n')}`, issues, {
    hint: `Fix the value in the environment or in .env, e.g. ${examples.join(' ')} (unset it to use the default).`,
  });
}
