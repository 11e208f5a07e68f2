/**
 * `llmdev down [--remove] [--volumes] [--dir D]`: stops the project's containers, as VS Code does
 * when its window closes (devcontainer.json `shutdownAction: stopCompose`): the next `llmdev up`
 * starts the same containers, so postCreateCommand (e.g. `npm ci`) does not run again, only
 * postStartCommand. `--remove` removes containers and network (the next `up` creates them afresh);
 * `--volumes` also deletes the volumes.
 */
import { resolve } from 'node:path';
import { Command } from 'commander';
import { say } from '../output.js';

interface DownFlags {
  dir: string;
  remove?: boolean;
  volumes?: boolean;
}

export function downCommand(): Command {
  return new Command('down')
    .description(
      'stop the containers (kept: the next `up` does not rerun postCreateCommand); --remove or --volumes removes them',
    )
    .option('--dir <dir>', 'project folder (where llmdev.config.yaml is)', '.')
    .option(
      '--remove',
      'remove the containers and network too (the next `up` creates them and reruns postCreateCommand)',
    )
    .option('--volumes', 'remove them and delete the volumes: the usage database and the node_modules volume')
    .action(async (flags: DownFlags) => {
      const { connectComposeProject, runCompose } = await import('../../docker/compose.js');
      const project = await connectComposeProject(resolve(flags.dir));
      const remove = flags.remove === true || flags.volumes === true;
      const args = remove ? ['down', '--remove-orphans', ...(flags.volumes ? ['--volumes'] : [])] : ['stop'];
      await runCompose(project, args, { output: 'progress' });
      say(
        `llmdev: ${project.name} is ${remove ? 'down' : 'stopped'}; ${
          flags.volumes
            ? 'its volumes (usage data included) are deleted'
            : remove
              ? 'usage data is kept (`llmdev down --volumes` deletes it)'
              : '`llmdev up` starts the same containers again (`llmdev down --remove` removes them)'
        }`,
      );
    });
}
