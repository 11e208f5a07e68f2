/**
 * What must hold for every generated variant: provider keys stay out of the workspace (unless
 * routed direct), the token reaches both services, the sidecar is loopback-only, the output is
 * deterministic and carries a correct checksum.
 */
import { parse as parseYaml } from 'yaml';
import { parseConfig } from '../../../src/config/load.js';
import { CA_CERTS_SECRET } from '../../../src/config/schema.js';
import { COMPOSE_FILE, CONFIG_LABEL } from '../../../src/generate/compose.js';
import { DEVCONTAINER_FILE } from '../../../src/generate/devcontainer.js';
import { isPristine, parseHeader, shortSha256 } from '../../../src/generate/header.js';
import { type GeneratedFile, generateFiles } from '../../../src/generate/index.js';
import { CONFIG_VARIANTS, TEST_CONTEXT, variantConfig } from '../../fixtures/config-variants.js';

interface ComposeService {
  secrets?: string[];
  environment?: Record<string, string>;
  ports?: string[];
  volumes?: string[];
  tmpfs?: string[];
  build?: { context: string; dockerfile?: string; args?: Record<string, string> };
  image?: string;
  pull_policy?: string;
  command?: string[];
  labels?: Record<string, string>;
  healthcheck?: { test: string[] };
  depends_on?: Record<string, { condition: string }>;
}
interface Compose {
  name: string;
  services: Record<string, ComposeService>;
  secrets: Record<string, { file: string }>;
  volumes: Record<string, object>;
}

const files = (name: string) => generateFiles(variantConfig(name), TEST_CONTEXT);
const find = (all: GeneratedFile[], path: string) => {
  const file = all.find((candidate) => candidate.path === path);
  if (!file) throw new Error(`${path} was not generated`);
  return file;
};
const composeOf = (name: string) => parseYaml(find(files(name), COMPOSE_FILE).content) as Compose;
const devcontainerOf = (name: string) => {
  const parsed = parseHeader(find(files(name), DEVCONTAINER_FILE).content);
  return JSON.parse(parsed?.body ?? '') as Record<string, unknown>;
};
const VARIANTS = Object.keys(CONFIG_VARIANTS);

