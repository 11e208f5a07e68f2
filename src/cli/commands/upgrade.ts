/**
 * `llmdev upgrade [--dir D] [--dry-run | --check] [--force]`: after installing another llmdev
 * version, regenerate the project's files and show what changes: a unified diff per file on stdout
 * (`llmdev upgrade --dry-run > upgrade.patch` works), the summary on stderr.
 */
import { resolve } from 'node:path';
import { Command, Option } from 'commander';
import { emit, say } from '../output.js';

interface UpgradeFlags {
  dir: string;
  dryRun?: boolean;
  check?: boolean;
  force?: boolean;
}

export function upgradeCommand(): Command {
  return new Command('upgrade')
    .description(
      'after installing another llmdev version: regenerate the files, showing a diff of each change',
    )
    .option('--dir <dir>', 'project folder (where llmdev.config.yaml is)', '.')
    .addOption(new Option('--dry-run', 'show the diffs; write nothing').conflicts(['check', 'force']))
    .addOption(
      new Option(
        '--check',
        'show the diffs; write nothing; exit 1 when anything would change (CI)',
      ).conflicts('force'),
    )
    .option(
      '--force',
      'also overwrite generated files that were changed by hand (their diff shows what goes)',
    )
    .action(async (flags: UpgradeFlags) => {
      const [
        { planProject },
        { replacedComposeVersion, upgradeReport },
        { describePlans },
        { applyPlans },
        { sidecarImageTag },
        { layoutOf },
        { FileError },
      ] = await Promise.all([
        import('../../generate/project.js'),
        import('../../generate/upgrade.js'),
        import('../../generate/plan.js'),
        import('../../generate/write.js'),
        import('../../generate/compose.js'),
        import('../../generate/layout.js'),
        import('../../errors/index.js'),
      ]);
      const dir = resolve(flags.dir);
      const { plans, context, config } = await planProject(dir);
      const { fromVersions, changes, edited } = upgradeReport(plans);
      const from = fromVersions.length > 0 ? ` (written by llmdev ${fromVersions.join(', ')})` : '';
      if (changes.length === 0) {
        say(`llmdev: all ${plans.length} generated files are up to date with llmdev ${context.version}.`);
        return;
      }
      for (const { plan, patch } of changes) {
        emit(patch || `# ${plan.file.path}: only its file mode changes (executable)`);
      }
      const summary = `llmdev ${context.version} changes ${changes.length} of ${plans.length} generated files${from}:`;
      const changed = describePlans(
        changes.map((change) => change.plan),
        'check',
      );
      if (flags.check) {
        throw new FileError(`${summary}\n${changed.join('\n')}`, {
          hint: 'Run `llmdev upgrade` and commit the result.',
        });
      }
      if (flags.dryRun) {
        const refused = edited.length > 0 ? ['(files changed by hand are only replaced with --force)'] : [];
        say([`llmdev: dry run, nothing written. ${summary}`, ...changed, ...refused].join('\n'));
        return;
      }
      await applyPlans(dir, plans, { force: flags.force ?? false }); // refuses hand-edited files, naming them
      const lines = [
        `llmdev: upgraded ${dir} to llmdev ${context.version}:`,
        ...describePlans(
          changes.map((c) => c.plan),
          'write',
        ),
      ];
      const oldImage = replacedComposeVersion(plans, layoutOf(config).compose);
      if (config.sidecar.image === undefined && oldImage !== undefined && oldImage !== context.version) {
        lines.push(
          '',
          `The next \`llmdev up\`, \`devcontainer up\` or "Rebuild Container" builds ${sidecarImageTag(context.version)};`,
          `the old image can go: docker image rm ${sidecarImageTag(oldImage)}`,
        );
      }
      say(lines.join('\n'));
    });
}
