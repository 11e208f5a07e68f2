/** The `llmdev` command tree. Each command lives in its own file under commands/ and stays thin. */
import { Command } from 'commander';
import { LLMDEV_VERSION } from '../meta/index.js';
import { budgetCommand } from './commands/budget.js';
import { doctorCommand } from './commands/doctor.js';
import { downCommand } from './commands/down.js';
import { generateCommand } from './commands/generate.js';
import { initCommand } from './commands/init.js';
import { logsCommand } from './commands/logs.js';
import { replayCommand } from './commands/replay.js';
import { secretsCommand } from './commands/secrets.js';
import { shellCommand } from './commands/shell.js';
import { sidecarCommand } from './commands/sidecar.js';
import { statusCommand } from './commands/status.js';
import { teamCommand } from './commands/team.js';
import { upCommand } from './commands/up.js';
import { upgradeCommand } from './commands/upgrade.js';
import { usageCommand } from './commands/usage.js';

export function buildProgram(): Command {
  const program = new Command('llmdev')
    .description(
      'A dev container for LLM work: keys as files, every call logged with tokens and cost, budgets.',
    )
    .version(LLMDEV_VERSION, '-v, --version')
    .showHelpAfterError('(run with --help for usage)')
    .configureOutput({ writeOut: (s) => process.stdout.write(s), writeErr: (s) => process.stderr.write(s) });
  program.addCommand(initCommand());
  program.addCommand(generateCommand());
  program.addCommand(upgradeCommand());
  program.addCommand(sidecarCommand());
  program.addCommand(upCommand());
  program.addCommand(downCommand());
  program.addCommand(statusCommand());
  program.addCommand(logsCommand());
  program.addCommand(shellCommand());
  program.addCommand(doctorCommand());
  program.addCommand(secretsCommand());
  program.addCommand(usageCommand());
  program.addCommand(replayCommand());
  program.addCommand(teamCommand());
  program.addCommand(budgetCommand());
  return program;
}
