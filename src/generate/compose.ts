/**
 * .devcontainer/compose.yaml: the workspace and the usage-logger sidecar. One function per service
 * so each can change on its own. Paths are relative to .devcontainer/ (Compose resolves them
 * against the compose file's folder).
 */
import { posix } from 'node:path';
import { Document } from 'yaml';
import { CA_CERTS_SECRET, CONTAINER_HOOKS, type Config } from '../config/schema.js';
import { SIDECAR_SERVICE } from '../config/services.js';
import { shortSha256, wholeFile } from './header.js';
import { devcontainerLayout, layoutOf } from './layout.js';
import { hostSecretNames, RUN_SECRETS, SECRETS_DIR, sidecarSecrets, workspaceSecrets } from './secrets.js';
import type { GenerateContext, GeneratedFile } from './types.js';

/** Where compose.yaml is in the default layout (project.devcontainerDir may move it). */
export const COMPOSE_FILE = devcontainerLayout().compose;
export const WORKSPACE_SERVICE = 'workspace';
export { SIDECAR_SERVICE };
/** Where the sidecar container reads the project's config. */
export const SIDECAR_CONFIG_PATH = '/etc/llmdev/llmdev.config.yaml';
/** Label holding a checksum of the validated config: a config change recreates the sidecar. */
export const CONFIG_LABEL = 'dev.llmdev.config-sha256';
/**
 * Label holding a checksum of the workspace's lifecycle commands. The Dev Containers CLI bakes
 * them into the container it creates (its metadata label) and keeps running those: when they
 * change, `llmdev up` replaces the workspace container, as VS Code's "Rebuild Container" would.
 */
export const LIFECYCLE_LABEL = 'dev.llmdev.lifecycle-sha256';

export function lifecycleDigest(config: Config): string {
  return shortSha256(JSON.stringify(CONTAINER_HOOKS.map((hook) => config.workspace[hook] ?? null)));
}

const USAGE_VOLUME = 'usage-data';
const NODE_MODULES_VOLUME = 'node-modules';
const VENV_VOLUME = 'venv';
/** What a Python workspace (workspace.python) needs from Debian: the interpreter and its venv module. */
const PYTHON_APT_PACKAGES = ['python3', 'python3-venv'];

/** Compose interpolates `$` everywhere; user-supplied text must reach the container verbatim. */
const literal = (text: string) => text.replaceAll('$', () => '$$');

/** The usage-logger image built from an installed llmdev: one per version, so an upgrade rebuilds it. */
export function sidecarImageTag(version: string): string {
  return `llmdev-usage-logger:${version}`;
}

export function workspaceFolder(config: Config): string {
  return `/workspaces/${config.project.name}`;
}

export function sidecarUrl(config: Config): string {
  return `http://${SIDECAR_SERVICE}:${config.sidecar.port}`;
}

export function composeFile(config: Config, ctx: GenerateContext): GeneratedFile {
  const compose = {
    name: config.project.name,
    services: {
      [WORKSPACE_SERVICE]: workspaceService(config, ctx),
      [SIDECAR_SERVICE]: sidecarService(config, ctx),
    },
    volumes: {
      [USAGE_VOLUME]: {},
      ...(config.workspace.nodeModulesVolume ? { [NODE_MODULES_VOLUME]: {} } : {}),
      ...(config.workspace.python?.venvVolume ? { [VENV_VOLUME]: {} } : {}),
    },
    secrets: topLevelSecrets(config),
  };
  const body = new Document(compose).toString({ lineWidth: 0 });
  return wholeFile(layoutOf(config).compose, '#', body, ctx);
}

function workspaceService(config: Config, ctx: GenerateContext) {
  const { workspace } = config;
  const root = layoutOf(config).projectRoot;
  const folder = workspaceFolder(config);
  const aptPackages = [...workspace.aptPackages, ...(workspace.python ? PYTHON_APT_PACKAGES : [])];
  const args = {
    BASE_IMAGE: literal(workspace.baseImage ?? `node:${workspace.nodeVersion}-bookworm-slim`),
    APT_PACKAGES: [...new Set(aptPackages)].join(' '),
    ...(workspace.python ? { PYTHON_TOOLS: literal(workspace.python.tools.join(' ')) } : {}),
    // The extra CA goes into the image's trust store; its checksum (initialize.sh writes it to .env)
    // makes a changed CA rebuild that layer, which a build secret alone would not.
    // biome-ignore lint/suspicious/noTemplateCurlyInString: Compose interpolation, set in .devcontainer/.env
    CA_CERTS_SUM: '${LLMDEV_CA_SUM:-}',
    // Lets the image create the node_modules and .venv mount points owned by the non-root user, so
    // the named volumes start out writable by it.
    WORKSPACE_FOLDER: folder,
  };
  const build =
    workspace.dockerfile === undefined
      ? { context: posix.join(root, ctx.llmdevRoot, 'docker/workspace'), args }
      : { context: root, dockerfile: literal(workspace.dockerfile), args };
  return {
    build: { ...build, secrets: [CA_CERTS_SECRET] },
    command: ['sleep', 'infinity'],
    init: true,
    environment: { ...workspaceEnvironment(config), ...escapeValues(workspace.env) },
    volumes: [
      `${root}:${folder}:cached`,
      ...(workspace.nodeModulesVolume ? [`${NODE_MODULES_VOLUME}:${folder}/node_modules`] : []),
      ...(workspace.python?.venvVolume ? [`${VENV_VOLUME}:${folder}/.venv`] : []),
    ],
    // The project mount would otherwise carry .secrets/ (provider keys) into the workspace, readable
    // wherever the host user's uid is the container user's: an empty read-only tmpfs hides it.
    tmpfs: [`${folder}/${SECRETS_DIR}:ro,size=4k`],
    secrets: workspaceSecrets(config),
    depends_on: { [SIDECAR_SERVICE]: { condition: 'service_healthy' } },
    labels: { [LIFECYCLE_LABEL]: lifecycleDigest(config) },
  };
}

