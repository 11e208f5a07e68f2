/**
 * Every message a user can get from a bad config, exactly as printed: source, path, what was
 * expected, what was found, and the line when it came from the file.
 */

import { parseConfig } from '../../../src/config/load.js';
import { ConfigError } from '../../../src/errors/index.js';

const HEAD = 'project: {name: demo}\n';

function messageOf(text: string, extra: { env?: Record<string, string>; dotenv?: string } = {}): string {
  try {
    parseConfig({ text, ...extra });
  } catch (error) {
    expect(error).toBeInstanceOf(ConfigError);
    expect((error as ConfigError).hint).toMatch(/docs\/configuration\.md/);
    return (error as ConfigError).message;
  }
  throw new Error('expected the config to be rejected');
}

describe('config error messages', () => {
  it('says what is wrong with a budget limit, where, and what it got (the documented example)', () => {
    const text = `${HEAD}budgets:\n  - scope: total\n    limitUsd: five\n`;
    expect(messageOf(text)).toBe(
      'llmdev.config.yaml: budgets[0].limitUsd: expected a positive number, got "five" (line 4)',
    );
  });

  it.each([
    // [what, config after the project line, message]
    ['port type', 'sidecar: {port: x}', 'sidecar.port: expected a port number between 1 and 65535, got "x"'],
    [
      'port range',
      'sidecar:\n  hostPort: 70000',
      'sidecar.hostPort: expected a port number between 1 and 65535, got 70000',
    ],
    [
      'port fraction',
      'sidecar: {port: 80.5}',
      'sidecar.port: expected a port number between 1 and 65535, got 80.5',
    ],
    [
      'forwarded port',
      'workspace: {forwardPorts: [0]}',
      'workspace.forwardPorts[0]: expected a port number between 1 and 65535, got 0',
    ],
    [
      'forwarded ports list',
      'workspace: {forwardPorts: 3000}',
      'workspace.forwardPorts: expected a list of port numbers, got 3000',
    ],
    [
      'negative limit',
      'budgets: [{scope: total, limitUsd: -1}]',
      'budgets[0].limitUsd: expected a positive number, got -1',
    ],
    [
      'missing limit',
      'budgets: [{scope: total}]',
      'budgets[0].limitUsd: missing: expected a positive number',
    ],
    [
      'whole number',
      'limits: {requestsPerMinute: 1.5}',
      'limits.requestsPerMinute: expected a positive whole number, got 1.5',
    ],
    [
      'model max tokens',
      'limits: {modelMaxOutputTokens: {gpt-4o: many}}',
      'limits.modelMaxOutputTokens.gpt-4o: expected a positive whole number, got "many"',
    ],
    [
      'model max tokens map',
      'limits: {modelMaxOutputTokens: [1]}',
      'limits.modelMaxOutputTokens: expected a map of model id to a number of tokens, got a list',
    ],
    [
      'price',
      'pricing: {overrides: {m: {inputPerMTok: -1, outputPerMTok: 1}}}',
      'pricing.overrides.m.inputPerMTok: expected a number, 0 or more, got -1',
    ],
    [
      'prices map',
      'pricing: {overrides: 5}',
      'pricing.overrides: expected a map of model id to prices, got 5',
    ],
    ['boolean', 'cache: {enabled: yes}', 'cache.enabled: expected true or false, got "yes"'],
    ['string', 'sidecar: {image: 5}', 'sidecar.image: expected a string, got 5'],
    [
      'url',
      'providers: {openai: {baseUrl: ftp://example.com}}',
      'providers.openai.baseUrl: expected an http:// or https:// URL, got "ftp://example.com"',
    ],
    [
      'otlp url',
      'telemetry: {otlpEndpoint: collector}',
      'telemetry.otlpEndpoint: expected an http:// or https:// URL, got "collector"',
    ],
    ['absolute path', 'sidecar: {dataDir: data}', 'sidecar.dataDir: expected an absolute path, got "data"'],
    [
      'secret name',
      'providers: {openai: {secret: My Key}}',
      'providers.openai.secret: expected a secret name of lowercase letters, digits, "_", "." or "-" (it becomes a file name), got "My Key"',
    ],
    [
      'reserved secret',
      'sidecar: {tokenSecret: ca_certs}',
      'sidecar.tokenSecret: "ca_certs" is reserved for the extra CA bundle; choose another name',
    ],
    [
      'shared secret',
      'providers: {anthropic: {secret: llmdev_token}}',
      'providers.anthropic.secret: "llmdev_token" is already the secret of sidecar.tokenSecret; give each secret its own name',
    ],
    [
      'env var name',
      'providers: {openai: {env: 1KEY}}',
      'providers.openai.env: expected an environment variable name, got "1KEY"',
    ],
    [
      'mode',
      'providers: {openai: {mode: on}}',
      'providers.openai.mode: expected one of auto, live, mock, got "on"',
    ],
    [
      'route',
      'providers: {anthropic: {route: side}}',
      'providers.anthropic.route: expected proxy or direct, got "side"',
    ],
    [
      'log level',
      'sidecar: {logLevel: loud}',
      'sidecar.logLevel: expected one of debug, info, warn, error, got "loud"',
    ],
    [
      'node version',
      'workspace: {nodeVersion: 22}',
      'workspace.nodeVersion: expected a Node.js major version as a string, e.g. "22", got 22',
    ],
    [
      'apt package',
      'workspace: {aptPackages: [Jq]}',
      'workspace.aptPackages[0]: expected a Debian package name, got "Jq"',
    ],
    [
      'apt package type',
      'workspace: {aptPackages: [1]}',
      'workspace.aptPackages[0]: expected a Debian package name, got 1',
    ],
    [
      'apt package list',
      'workspace: {aptPackages: jq}',
      'workspace.aptPackages: expected a list of Debian package names, got "jq"',
    ],
    [
      'extension',
      'workspace: {extensions: [prettier]}',
      'workspace.extensions[0]: expected a VS Code extension id like publisher.name, got "prettier"',
    ],
    [
      'extension list',
      'workspace: {extensions: x.y}',
      'workspace.extensions: expected a list of VS Code extension ids, got "x.y"',
    ],
    [
      'env value',
      'workspace: {env: {PORT: 3000}}',
      'workspace.env.PORT: expected a string value (quote numbers), got 3000',
    ],
    [
      'env name',
      'workspace: {env: {1X: a}}',
      'workspace.env.1X: expected an environment variable name, got the key "1X"',
    ],
    ['env map', 'workspace: {env: [A]}', 'workspace.env: expected a map of NAME: value, got a list'],
    [
      'credential in env',
      'workspace: {env: {GITHUB_TOKEN: x}}',
      'workspace.env.GITHUB_TOKEN: looks like a credential: plain environment ends up in container metadata; keep credentials in .secrets/ (`llmdev secrets set`)',
    ],
    [
      'budget scope',
      'budgets: [{scope: everything, limitUsd: 1}]',
      'budgets[0].scope: expected one of total, provider, model, tag, got "everything"',
    ],
    [
      'budget period',
      'budgets: [{scope: total, period: week, limitUsd: 1}]',
      'budgets[0].period: expected one of day, month, total, got "week"',
    ],
    [
      'budget action',
      'budgets: [{scope: total, action: stop, limitUsd: 1}]',
      'budgets[0].action: expected block or warn, got "stop"',
    ],
    [
      'budget warnAt',
      'budgets: [{scope: total, warnAt: 80, limitUsd: 1}]',
      'budgets[0].warnAt: expected a fraction between 0 and 1, e.g. 0.8, got 80',
    ],
    [
      'budget match',
      'budgets: [{scope: model, limitUsd: 1}]',
      'budgets[0].match: is required when scope is model',
    ],
    [
      'tag match',
      'budgets: [{scope: tag, match: team, limitUsd: 1}]',
      'budgets[0].match: expected key=value for scope tag',
    ],
    ['budget list', 'budgets: {scope: total}', 'budgets: expected a list of budgets, got a map'],
    ['section type', 'sidecar: 4100', 'sidecar: expected a map of settings, got 4100'],
    [
      'ca certs',
      'network: {caCerts: ""}',
      'network.caCerts: expected auto, none, or a path to a PEM bundle, got ""',
    ],
    [
      'null',
      'cache:\n  ttlSeconds:',
      'cache.ttlSeconds: expected a positive whole number, got nothing (null)',
    ],
  ])('%s', (_what, body, message) => {
    const line = body.includes('\n') ? 3 : 2;
    expect(messageOf(`${HEAD}${body}\n`)).toBe(`llmdev.config.yaml: ${message} (line ${line})`);
  });

  it('masks key-shaped values it quotes', () => {
    const message = messageOf(
      `${HEAD}sidecar: {image: 5, logLevel: sk-proj-abcdefghijklmnopqrstuvwxyz012345}\n`,
    );
    expect(message).toContain('sidecar.logLevel: expected one of debug, info, warn, error, got "[redacted]"');
    expect(message).not.toContain('abcdefghijklmnop');
  });

  it('shortens long values', () => {
    expect(messageOf(`${HEAD}sidecar: {logLevel: ${'x'.repeat(100)}}\n`)).toContain(
      `got "${'x'.repeat(57)}..."`,
    );
  });

  it('reports every problem, one per line', () => {
    const message = messageOf(`${HEAD}sidecar:\n  port: 0\n  hostPort: x\n`);
    expect(message.split('\n')).toEqual([
      'llmdev.config.yaml: sidecar.port: expected a port number between 1 and 65535, got 0 (line 3)',
      'llmdev.config.yaml: sidecar.hostPort: expected a port number between 1 and 65535, got "x" (line 4)',
    ]);
  });

  describe('the project', () => {
    it('must be there', () => {
      expect(messageOf('workspace: {}\n')).toBe(
        'llmdev.config.yaml: project: missing: expected a map with the project name, e.g. `project: {name: my-app}` (line 1)',
      );
    });

    it('needs a name', () => {
      expect(messageOf('project: {}\n')).toBe(
        'llmdev.config.yaml: project.name: missing: expected a project name (line 1)',
      );
    });

    it('needs a name that can name containers', () => {
      expect(messageOf('project:\n  name: My App\n')).toBe(
        'llmdev.config.yaml: project.name: expected lowercase letters, digits and "-" (it names containers and volumes), got "My App" (line 2)',
      );
    });

    it('an empty file says what is missing', () => {
      expect(messageOf('')).toMatch(
        /^llmdev.config.yaml: project: missing: expected a map with the project name/,
      );
    });
  });

  describe('unknown settings', () => {
    it.each([
      ['top level', 'sidecr: {port: 4100}', 'sidecr: unknown setting; did you mean "sidecar"?'],
      [
        'in a section',
        'sidecar: {hostport: 1}',
        'sidecar.hostport: unknown setting; did you mean "hostPort"?',
      ],
      [
        'in a provider',
        'providers: {openai: {baseURL: "https://x.example"}}',
        'providers.openai.baseURL: unknown setting; did you mean "baseUrl"?',
      ],
      [
        'unknown provider',
        'providers: {openia: {}}',
        'providers.openia: unknown setting; did you mean "openai"?',
      ],
      [
        'in a budget',
        'budgets: [{scope: total, limit: 5, limitUsd: 5}]',
        'budgets[0].limit: unknown setting; did you mean "limitUsd"?',
      ],
      [
        'in a price',
        'pricing: {overrides: {m: {inputPerMTok: 1, outputPerMTok: 1, cachedPerMTok: 1}}}',
        'pricing.overrides.m.cachedPerMTok: unknown setting; did you mean "cachedInputPerMTok"?',
      ],
      ['far from everything', 'color: blue', 'color: unknown setting'],
    ])('%s', (_what, body, message) => {
      expect(messageOf(`${HEAD}${body}\n`)).toBe(`llmdev.config.yaml: ${message} (line 2)`);
    });
  });

  describe('YAML syntax', () => {
    it('names the line of a syntax error', () => {
      expect(messageOf(`${HEAD}sidecar:\n  port: [4100\n  hostPort: 1\n`)).toMatch(
        /^llmdev.config.yaml: not valid YAML: .+ \(line \d\)$/,
      );
    });

    it('points at the right line', () => {
      const message = messageOf('project:\n  name: demo\nbudgets:\n  - scope: total\n   limitUsd: 1\n');
      expect(message).toMatch(/^llmdev.config.yaml: not valid YAML: .+ \(line 5\)$/);
    });

    it('rejects duplicate keys with their line', () => {
      expect(messageOf(`${HEAD}cache: {}\ncache: {}\n`)).toBe(
        'llmdev.config.yaml: not valid YAML: Map keys must be unique (line 3)',
      );
    });

    it('needs a map at the top', () => {
      expect(messageOf('- project\n')).toBe(
        'llmdev.config.yaml: expected a map of settings at the top level',
      );
      expect(messageOf('just text\n')).toBe(
        'llmdev.config.yaml: expected a map of settings at the top level',
      );
    });

    it('uses the file name it was given', () => {
      try {
        parseConfig({ text: 'project: {name: X}\n', file: 'other.yaml' });
      } catch (error) {
        expect((error as Error).message).toMatch(/^other.yaml: project.name: /);
        return;
      }
      throw new Error('expected an error');
    });
  });

  describe('environment overrides', () => {
    it('names the variable, not the file', () => {
      expect(messageOf(HEAD, { env: { LLMDEV_SIDECAR_HOST_PORT: 'abc' } })).toBe(
        'environment LLMDEV_SIDECAR_HOST_PORT: sidecar.hostPort: expected a port number between 1 and 65535, got "abc"',
      );
    });

    it('names the .env entry', () => {
      expect(messageOf(HEAD, { dotenv: 'LLMDEV_CACHE_ENABLED=maybe\n' })).toBe(
        '.env LLMDEV_CACHE_ENABLED: cache.enabled: expected true or false, got "maybe"',
      );
    });

    it('names the list variable for a problem inside a list', () => {
      expect(messageOf(HEAD, { env: { LLMDEV_BUDGETS: '[{scope: total, limitUsd: five}]' } })).toBe(
        'environment LLMDEV_BUDGETS: budgets[0].limitUsd: expected a positive number, got "five"',
      );
    });

    it('suggests the variable meant for a typo', () => {
      expect(() => parseConfig({ text: HEAD, env: { LLMDEV_SIDECAR_HOSTPORT: '1' } })).toThrow(
        'environment: LLMDEV_SIDECAR_HOSTPORT: no such setting; did you mean LLMDEV_SIDECAR_HOST_PORT?',
      );
      expect(() => parseConfig({ text: HEAD, dotenv: 'LLMDEV_CACHE_TTL=5\n' })).toThrow(
        '.env: LLMDEV_CACHE_TTL: no such setting; did you mean LLMDEV_CACHE_TTL_SECONDS?',
      );
    });

    it('says how variables are named when nothing is close', () => {
      try {
        parseConfig({ text: HEAD, env: { LLMDEV_BUDGETS_0_LIMIT_USD: '1' } });
      } catch (error) {
        expect(error).toBeInstanceOf(ConfigError);
        expect((error as ConfigError).message).toBe(
          'environment: LLMDEV_BUDGETS_0_LIMIT_USD: no such setting',
        );
        expect((error as ConfigError).hint).toMatch(/LLMDEV_SIDECAR_HOST_PORT/);
        return;
      }
      throw new Error('expected an error');
    });
  });
});