describe.each(VARIANTS)('generated files (%s)', (variant) => {
  const config = variantConfig(variant);
  const compose = composeOf(variant);
  const workspace = compose.services.workspace as ComposeService;
  const sidecar = compose.services['usage-logger'] as ComposeService;
  const providers = Object.values(config.providers);

  it('mounts a provider key into the workspace only when that provider is routed direct', () => {
    for (const provider of providers) {
      expect(sidecar.secrets).toContain(provider.secret);
      if (provider.route === 'direct') expect(workspace.secrets).toContain(provider.secret);
      else expect(workspace.secrets).not.toContain(provider.secret);
    }
    expect(workspace.secrets).toEqual(expect.arrayContaining([config.sidecar.tokenSecret, CA_CERTS_SECRET]));
  });

  it('hides the host .secrets/ directory, which the project mount carries, from the workspace', () => {
    expect(workspace.tmpfs).toEqual([`/workspaces/${config.project.name}/.secrets:ro,size=4k`]);
  });

  it('mounts the sidecar token into both services, and never puts it in the environment', () => {
    expect(workspace.secrets).toContain(config.sidecar.tokenSecret);
    expect(sidecar.secrets).toContain(config.sidecar.tokenSecret);
    for (const service of [workspace, sidecar]) {
      for (const name of Object.keys(service.environment ?? {})) {
        expect(name).not.toMatch(/API_KEY$|^LLMDEV_TOKEN$/);
      }
    }
    expect(workspace.environment?.LLMDEV_TOKEN_FILE).toBe(`/run/secrets/${config.sidecar.tokenSecret}`);
  });

  it('declares every secret it mounts as a file under .secrets/ (the CA bundle beside compose.yaml)', () => {
    const mounted = new Set([...(workspace.secrets ?? []), ...(sidecar.secrets ?? [])]);
    expect(new Set(Object.keys(compose.secrets))).toEqual(mounted);
    for (const [name, { file }] of Object.entries(compose.secrets)) {
      expect(file).toBe(name === CA_CERTS_SECRET ? './.ca-certs.pem' : `../.secrets/${name}`);
    }
  });

  it('publishes the sidecar on 127.0.0.1 only, and nothing of the workspace', () => {
    expect(sidecar.ports).toEqual([
      `127.0.0.1:\${LLMDEV_SIDECAR_HOST_PORT:-${config.sidecar.hostPort}}:${config.sidecar.port}`,
    ]);
    expect(workspace.ports).toBeUndefined();
  });

  it('points the workspace at the sidecar for proxied providers', () => {
    const url = `http://usage-logger:${config.sidecar.port}`;
    expect(workspace.environment?.LLMDEV_URL).toBe(url);
    const { openai, anthropic } = config.providers;
    expect(workspace.environment?.OPENAI_BASE_URL).toBe(
      openai.route === 'direct' ? openai.baseUrl : `${url}/v1`,
    );
    expect(workspace.environment?.ANTHROPIC_BASE_URL).toBe(
      anthropic.route === 'direct' ? anthropic.baseUrl : url,
    );
    expect(workspace.depends_on).toEqual({ 'usage-logger': { condition: 'service_healthy' } });
  });

  it('checks the sidecar health on its own port without curl', () => {
    const test = sidecar.healthcheck?.test ?? [];
    expect(test.slice(0, 3)).toEqual(['CMD', 'bash', '-c']);
    expect(test[3]).toContain(`/dev/tcp/127.0.0.1/${config.sidecar.port}`);
    expect(test[3]).toContain('GET /healthz');
    expect(sidecar.command).toEqual([
      'sidecar',
      '--config',
      '/etc/llmdev/llmdev.config.yaml',
      '--port',
      String(config.sidecar.port),
      '--data',
      config.sidecar.dataDir,
    ]);
  });

  it('puts no secret value in any file (only names and paths)', () => {
    for (const file of files(variant)) {
      expect(file.content).not.toMatch(/sk-[A-Za-z0-9_-]{10,}/);
      expect(file.content).not.toMatch(/\$\{?(OPENAI|ANTHROPIC)_API_KEY\}?/); // no interpolated keys in compose
    }
  });

  it('is identical across runs', () => {
    expect(files(variant)).toEqual(files(variant));
  });

  it('gives each whole file a header whose checksum matches its body, and a final newline', () => {
    for (const file of files(variant)) {
      expect(file.content.endsWith('\n')).toBe(true);
      expect(file.content.endsWith('\n\n')).toBe(false);
      if (file.kind === 'block') continue;
      const parsed = parseHeader(file.content);
      expect(parsed).toBeDefined();
      expect(parsed?.checksum).toBe(shortSha256(parsed?.body ?? ''));
      expect(isPristine(file.content)).toBe(true);
      expect(file.content).toContain(`Generated by llmdev ${TEST_CONTEXT.version} from llmdev.config.yaml`);
    }
  });
});

