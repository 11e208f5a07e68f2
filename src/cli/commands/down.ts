/** `llmdev down [--volumes] [--dir D]`: stop and remove the project's containers and network. */
import { resolve } from 'node:path';
import { Command } from 'commander';
import { say } from '../output.js';

interface DownFlags {
  dir: string;
  volumes?: boolean;
}

export function downCommand(): Command {
  return new Command('down')
    .description('stop and remove the containers and network (usage data is kept unless --volumes)')
    .option('--dir <dir>', 'project folder (where llmdev.config.yaml is)', '.')
    .option('--volumes', 'also delete the volumes: the usage database and the node_modules volume')
    .action(async (flags: DownFlags) => {
      const { connectComposeProject, runCompose } = await import('../../docker/compose.js');
      const project = await connectComposeProject(resolve(flags.dir));
      await runCompose(project, ['down', '--remove-orphans', ...(flags.volumes ? ['--volumes'] : [])], {
        output: 'progress',
      });
      say(
        `llmdev: ${project.name} is down${flags.volumes ? '; its volumes (usage data included) are deleted' : '; usage data is kept (`llmdev down --volumes` deletes it)'}`,
      );
    });
}
