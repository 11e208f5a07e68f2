/**
 * Client settings: defaults, every variable, `.env` under the environment, secret files and `*_FILE`
 * variables, the route switch, and each error message (with its variable and how to fix it).
 */

import { createAnthropic, createOpenAI } from '../../../src/client/clients.js';
import { type LoadConfigOptions, loadConfig } from '../../../src/client/settings.js';
import { ConfigError, SecretError } from '../../../src/errors/index.js';

const TOKEN = 'llmdev-token-0123456789abcdef0123';
const OPENAI_KEY = 'sk-proj-realOpenaiKey0123456789abcdefXYZ';

/** An in-memory file system: path → content; a missing path throws ENOENT like fs does. */
function files(entries: Record<string, string>, denied: readonly string[] = []) {
  return (path: string): string => {
    if (denied.includes(path)) throw Object.assign(new Error(`EACCES: ${path}`), { code: 'EACCES' });
    const text = entries[path];
    if (text === undefined) throw Object.assign(new Error(`ENOENT: ${path}`), { code: 'ENOENT' });
    return text;
  };
}

function load(env: Record<string, string>, fs: Record<string, string> = {}, extra: LoadConfigOptions = {}) {
  return loadConfig({ env, cwd: '/proj', readText: files(fs), secretsDir: '/run/secrets', ...extra });
}

function thrown(action: () => unknown): Error & { hint?: string; issues?: unknown } {
  try {
    action();
  } catch (error) {
    return error as Error & { hint?: string };
  }
  throw new Error('expected an error');
}

describe('loadConfig', () => {
  it('has working defaults with nothing set', () => {
    const settings = load({});
    expect(settings).toMatchObject({
      provider: 'openai',
      model: 'gpt-4o-mini',
      maxTokens: undefined,
      temperature: undefined,
      timeoutMs: 60_000,
      maxRetries: 2,
      sidecarUrl: 'http://127.0.0.1:4100',
      token: null,
      tags: {},
      promptsDir: '/proj/prompts',
      openai: { route: 'proxy', baseUrl: 'http://127.0.0.1:4100/v1', apiKey: null },
      anthropic: { route: 'proxy', baseUrl: 'http://127.0.0.1:4100', apiKey: null },
    });
    expect(settings.lookups.token).toEqual([
      'LLMDEV_TOKEN (not set)',
      'LLMDEV_TOKEN_FILE (not set)',
      '/run/secrets/llmdev_token (no such file)',
    ]);
  });

  it('reads the workspace environment the generated compose sets', () => {
    const settings = load(
      {
        LLMDEV_URL: 'http://usage-logger:4100/',
        OPENAI_BASE_URL: 'http://usage-logger:4100/v1',
        ANTHROPIC_BASE_URL: 'http://usage-logger:4100',
        LLMDEV_TOKEN_FILE: '/run/secrets/llmdev_token',
        LLM_PROVIDER: 'Anthropic',
        LLM_MODEL: 'claude-sonnet-4-5',
        LLM_MAX_TOKENS: '512',
        LLM_TEMPERATURE: '0.2',
        LLM_TIMEOUT: '2.5',
        LLM_MAX_RETRIES: '0',
        LLMDEV_TAGS: 'feature=search, team=core',
        LLMDEV_PROMPTS_DIR: '/abs/prompts',
      },
      { '/run/secrets/llmdev_token': `${TOKEN}\n` },
    );
    expect(settings).toMatchObject({
      provider: 'anthropic',
      model: 'claude-sonnet-4-5',
      maxTokens: 512,
      temperature: 0.2,
      timeoutMs: 2500,
      maxRetries: 0,
      sidecarUrl: 'http://usage-logger:4100',
      tags: { feature: 'search', team: 'core' },
      promptsDir: '/abs/prompts',
      openai: { route: 'proxy', baseUrl: 'http://usage-logger:4100/v1' },
    });
    expect(settings.token?.reveal()).toBe(TOKEN);
    expect(settings.token?.source).toBe('LLMDEV_TOKEN_FILE (/run/secrets/llmdev_token)');
  });

  it('defaults the model per provider', () => {
    expect(load({ LLM_PROVIDER: 'anthropic' }).model).toBe('claude-haiku-4-5');
  });

  it('takes .env values under the environment, and leaves process.env alone unless asked', () => {
    const fs = { '/proj/.env': 'LLM_MODEL=from-dotenv\nLLM_TEMPERATURE=0.7\nLLMDEV_K_TEST_ONLY=1\n' };
    const settings = load({ LLM_MODEL: 'from-env' }, fs);
    expect(settings.model).toBe('from-env');
    expect(settings.temperature).toBe(0.7);
    expect(process.env.LLMDEV_K_TEST_ONLY).toBeUndefined();
    try {
      load({}, fs, { populateProcessEnv: true });
      expect(process.env.LLMDEV_K_TEST_ONLY).toBe('1');
    } finally {
      delete process.env.LLMDEV_K_TEST_ONLY;
      delete process.env.LLM_MODEL;
      delete process.env.LLM_TEMPERATURE;
    }
  });

  it('treats empty values as unset', () => {
    expect(load({ LLM_MODEL: '', LLM_TIMEOUT: '' })).toMatchObject({
      model: 'gpt-4o-mini',
      timeoutMs: 60_000,
    });
  });

  it('finds the token in the variable, a *_FILE variable (relative to cwd), or /run/secrets', () => {
    expect(load({ LLMDEV_TOKEN: ` ${TOKEN} ` }).token?.source).toBe('LLMDEV_TOKEN');
    const relative = load(
      { LLMDEV_TOKEN_FILE: '.secrets/llmdev_token' },
      { '/proj/.secrets/llmdev_token': TOKEN },
    );
    expect(relative.token?.reveal()).toBe(TOKEN);
    const mounted = load({}, { '/run/secrets/llmdev_token': TOKEN });
    expect(mounted.token?.source).toBe('/run/secrets/llmdev_token');
    expect(load({}, { '/proj/.env': `LLMDEV_TOKEN=${TOKEN}` }).token?.source).toBe('LLMDEV_TOKEN in .env');
  });

  it('switches a provider to the direct route when the workspace has its key file', () => {
    const settings = load(
      {
        LLMDEV_OPENAI_KEY_FILE: '/run/secrets/openai_api_key',
        OPENAI_BASE_URL: 'https://api.openai.com/v1',
      },
      { '/run/secrets/openai_api_key': `${OPENAI_KEY}\n` },
    );
    expect(settings.openai.route).toBe('direct');
    expect(settings.openai.baseUrl).toBe('https://api.openai.com/v1');
    expect(settings.openai.apiKey?.reveal()).toBe(OPENAI_KEY);
    expect(settings.anthropic.route).toBe('proxy');
  });

  it('direct route by variable, key from OPENAI_API_KEY_FILE or /run/secrets, public base URL by default', () => {
    const viaFileVar = load(
      { LLMDEV_ANTHROPIC_ROUTE: 'direct', ANTHROPIC_API_KEY_FILE: '/keys/a' },
      { '/keys/a': 'sk-ant-api03-abcdefghijklmnopqrstuvwxyz' },
    );
    expect(viaFileVar.anthropic).toMatchObject({ route: 'direct', baseUrl: 'https://api.anthropic.com' });
    expect(viaFileVar.anthropic.apiKey?.source).toBe('ANTHROPIC_API_KEY_FILE (/keys/a)');
    const mounted = load({ LLMDEV_OPENAI_ROUTE: 'direct' }, { '/run/secrets/openai_api_key': OPENAI_KEY });
    expect(mounted.openai.apiKey?.source).toBe('/run/secrets/openai_api_key');
    // An explicit proxy route wins over a key file, and the key is then not even read.
    const proxied = load({ LLMDEV_OPENAI_ROUTE: 'proxy', LLMDEV_OPENAI_KEY_FILE: '/nope' });
    expect(proxied.openai).toMatchObject({ route: 'proxy', apiKey: null });
  });

  it('counts an empty key file as no key', () => {
    const settings = load(
      { LLMDEV_OPENAI_KEY_FILE: '/run/secrets/openai_api_key' },
      {
        '/run/secrets/openai_api_key': '',
      },
    );
    expect(settings.openai.apiKey).toBeNull();
    expect(settings.lookups.openai).toContain('LLMDEV_OPENAI_KEY_FILE → /run/secrets/openai_api_key (empty)');
  });
});

