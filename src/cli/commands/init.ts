/** `llmdev init [--dir D] [--yes] [--force]`: set a project up for llmdev. */
import { resolve } from 'node:path';
import { Command } from 'commander';
import { say } from '../output.js';

interface InitFlags {
  dir: string;
  yes?: boolean;
  force?: boolean;
}

export function initCommand(): Command {
  return new Command('init')
    .description('set a project up: llmdev.config.yaml, .devcontainer/, .secrets/ with the sidecar token')
    .option('--dir <dir>', 'project folder (created when missing)', '.')
    .option('-y, --yes', 'take the suggested project name without asking')
    .option('--force', 'overwrite generated files even when they were changed by hand')
    .action(async (flags: InitFlags) => {
      const [{ initProject }, { describePlans, outOfDate }, { llmdevRootWarning }] = await Promise.all([
        import('../../generate/init.js'),
        import('../../generate/plan.js'),
        import('../../generate/context.js'),
      ]);
      const dir = resolve(flags.dir);
      const interactive = !flags.yes && process.stdin.isTTY === true && process.stderr.isTTY === true;
      const result = await initProject({
        dir,
        force: flags.force ?? false,
        ...(interactive ? { askProjectName } : {}),
      });
      const { config, context, plans } = result;
      const lines = [
        result.configCreated
          ? `llmdev: created llmdev.config.yaml for project "${config.project.name}" in ${dir}`
          : `llmdev: kept the existing llmdev.config.yaml (project "${config.project.name}") in ${dir}`,
        ...describePlans(outOfDate(plans), 'write'),
        result.tokenCreated
          ? '  created: .secrets/ (mode 0700) with the sidecar token (mode 0600)'
          : '  kept: .secrets/ and its sidecar token',
      ];
      say(lines.join('\n'));
      const warning = llmdevRootWarning(context.llmdevRoot);
      if (warning) say(`warning: ${warning}`);
      const { openai, anthropic } = config.providers;
      say(
        [
          '',
          'Next steps:',
          `  1. Optional: give the sidecar real keys (without them it answers with its mock provider):`,
          `       llmdev secrets set ${openai.secret}      (or set ${openai.env} before starting)`,
          `       llmdev secrets set ${anthropic.secret}   (or set ${anthropic.env})`,
          '  2. Start it: `llmdev up`, or "Reopen in Container" in VS Code, or `devcontainer up --workspace-folder .`',
          '  3. Commit llmdev.config.yaml, .devcontainer/, .env.example, .gitignore and .dockerignore;',
          '     in CI, `llmdev generate --check` fails when they drift from the config.',
        ].join('\n'),
      );
    });
}

/** Asks on the terminal; an empty answer takes the suggestion, an invalid one asks again. */
async function askProjectName(suggested: string): Promise<string> {
  const [{ createInterface }, { projectNameProblem }] = await Promise.all([
    import('node:readline/promises'),
    import('../../config/starter.js'),
  ]);
  const terminal = createInterface({ input: process.stdin, output: process.stderr });
  try {
    for (;;) {
      const answer = (await terminal.question(`Project name (${suggested}): `)).trim() || suggested;
      const problem = projectNameProblem(answer);
      if (!problem) return answer;
      say(`  ${problem}`);
    }
  } finally {
    terminal.close();
  }
}
