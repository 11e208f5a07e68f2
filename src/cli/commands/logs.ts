/** `llmdev logs [service] [-f] [--dir D]`: the containers' logs (the sidecar's are JSON lines). */
import { resolve } from 'node:path';
import { Command } from 'commander';

interface LogsFlags {
  dir: string;
  follow?: boolean;
  tail?: string;
}

export function logsCommand(): Command {
  return new Command('logs')
    .description('show the logs of the workspace and the usage-logger, or of one service')
    .argument('[service]', 'workspace or usage-logger (default: both)')
    .option('--dir <dir>', 'project folder (where llmdev.config.yaml is)', '.')
    .option('-f, --follow', 'keep following new lines')
    .option('--tail <lines>', 'only the last N lines of each service')
    .action(async (service: string | undefined, flags: LogsFlags) => {
      const { connectComposeProject, runCompose } = await import('../../docker/compose.js');
      const project = await connectComposeProject(resolve(flags.dir));
      await runCompose(
        project,
        [
          'logs',
          ...(flags.follow ? ['--follow'] : []),
          ...(flags.tail === undefined ? [] : ['--tail', flags.tail]),
          ...(service === undefined ? [] : [service]),
        ],
        { output: 'inherit' },
      );
    });
}