describe('loadConfig errors', () => {
  const cases: [string, string, string][] = [
    ['LLM_PROVIDER', 'gemini', 'LLM_PROVIDER: expected openai or anthropic, got "gemini"'],
    ['LLM_MAX_TOKENS', '1.5', 'LLM_MAX_TOKENS: expected a positive whole number, got "1.5"'],
    ['LLM_MAX_TOKENS', '0', 'LLM_MAX_TOKENS: expected a positive whole number, got "0"'],
    ['LLM_TEMPERATURE', 'hot', 'LLM_TEMPERATURE: expected a number from 0 to 2, got "hot"'],
    ['LLM_TEMPERATURE', '2.5', 'LLM_TEMPERATURE: expected a number from 0 to 2, got "2.5"'],
    ['LLM_TIMEOUT', '-1', 'LLM_TIMEOUT: expected a number of seconds above 0, got "-1"'],
    ['LLM_MAX_RETRIES', 'many', 'LLM_MAX_RETRIES: expected a whole number from 0 to 10, got "many"'],
    [
      'LLMDEV_URL',
      'usage-logger:4100',
      'LLMDEV_URL: expected an http:// or https:// URL, got "usage-logger:4100"',
    ],
    ['OPENAI_BASE_URL', 'ftp://x', 'OPENAI_BASE_URL: expected an http:// or https:// URL, got "ftp://x"'],
    ['ANTHROPIC_BASE_URL', 'nope', 'ANTHROPIC_BASE_URL: expected an http:// or https:// URL, got "nope"'],
    ['LLMDEV_OPENAI_ROUTE', 'sideways', 'LLMDEV_OPENAI_ROUTE: expected proxy or direct, got "sideways"'],
    ['LLMDEV_ANTHROPIC_ROUTE', 'x', 'LLMDEV_ANTHROPIC_ROUTE: expected proxy or direct, got "x"'],
    [
      'LLMDEV_TAGS',
      'a=1,feature',
      'LLMDEV_TAGS: expected key=value pairs separated by commas, got "a=1,feature"',
    ],
    [
      'LLMDEV_TAGS',
      'bad key=1',
      'LLMDEV_TAGS: tag key "bad key": expected 1 to 64 letters, digits or _.:/-, got "bad key=1"',
    ],
  ];

  it.each(cases)('%s=%s', (name, value, line) => {
    const error = thrown(() => load({ [name]: value }));
    expect(error).toBeInstanceOf(ConfigError);
    expect(error.message).toBe(`invalid llmdev client settings:\n  ${line}`);
    expect(error.hint).toMatch(
      new RegExp(`^Fix the value in the environment or in \\.env, e\\.g\\. ${name}=\\S+`),
    );
  });

  it('lists every bad variable at once and says which came from .env', () => {
    const error = thrown(() => load({ LLM_TIMEOUT: 'soon' }, { '/proj/.env': 'LLM_TEMPERATURE=9\n' }));
    expect(error.message).toBe(
      'invalid llmdev client settings:\n' +
        '  LLM_TEMPERATURE (in .env): expected a number from 0 to 2, got "9"\n' +
        '  LLM_TIMEOUT: expected a number of seconds above 0, got "soon"',
    );
    expect(error.hint).toContain('LLM_TEMPERATURE=0.2 LLM_TIMEOUT=60');
  });

  it('masks a key pasted into the wrong variable', () => {
    const error = thrown(() => load({ LLMDEV_URL: OPENAI_KEY }));
    expect(error.message).not.toContain(OPENAI_KEY);
    expect(error.message).toContain('LLMDEV_URL: expected an http:// or https:// URL, got "[redacted]"');
  });

  it('a *_FILE variable naming a missing file is an error, not "no value"', () => {
    const error = thrown(() => load({ LLMDEV_TOKEN_FILE: '.secrets/llmdev_tokn' }));
    expect(error).toBeInstanceOf(SecretError);
    expect(error.message).toBe('LLMDEV_TOKEN_FILE names /proj/.secrets/llmdev_tokn, which does not exist');
    expect(error.hint).toBe(
      'Point LLMDEV_TOKEN_FILE at the file holding the value (a relative path counts from /proj), or unset it.',
    );
  });

  it('an unreadable secret file is an error naming it', () => {
    const named = thrown(() =>
      loadConfig({
        env: { OPENAI_API_KEY_FILE: '/k', LLMDEV_OPENAI_ROUTE: 'direct' },
        cwd: '/proj',
        readText: files({}, ['/k']),
      }),
    );
    expect(named.message).toBe('OPENAI_API_KEY_FILE names /k, which this user cannot read');
    const mounted = thrown(() =>
      loadConfig({ env: {}, cwd: '/proj', readText: files({}, ['/run/secrets/llmdev_token']) }),
    );
    expect(mounted.message).toBe('cannot read /run/secrets/llmdev_token (EACCES)');
    expect(mounted.hint).toContain('readable by the user running this code');
  });

  it('an unreadable .env is an error naming it', () => {
    const error = thrown(() => loadConfig({ env: {}, cwd: '/proj', readText: files({}, ['/proj/.env']) }));
    expect(error).toBeInstanceOf(ConfigError);
    expect(error.message).toBe('cannot read /proj/.env (EACCES)');
  });
});

