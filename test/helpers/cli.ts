/**
 * Runs the real `llmdev` CLI in a child process (TypeScript sources through tsx), so tests see
 * exactly what a user sees: stdout, stderr and the exit code.
 */
import { fileURLToPath } from 'node:url';
import { execa, type Options } from 'execa';

const MAIN = fileURLToPath(new URL('../../src/cli/main.ts', import.meta.url));

export interface CliResult {
  exitCode: number;
  stdout: string;
  stderr: string;
}

export async function runCli(args: readonly string[], options: Options = {}): Promise<CliResult> {
  const result = await execa('node', ['--import', 'tsx', MAIN, ...args], {
    reject: false,
    env: { NO_COLOR: '1' },
    ...options,
  });
  return {
    exitCode: result.exitCode ?? 1,
    stdout: String(result.stdout ?? ''),
    stderr: String(result.stderr ?? ''),
  };
}
