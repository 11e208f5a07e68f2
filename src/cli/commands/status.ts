/** `llmdev status [--json] [--dir D]`: containers, health, ports and live/mock providers. */
import { resolve } from 'node:path';
import { Command } from 'commander';
import { emitJson, say } from '../output.js';

interface StatusFlags {
  dir: string;
  json?: boolean;
}

export function statusCommand(): Command {
  return new Command('status')
    .description('containers, health, published ports and which providers are live or mocked')
    .option('--dir <dir>', 'project folder (where llmdev.config.yaml is)', '.')
    .option('--json', 'machine-readable status on stdout')
    .action(async (flags: StatusFlags) => {
      const { stackStatus, describeStatus } = await import('../../docker/status.js');
      const status = await stackStatus(resolve(flags.dir));
      if (flags.json) emitJson(status);
      else say(describeStatus(status).join('\n'));
    });
}
