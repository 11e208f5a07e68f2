/**
 * The dev container lifecycle, run by the official Dev Containers CLI (`devcontainer up`) rather
 * than by a second implementation of the spec: onCreate, updateContent and postCreate once per
 * container, postStart on every start, postAttach, as remoteUser in workspaceFolder. The CLI keeps
 * its "already ran" markers in the container ($HOME/.devcontainer/.<hook>Marker), so `llmdev up`,
 * `devcontainer up`, VS Code and Codespaces all agree on what already ran. Its log streams to
 * stderr; a failure becomes a LifecycleError (lifecycle-failure.ts).
 */
import { createRequire } from 'node:module';
import { dirname, join } from 'node:path';
import { execa } from 'execa';
import type { Config, ContainerHook } from '../config/schema.js';
import { LifecycleError, ToolError } from '../errors/index.js';
import { REMOTE_USER } from '../generate/devcontainer.js';
import { layoutOf } from '../generate/layout.js';
import { lifecycleFailure, parseOutcome } from './lifecycle-failure.js';

/** The Dev Containers CLI's entry script, from the installed @devcontainers/cli package. */
export function devcontainerCliPath(): string {
  const manifest = createRequire(import.meta.url).resolve('@devcontainers/cli/package.json');
  return join(dirname(manifest), 'devcontainer.js');
}

export interface LifecycleResult {
  containerId: string | undefined;
}

/**
 * `devcontainer up` on the project: it starts the containers it finds (Compose project name as
 * project-name.ts computes it) or creates them, then runs the lifecycle commands that are due.
 */
export async function runLifecycle(
  dir: string,
  config: Config,
  /** The workspace container, looked up after a failure (the CLI's result may not name it). */
  workspaceId: () => Promise<string | undefined>,
): Promise<LifecycleResult> {
  const devcontainerJson = layoutOf(config).devcontainerJson;
  const result = await execa(
    process.execPath,
    [devcontainerCliPath(), 'up', '--workspace-folder', dir, '--config', join(dir, devcontainerJson)],
    {
      cwd: dir,
      reject: false,
      stdin: 'ignore',
      // The log (and the commands' own output) streams to the terminal as it comes, and is kept for
      // the error; stdout is the CLI's one-line JSON result.
      stderr: ['pipe', 'inherit'],
      stdout: 'pipe',
      stripFinalNewline: false,
    },
  );
  if (result.code === 'ENOENT' || (result.cause as NodeJS.ErrnoException | undefined)?.code === 'ENOENT') {
    throw new ToolError('the Dev Containers CLI could not be started', {
      hint: 'Reinstall llmdev (`npm install --save-dev llmdev`): @devcontainers/cli is one of its dependencies.',
    });
  }
  const outcome = parseOutcome(String(result.stdout));
  if (result.exitCode === 0 && outcome?.outcome === 'success') {
    return { containerId: (outcome as { containerId?: string }).containerId };
  }
  const error = lifecycleFailure(outcome, String(result.stderr), {
    devcontainerJson,
    commandText: (hook) => commandOf(config, hook),
  });
  if (error instanceof LifecycleError) {
    const id = (outcome as { containerId?: string } | undefined)?.containerId ?? (await workspaceId());
    if (id !== undefined) await forgetHook(id, error.command as ContainerHook);
  }
  throw error;
}

const commandOf = (config: Config, hook: ContainerHook): string | undefined => config.workspace[hook];

/**
 * The CLI marks a hook as done before running it; removing the mark of the one that failed makes
 * the next `llmdev up` (or `devcontainer up`) run it again, once it is fixed.
 */
async function forgetHook(containerId: string, hook: ContainerHook): Promise<void> {
  if (hook === 'postAttachCommand') return; // it has no mark: it runs on every attach
  await execa(
    'docker',
    ['exec', '-u', REMOTE_USER, containerId, 'sh', '-c', `rm -f "$HOME/.devcontainer/.${hook}Marker"`],
    { reject: false, stdin: 'ignore' },
  );
}