/**
 * Where workspace code finds the sidecar. Never the token itself: environment lands in container
 * metadata; the image's profile script exports it from /run/secrets.
 */
function workspaceEnvironment(config: Config): Record<string, string> {
  const url = sidecarUrl(config);
  const { openai, anthropic } = config.providers;
  return {
    OPENAI_BASE_URL: openai.route === 'direct' ? openai.baseUrl : `${url}/v1`,
    ANTHROPIC_BASE_URL: anthropic.route === 'direct' ? anthropic.baseUrl : url,
    LLMDEV_URL: url,
    LLMDEV_TOKEN_FILE: `${RUN_SECRETS}/${config.sidecar.tokenSecret}`,
    ...(openai.route === 'direct' ? { LLMDEV_OPENAI_KEY_FILE: `${RUN_SECRETS}/${openai.secret}` } : {}),
    ...(anthropic.route === 'direct'
      ? { LLMDEV_ANTHROPIC_KEY_FILE: `${RUN_SECRETS}/${anthropic.secret}` }
      : {}),
    NODE_EXTRA_CA_CERTS: `${RUN_SECRETS}/${CA_CERTS_SECRET}`,
  };
}

function sidecarService(config: Config, ctx: GenerateContext) {
  const { sidecar } = config;
  const root = layoutOf(config).projectRoot;
  const port = String(sidecar.port);
  const image =
    sidecar.image === undefined
      ? {
          build: {
            context: posix.join(root, ctx.llmdevRoot),
            // One Dockerfile for both contexts: it compiles src/ when present (a checkout of the
            // llmdev repository, wherever it is), else takes the installed package's dist/.
            dockerfile: 'docker/usage-logger/Dockerfile',
            secrets: [CA_CERTS_SECRET],
          },
          image: sidecarImageTag(ctx.version),
          // Built here, never pulled: no registry round trip before the build (there may be none).
          pull_policy: 'never',
        }
      : { image: literal(sidecar.image) };
  return {
    ...image,
    // The image's ENTRYPOINT is the llmdev CLI.
    command: ['sidecar', '--config', SIDECAR_CONFIG_PATH, '--port', port, '--data', literal(sidecar.dataDir)],
    // biome-ignore lint/suspicious/noTemplateCurlyInString: Compose interpolation, set in .devcontainer/.env
    user: '${LLMDEV_UID:-1000}:${LLMDEV_GID:-1000}',
    read_only: true,
    tmpfs: ['/tmp'],
    cap_drop: ['ALL'],
    security_opt: ['no-new-privileges:true'],
    environment: {
      NODE_EXTRA_CA_CERTS: `${RUN_SECRETS}/${CA_CERTS_SECRET}`,
      // Team mode without team.member: initialize.sh puts `git config user.email` in .devcontainer/.env.
      ...(config.team && config.team.member === undefined
        ? // biome-ignore lint/suspicious/noTemplateCurlyInString: Compose interpolation
          { LLMDEV_TEAM_MEMBER: '${LLMDEV_TEAM_MEMBER}' }
        : {}),
    },
    // Loopback only: the API and dashboard must not be reachable from the network. The variable
    // lets a second checkout pick another port without editing generated files.
    ports: [`127.0.0.1:\${LLMDEV_SIDECAR_HOST_PORT:-${sidecar.hostPort}}:${port}`],
    volumes: [
      `${USAGE_VOLUME}:${literal(sidecar.dataDir)}`,
      `${literal(posix.join(root, ctx.configFile))}:${SIDECAR_CONFIG_PATH}:ro`,
    ],
    secrets: sidecarSecrets(config),
    labels: { [CONFIG_LABEL]: shortSha256(JSON.stringify(config)) },
    healthcheck: {
      // /healthz needs no token. The image has no curl; bash's /dev/tcp costs a few milliseconds
      // per probe where starting node would cost ~50 ms of CPU every interval.
      test: [
        'CMD',
        'bash',
        '-c',
        `exec 3<>/dev/tcp/127.0.0.1/${port} && printf 'GET /healthz HTTP/1.0\\r\\n\\r\\n' >&3 && head -n1 <&3 | grep -q ' 200 '`,
      ],
      interval: '2s',
      timeout: '2s',
      retries: 30,
    },
    restart: 'unless-stopped',
  };
}

function topLevelSecrets(config: Config): Record<string, { file: string }> {
  const layout = layoutOf(config);
  const secrets: Record<string, { file: string }> = {};
  for (const name of hostSecretNames(config)) {
    secrets[name] = { file: posix.join(layout.projectRoot, SECRETS_DIR, name) };
  }
  secrets[CA_CERTS_SECRET] = { file: `./${posix.basename(layout.caBundle)}` };
  return secrets;
}

function escapeValues(env: Record<string, string>): Record<string, string> {
  return Object.fromEntries(Object.entries(env).map(([name, value]) => [name, literal(value)]));
}
