/** `llmdev generate [--dir D] [--check] [--force]`: rewrite the generated files from llmdev.config.yaml. */
import { resolve } from 'node:path';
import { Command, Option } from 'commander';
import { say } from '../output.js';

interface GenerateFlags {
  dir: string;
  check?: boolean;
  force?: boolean;
}

export function generateCommand(): Command {
  return new Command('generate')
    .description('write .devcontainer/ and the other generated files from llmdev.config.yaml')
    .option('--dir <dir>', 'project folder (where llmdev.config.yaml is)', '.')
    .addOption(
      new Option('--check', 'write nothing; exit 1 naming each file that is out of date (for CI)').conflicts(
        'force',
      ),
    )
    .option('--force', 'overwrite generated files even when they were changed by hand')
    .action(async (flags: GenerateFlags) => {
      const [
        { planProject },
        { describePlans, outOfDate },
        { applyPlans },
        { llmdevRootWarning },
        { FileError },
      ] = await Promise.all([
        import('../../generate/project.js'),
        import('../../generate/plan.js'),
        import('../../generate/write.js'),
        import('../../generate/context.js'),
        import('../../errors/index.js'),
      ]);
      const dir = resolve(flags.dir);
      const { plans, context } = await planProject(dir);
      const warning = llmdevRootWarning(context.llmdevRoot);
      if (warning) say(`warning: ${warning}`);
      const stale = outOfDate(plans);
      if (flags.check) {
        if (stale.length === 0) {
          say(`llmdev: all ${plans.length} generated files are up to date.`);
          return;
        }
        throw new FileError(
          `${stale.length} of ${plans.length} generated files are out of date with llmdev.config.yaml:\n${describePlans(stale, 'check').join('\n')}`,
          { hint: 'Run `llmdev generate` and commit the result.' },
        );
      }
      await applyPlans(dir, plans, { force: flags.force ?? false });
      if (stale.length === 0) say(`llmdev: all ${plans.length} generated files were already up to date.`);
      else say(`llmdev: generated files in ${dir}:\n${describePlans(stale, 'write').join('\n')}`);
    });
}
