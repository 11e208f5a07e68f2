import { parseConfig } from '../../../src/config/load.js';
import { type Config, configSchema, PROVIDER_NAMES } from '../../../src/config/schema.js';

const FULL = `
project:
  name: my-app
workspace:
  nodeVersion: "20"
  baseImage: node:20-bookworm
  aptPackages: [jq, postgresql-client, libc6-dev, g++]
  postCreateCommand: npm ci && npm run build
  forwardPorts: [3000, 5173]
  env: {NODE_ENV: development, LOG_FORMAT: pretty}
  extensions: [biomejs.biome, ms-python.python]
  nodeModulesVolume: false
  dockerfile: docker/dev.Dockerfile
providers:
  openai: {secret: openai_key, env: MY_OPENAI_KEY, baseUrl: "https://openai.example/v1", mode: live, route: direct}
  anthropic: {mode: mock}
sidecar:
  port: 8080
  hostPort: 18080
  dataDir: /var/lib/llmdev
  tokenSecret: sidecar_token
  image: registry.example/llmdev-usage-logger:1.2.3
  storeBodies: false
  maxStoredBodyBytes: 1024
  maxRequestBytes: 1048576
  retentionDays: 7
  jsonlMirror: true
  upstreamTimeoutSeconds: 30
  logLevel: debug
budgets:
  - {scope: total, period: day, limitUsd: 5}
  - {name: gpt4, scope: model, match: gpt-4o, period: month, limitUsd: 20.5, action: warn, warnAt: 0.5}
  - {scope: provider, match: anthropic, period: total, limitUsd: 100}
  - {scope: tag, match: team=search, limitUsd: 1}
limits:
  requestsPerMinute: 60
  maxOutputTokens: 8192
  defaultMaxOutputTokens: 1024
  modelMaxOutputTokens: {gpt-4o-mini: 16384}
  loopMaxRepeats: 5
  loopWindowSeconds: 10
pricing:
  overrides:
    my-finetune: {inputPerMTok: 3, outputPerMTok: 12, cachedInputPerMTok: 1.5, cacheWritePerMTok: 0}
cache: {enabled: true, ttlSeconds: 60}
telemetry: {otlpEndpoint: "http://collector:4318/v1/traces", metrics: false}
network: {caCerts: /etc/ssl/certs/corp.pem}
`;

describe('config schema', () => {
  it('fills every default from a minimal config', () => {
    const config = parseConfig({ text: 'project: {name: demo}\n' });
    expect(config).toEqual<Config>({
      project: { name: 'demo' },
      workspace: {
        nodeVersion: '22',
        aptPackages: [],
        forwardPorts: [],
        env: {},
        extensions: [],
        nodeModulesVolume: true,
      },
      providers: {
        openai: {
          secret: 'openai_api_key',
          env: 'OPENAI_API_KEY',
          baseUrl: 'https://api.openai.com/v1',
          mode: 'auto',
          route: 'proxy',
        },
        anthropic: {
          secret: 'anthropic_api_key',
          env: 'ANTHROPIC_API_KEY',
          baseUrl: 'https://api.anthropic.com',
          mode: 'auto',
          route: 'proxy',
        },
      },
      sidecar: {
        port: 4100,
        hostPort: 4100,
        dataDir: '/data',
        secretsDir: '/run/secrets',
        tokenSecret: 'llmdev_token',
        storeBodies: true,
        maxStoredBodyBytes: 262_144,
        maxRequestBytes: 20_971_520,
        retentionDays: 90,
        jsonlMirror: false,
        upstreamTimeoutSeconds: 600,
        maxConnections: 512,
        allowedHosts: [],
        logLevel: 'info',
      },
      budgets: [],
      limits: {
        requestsPerMinute: 600,
        maxOutputTokens: 65_536,
        defaultMaxOutputTokens: 4096,
        modelMaxOutputTokens: {},
        loopMaxRepeats: 20,
        loopWindowSeconds: 60,
        modelMaxInputTokens: {},
      },
      pricing: { overrides: {} },
      cache: { enabled: false, ttlSeconds: 86_400, maxMegabytes: 256 },
      telemetry: { metrics: true },
      network: { caCerts: 'auto' },
    });
  });

  it('accepts a config that sets everything', () => {
    const config = parseConfig({ text: FULL });
    expect(config.workspace.aptPackages).toEqual(['jq', 'postgresql-client', 'libc6-dev', 'g++']);
    expect(config.providers.openai).toEqual({
      secret: 'openai_key',
      env: 'MY_OPENAI_KEY',
      baseUrl: 'https://openai.example/v1',
      mode: 'live',
      route: 'direct',
    });
    expect(config.providers.anthropic.mode).toBe('mock');
    expect(config.sidecar.hostPort).toBe(18080);
    expect(config.budgets).toHaveLength(4);
    expect(config.budgets[0]).toEqual({
      scope: 'total',
      period: 'day',
      limitUsd: 5,
      action: 'block',
      warnAt: 0.8,
    });
    expect(config.budgets[1]).toMatchObject({ name: 'gpt4', action: 'warn', warnAt: 0.5, limitUsd: 20.5 });
    expect(config.pricing.overrides['my-finetune']).toEqual({
      inputPerMTok: 3,
      outputPerMTok: 12,
      cachedInputPerMTok: 1.5,
      cacheWritePerMTok: 0,
    });
    expect(config.telemetry).toEqual({ otlpEndpoint: 'http://collector:4318/v1/traces', metrics: false });
  });

  it('does not flag plain environment names that merely end in letters like KEY', () => {
    const config = parseConfig({
      text: 'project: {name: demo}\nworkspace: {env: {MONKEY: a, SORT_ORDER: b}}\n',
    });
    expect(config.workspace.env).toEqual({ MONKEY: 'a', SORT_ORDER: 'b' });
  });

  it('accepts YAML anchors and comments', () => {
    const text =
      'project: {name: demo} # mine\nx-limit: &five 5\nbudgets: [{scope: total, limitUsd: *five}]\n';
    // x- keys are not settings: unknown keys are rejected even when they hold anchors
    expect(() => parseConfig({ text })).toThrow('x-limit: unknown setting');
    const ok =
      'project: {name: demo}\nbudgets:\n  - &daily {scope: total, period: day, limitUsd: 5}\n  - *daily\n';
    expect(parseConfig({ text: ok }).budgets).toHaveLength(2);
  });

  it('names the two providers', () => {
    expect(PROVIDER_NAMES).toEqual(Object.keys(configSchema.shape.providers.unwrap().shape));
  });
});

