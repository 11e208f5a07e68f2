/** `llmdev shell [command...] [--dir D]`: a login shell (or one command) in the workspace, as node. */
import { resolve } from 'node:path';
import { Command } from 'commander';

interface ShellFlags {
  dir: string;
}

export function shellCommand(): Command {
  return new Command('shell')
    .description('open a login shell in the workspace container as node (or run one command there)')
    .argument(
      '[command...]',
      'a command to run instead of an interactive shell, e.g. `llmdev shell -- npm test`',
    )
    .option('--dir <dir>', 'project folder (where llmdev.config.yaml is)', '.')
    .action(async (command: string[], flags: ShellFlags) => {
      const [
        { connectComposeProject, runCompose },
        { loadConfig },
        { WORKSPACE_SERVICE, workspaceFolder },
        { REMOTE_USER },
      ] = await Promise.all([
        import('../../docker/compose.js'),
        import('../../config/load.js'),
        import('../../generate/compose.js'),
        import('../../generate/devcontainer.js'),
      ]);
      const dir = resolve(flags.dir);
      const { config } = await loadConfig({ dir });
      const project = await connectComposeProject(dir);
      const tty = process.stdin.isTTY === true && process.stdout.isTTY === true;
      // A login shell reads /etc/profile.d/llmdev.sh: OPENAI_API_KEY and ANTHROPIC_API_KEY are set.
      // A command keeps its arguments exactly (`exec "$@"`), like `docker exec`.
      const shell =
        command.length === 0 ? ['bash', '-l'] : ['bash', '-lc', 'exec "$@"', 'llmdev-shell', ...command];
      await runCompose(
        project,
        [
          'exec',
          ...(tty ? [] : ['-T']),
          '-u',
          REMOTE_USER,
          '-w',
          workspaceFolder(config),
          WORKSPACE_SERVICE,
          ...shell,
        ],
        { output: 'inherit' },
      );
    });
}
