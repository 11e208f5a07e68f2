/**
 * The three steps after `llmdev init`, as commands to paste: start the dev container, run code in
 * it, see what the calls cost. They name the generated devcontainer.json when it is not the one
 * the Dev Containers CLI finds by itself, and call llmdev the way it is installed.
 */
import type { Config } from '../config/schema.js';
import { isPortableLlmdevRoot } from './context.js';
import { DEFAULT_DEVCONTAINER_DIR, layoutOf } from './layout.js';
import type { GenerateContext } from './types.js';

export interface NextStepsInput {
  config: Config;
  context: GenerateContext;
  /** The project folder as the user named it (`--dir`), for --workspace-folder. */
  workspaceFolder: string;
}

/** The Dev Containers CLI from npm, without a global install. */
export const DEVCONTAINER_CLI = 'npx --yes @devcontainers/cli';

export function nextSteps({ config, context, workspaceFolder }: NextStepsInput): string[] {
  // Installed in the project (or a parent's node_modules): npx finds it. The repository or a global
  // install: the command itself.
  const llmdev =
    context.llmdevRoot !== '.' && isPortableLlmdevRoot(context.llmdevRoot) ? 'npx llmdev' : 'llmdev';
  const layout = layoutOf(config);
  const target = [
    `--workspace-folder ${workspaceFolder}`,
    ...(layout.dir === DEFAULT_DEVCONTAINER_DIR ? [] : [`--config ${layout.devcontainerJson}`]),
  ].join(' ');
  const { openai, anthropic } = config.providers;
  return [
    'Next steps:',
    `  1. Start the dev container: ${DEVCONTAINER_CLI} up ${target}`,
    `     (or "Dev Containers: Reopen in Container" in VS Code, or \`${llmdev} up\`)`,
    `  2. Run your code in it: ${DEVCONTAINER_CLI} exec ${target} <command>`,
    `     The OpenAI and Anthropic SDKs there reach the sidecar with no key; it answers with its mock provider`,
    `     until it has yours: \`${llmdev} secrets set ${openai.secret}\` / \`${anthropic.secret}\` (or export ${openai.env} / ${anthropic.env} first).`,
    `  3. See every call with its tokens and cost: \`${llmdev} usage\`, or the dashboard at http://127.0.0.1:${config.sidecar.hostPort}/`,
    `Commit ${context.configFile}, ${layout.dir}/, .env.example, .gitignore and .dockerignore; \`${llmdev} generate --check\` in CI catches drift.`,
  ];
}