describe('overrides', () => {
  const text = 'project: {name: demo}\nsidecar: {hostPort: 5000}\n';

  it('LLMDEV_* variables override the file, typed by the schema', () => {
    const config = parseConfig({
      text,
      env: {
        LLMDEV_SIDECAR_HOST_PORT: '6000',
        LLMDEV_CACHE_ENABLED: 'true',
        LLMDEV_WORKSPACE_NODE_VERSION: '20',
        LLMDEV_WORKSPACE_APT_PACKAGES: '[jq, curl]',
        LLMDEV_WORKSPACE_ENV: '{A: b}',
        LLMDEV_BUDGETS: '[{scope: total, limitUsd: 5}]',
        LLMDEV_PROVIDERS_OPENAI_MODE: 'mock',
      },
    });
    expect(config.sidecar.hostPort).toBe(6000);
    expect(config.cache.enabled).toBe(true);
    expect(config.workspace.nodeVersion).toBe('20'); // text settings stay text
    expect(config.workspace.aptPackages).toEqual(['jq', 'curl']);
    expect(config.workspace.env).toEqual({ A: 'b' });
    expect(config.budgets).toEqual([
      { scope: 'total', period: 'month', limitUsd: 5, action: 'block', warnAt: 0.8 },
    ]);
    expect(config.providers.openai.mode).toBe('mock');
  });

  it('.env overrides the file, and the environment overrides .env', () => {
    const dotenv = '# local\nLLMDEV_SIDECAR_HOST_PORT=7000\nLLMDEV_SIDECAR_LOG_LEVEL=debug\n';
    expect(parseConfig({ text, dotenv }).sidecar).toMatchObject({ hostPort: 7000, logLevel: 'debug' });
    const both = parseConfig({ text, dotenv, env: { LLMDEV_SIDECAR_HOST_PORT: '8000' } });
    expect(both.sidecar).toMatchObject({ hostPort: 8000, logLevel: 'debug' });
  });

  it('ignores LLMDEV_* variables that belong to the client, and everything else', () => {
    const config = parseConfig({
      text,
      env: {
        LLMDEV_URL: 'http://x',
        LLMDEV_TOKEN_FILE: '/run/secrets/t',
        PATH: '/bin',
        LLMDEV_SIDECAR_PORT: undefined,
      },
    });
    expect(config.sidecar.hostPort).toBe(5000);
    expect(config.sidecar.port).toBe(4100);
  });

  it('an override can create a section the file does not have', () => {
    expect(
      parseConfig({ text: 'project: {name: demo}\n', env: { LLMDEV_CACHE_TTL_SECONDS: '5' } }).cache,
    ).toEqual({
      enabled: false,
      ttlSeconds: 5,
      maxMegabytes: 256,
    });
  });

  it('can set the project name of a file that has none', () => {
    expect(parseConfig({ text: '{}', env: { LLMDEV_PROJECT_NAME: 'from-env' } }).project.name).toBe(
      'from-env',
    );
  });
});