describe('compose details', () => {
  it('builds the workspace from llmdev docker/workspace with the configured image and packages', () => {
    const { workspace } = composeOf('defaults').services;
    expect(workspace?.build).toEqual({
      context: '../node_modules/llmdev/docker/workspace',
      args: {
        BASE_IMAGE: 'node:22-bookworm-slim',
        APT_PACKAGES: '',
        // biome-ignore lint/suspicious/noTemplateCurlyInString: Compose interpolation
        CA_CERTS_SUM: '${LLMDEV_CA_SUM:-}',
        WORKSPACE_FOLDER: '/workspaces/demo',
      },
      secrets: ['ca_certs'],
    });
    expect(workspace?.volumes).toEqual([
      '..:/workspaces/demo:cached',
      'node-modules:/workspaces/demo/node_modules',
    ]);
  });

  it('a Python workspace: python3 and venv in the image, its tools, the .venv volume and interpreter', () => {
    const compose = composeOf('python');
    expect(compose.services.workspace?.build?.args).toMatchObject({
      APT_PACKAGES: 'jq python3 python3-venv',
      PYTHON_TOOLS: 'uv==0.13.9',
    });
    expect(compose.services.workspace?.volumes).toEqual([
      '..:/workspaces/demo:cached',
      'node-modules:/workspaces/demo/node_modules',
      'venv:/workspaces/demo/.venv',
    ]);
    expect(Object.keys(compose.volumes)).toEqual(['usage-data', 'node-modules', 'venv']);
    expect(devcontainerOf('python').customizations).toEqual({
      vscode: {
        extensions: [],
        settings: { 'python.defaultInterpreterPath': '/workspaces/demo/.venv/bin/python' },
      },
    });
    expect(devcontainerOf('defaults').customizations).toEqual({ vscode: { extensions: [] } });
    const text = CONFIG_VARIANTS.python?.replace('python: {', 'python: {venvVolume: false, ') ?? '';
    const noVolume = generateFiles(parseConfig({ text }), TEST_CONTEXT);
    const plain = parseYaml(find(noVolume, COMPOSE_FILE).content) as Compose;
    expect(plain.services.workspace?.volumes).toEqual([
      '..:/workspaces/demo:cached',
      'node-modules:/workspaces/demo/node_modules',
    ]);
  });

  it("uses the user's Dockerfile with the project as context, and no node_modules volume when off", () => {
    const compose = composeOf('custom dockerfile');
    expect(compose.services.workspace?.build).toMatchObject({
      context: '..',
      dockerfile: 'docker/dev.Dockerfile',
      args: { APT_PACKAGES: 'jq git' },
    });
    expect(compose.services.workspace?.volumes).toEqual(['..:/workspaces/demo:cached']);
    expect(Object.keys(compose.volumes)).toEqual(['usage-data']);
  });

  it('builds the sidecar from the installed package, tagged with the version', () => {
    const sidecar = composeOf('defaults').services['usage-logger'];
    expect(sidecar?.build).toEqual({
      context: '../node_modules/llmdev',
      dockerfile: 'docker/usage-logger/Dockerfile',
      secrets: ['ca_certs'],
    });
    expect(sidecar?.image).toBe('llmdev-usage-logger:1.2.3');
    expect(sidecar?.pull_policy).toBe('never');
  });

  it('builds from sources in the llmdev repository itself', () => {
    const generated = generateFiles(variantConfig('defaults'), { ...TEST_CONTEXT, llmdevRoot: '.' });
    const compose = parseYaml(find(generated, COMPOSE_FILE).content) as Compose;
    expect(compose.services['usage-logger']?.build).toMatchObject({ context: '..' });
    expect(compose.services.workspace?.build?.context).toBe('../docker/workspace');
  });

  it('uses a prebuilt sidecar image without building', () => {
    const sidecar = composeOf('prebuilt sidecar').services['usage-logger'];
    expect(sidecar?.build).toBeUndefined();
    expect(sidecar?.image).toBe('registry.example/usage-logger:1.0');
    expect(sidecar?.pull_policy).toBeUndefined();
  });

  it('escapes $ in user values so Compose passes them through', () => {
    const { workspace } = composeOf('everything').services;
    expect(workspace?.environment?.PRICE).toBe('cost $$5 $${HOME}');
  });

  it('labels the sidecar with a checksum of the config, so a config change recreates it', () => {
    const label = (name: string) => composeOf(name).services['usage-logger']?.labels?.[CONFIG_LABEL];
    expect(label('defaults')).toMatch(/^[0-9a-f]{12}$/);
    expect(label('budgets')).not.toBe(label('defaults'));
  });
});

