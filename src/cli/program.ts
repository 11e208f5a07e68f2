/** The `llmdev` command tree. Each command lives in its own file under commands/ and stays thin. */
import { Command } from 'commander';
import { LLMDEV_VERSION } from '../meta/index.js';

export function buildProgram(): Command {
  const program = new Command('llmdev')
    .description(
      'A dev container for LLM work: keys as files, every call logged with tokens and cost, budgets.',
    )
    .version(LLMDEV_VERSION, '-v, --version')
    .showHelpAfterError('(run with --help for usage)')
    .configureOutput({ writeOut: (s) => process.stdout.write(s), writeErr: (s) => process.stderr.write(s) });
  return program;
}
