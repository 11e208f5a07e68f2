/**
 * Runs the command tree and turns failures into one readable message. LlmdevErrors are expected
 * failures (message + hint, exit 1); anything else is a bug and keeps its stack (exit 2).
 */
import { CommanderError } from 'commander';
import { LlmdevError } from '../errors/index.js';
import { buildProgram } from './program.js';

export async function run(argv: readonly string[]): Promise<number> {
  const program = buildProgram().exitOverride();
  try {
    await program.parseAsync(argv, { from: 'user' });
    return 0;
  } catch (error) {
    if (error instanceof CommanderError) return error.exitCode;
    if (error instanceof LlmdevError) {
      process.stderr.write(`error: ${error.message}\n`);
      if (error.hint) process.stderr.write(`hint: ${error.hint}\n`);
      return 1;
    }
    process.stderr.write(
      `llmdev: unexpected error (a bug; please report it)\n${(error as Error)?.stack ?? error}\n`,
    );
    return 2;
  }
}