describe('devcontainer.json', () => {
  it('is a compose-based dev container on the workspace service', () => {
    expect(devcontainerOf('defaults')).toEqual({
      name: 'demo',
      dockerComposeFile: ['compose.yaml'],
      service: 'workspace',
      runServices: ['workspace', 'usage-logger'],
      workspaceFolder: '/workspaces/demo',
      shutdownAction: 'stopCompose',
      // biome-ignore lint/suspicious/noTemplateCurlyInString: a devcontainer.json variable
      initializeCommand: ['sh', '${localWorkspaceFolder}/.devcontainer/initialize.sh'],
      remoteUser: 'node',
      forwardPorts: ['usage-logger:4100'],
      portsAttributes: {
        'usage-logger:4100': { label: 'llmdev dashboard and API', onAutoForward: 'silent' },
      },
      customizations: { vscode: { extensions: [] } },
      secrets: {
        OPENAI_API_KEY: expect.objectContaining({ documentationUrl: 'https://platform.openai.com/api-keys' }),
        ANTHROPIC_API_KEY: expect.objectContaining({
          documentationUrl: 'https://console.anthropic.com/settings/keys',
        }),
      },
    });
  });

  it('carries the workspace settings', () => {
    const devcontainer = devcontainerOf('everything');
    expect(devcontainer.forwardPorts).toEqual(['usage-logger:4100', 3000, 5173]);
    expect(devcontainer.postCreateCommand).toBe('npm ci');
    expect(devcontainer.customizations).toEqual({ vscode: { extensions: ['biomejs.biome'] } });
    expect(Object.keys(devcontainer.secrets as object)).toEqual(['MY_OPENAI_KEY', 'ANTHROPIC_API_KEY']);
  });

  it('never sets environment in container metadata', () => {
    for (const variant of VARIANTS) {
      const devcontainer = devcontainerOf(variant);
      expect(devcontainer.remoteEnv).toBeUndefined();
      expect(devcontainer.containerEnv).toBeUndefined();
    }
  });
});

describe('other files', () => {
  it('makes initialize.sh executable and keeps its shebang first', () => {
    const script = find(files('defaults'), '.devcontainer/initialize.sh');
    expect(script.mode).toBe(0o755);
    expect(script.content.split('\n')[0]).toBe('#!/bin/sh');
    expect(script.content.split('\n')[1]).toMatch(/^# Generated by llmdev/);
  });

  it('quotes config values in initialize.sh', () => {
    const script = find(files('everything'), '.devcontainer/initialize.sh').content;
    expect(script).toContain("provider_key '.secrets/oai' 'MY_OPENAI_KEY'");
    expect(script).toContain("chmod 600 '.secrets/sidecar_token' '.secrets/oai' '.secrets/ant'");
    expect(script).toContain('ca_source=; ca_required=no');
  });

  it('lists every override in .env.example, commented out, with the current values', () => {
    const example = find(files('budgets'), '.env.example').content;
    expect(example).toContain('# LLMDEV_SIDECAR_HOST_PORT=4100\n');
    expect(example).toContain(
      '# LLMDEV_BUDGETS=[{scope: total, period: day, limitUsd: 5, action: block, warnAt: 0.8}, {scope: model, match: gpt-4o, period: month, limitUsd: 20, action: warn, warnAt: 0.8}]\n',
    );
    for (const line of example.split('\n')) expect(line === '' || line.startsWith('#')).toBe(true);
  });

  it('ignores secrets and local files in .gitignore and .dockerignore blocks', () => {
    for (const path of ['.gitignore', '.dockerignore']) {
      const block = find(files('defaults'), path);
      expect(block.kind).toBe('block');
      expect(block.content).toBe(
        '# >>> llmdev (generated from llmdev.config.yaml) >>>\n.secrets/\n.env\n.devcontainer/.env\n.devcontainer/.ca-certs.pem\n.llmdev/\n# <<< llmdev <<<\n',
      );
    }
  });
});
