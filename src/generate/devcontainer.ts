/**
 * .devcontainer/devcontainer.json (JSONC, so it carries the header comment): a compose-based dev
 * container whose main service is the workspace; the sidecar starts with it.
 */
import { CONTAINER_HOOKS, type Config } from '../config/schema.js';
import { SIDECAR_SERVICE, WORKSPACE_SERVICE, workspaceFolder } from './compose.js';
import { wholeFile } from './header.js';
import { devcontainerLayout, layoutOf } from './layout.js';
import { providerSecrets } from './secrets.js';
import type { GenerateContext, GeneratedFile } from './types.js';

/** Where devcontainer.json is in the default layout (project.devcontainerDir may move it). */
export const DEVCONTAINER_FILE = devcontainerLayout().devcontainerJson;

const KEY_PAGES = {
  openai: { label: 'OpenAI', url: 'https://platform.openai.com/api-keys' },
  anthropic: { label: 'Anthropic', url: 'https://console.anthropic.com/settings/keys' },
} as const;

/** The user the lifecycle commands and `llmdev shell` run as (the image's `node`, uid 1000). */
export const REMOTE_USER = 'node';

export function devcontainerFile(config: Config, ctx: GenerateContext): GeneratedFile {
  const layout = layoutOf(config);
  const dashboard = `${SIDECAR_SERVICE}:${config.sidecar.port}`;
  const { forwardPorts, extensions } = config.workspace;
  // Run by whichever door opens the workspace (the Dev Containers CLI behind `llmdev up` too).
  const hooks = Object.fromEntries(
    CONTAINER_HOOKS.flatMap((hook) => {
      const command = config.workspace[hook];
      return command === undefined ? [] : [[hook, command]];
    }),
  );
  const devcontainer = {
    name: config.project.name,
    dockerComposeFile: ['compose.yaml'],
    service: WORKSPACE_SERVICE,
    runServices: [WORKSPACE_SERVICE, SIDECAR_SERVICE],
    workspaceFolder: workspaceFolder(config),
    shutdownAction: 'stopCompose',
    // Prepares secrets and .devcontainer/.env on the host before Compose runs; it runs where
    // Codespaces secrets are visible as environment variables. (`\${...}`: a devcontainer.json variable.)
    initializeCommand: ['sh', `\${localWorkspaceFolder}/${layout.initialize}`],
    remoteUser: REMOTE_USER,
    forwardPorts: [dashboard, ...forwardPorts],
    portsAttributes: { [dashboard]: { label: 'llmdev dashboard and API', onAutoForward: 'silent' } },
    ...hooks,
    customizations: { vscode: { extensions, ...vscodeSettings(config) } },
    // Codespaces offers to set these; initialize.sh turns them into .secrets/ files for the sidecar.
    secrets: Object.fromEntries(
      providerSecrets(config).map(({ provider, env, secret, direct }) => [
        env,
        {
          description: `${KEY_PAGES[provider].label} API key, stored as .secrets/${secret}. ${direct ? 'The workspace and the sidecar see it (route: direct)' : 'Only the usage-logger sidecar sees it'}; leave it unset to use the built-in mock provider.`,
          documentationUrl: KEY_PAGES[provider].url,
        },
      ]),
    ),
  };
  return wholeFile(layout.devcontainerJson, '//', `${JSON.stringify(devcontainer, null, 2)}\n`, ctx);
}

/** A Python workspace's interpreter is the project's .venv (the image puts it first on PATH too). */
function vscodeSettings(config: Config) {
  if (config.workspace.python === undefined) return {};
  return { settings: { 'python.defaultInterpreterPath': `${workspaceFolder(config)}/.venv/bin/python` } };
}