describe('credentials required by the clients', () => {
  it('a client without a token says where it looked and how to set it', () => {
    const settings = load({});
    const error = thrown(() => createOpenAI({ settings }));
    expect(error).toBeInstanceOf(SecretError);
    expect(error.message).toBe(
      'no llmdev sidecar token (calls to openai go through the sidecar); looked at: LLMDEV_TOKEN (not set), LLMDEV_TOKEN_FILE (not set), /run/secrets/llmdev_token (no such file)',
    );
    expect(error.hint).toContain('LLMDEV_TOKEN_FILE=.secrets/llmdev_token on the host');
  });

  it('a direct-route client without its key says where it looked and how to set it', () => {
    const settings = load(
      { LLMDEV_ANTHROPIC_KEY_FILE: '/run/secrets/anthropic_api_key' },
      { '/run/secrets/anthropic_api_key': '\n', '/run/secrets/llmdev_token': TOKEN },
    );
    const error = thrown(() => createAnthropic({ settings }));
    expect(error).toBeInstanceOf(SecretError);
    expect(error.message).toBe(
      'no anthropic API key for the direct route; looked at: LLMDEV_ANTHROPIC_KEY (not set), LLMDEV_ANTHROPIC_KEY_FILE → /run/secrets/anthropic_api_key (empty), ANTHROPIC_API_KEY_FILE (not set), /run/secrets/anthropic_api_key (empty)',
    );
    expect(error.hint).toContain('llmdev secrets set anthropic_api_key');
    expect(error.hint).toContain('LLMDEV_ANTHROPIC_ROUTE=proxy');
  });
});
