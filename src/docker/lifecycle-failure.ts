/**
 * What a failed `devcontainer up` says, turned into a LifecycleError: which lifecycle command
 * failed, its exit code, the last lines it printed, and how to rerun it. Pure: it reads the CLI's
 * result (its last stdout line, JSON) and its log (stderr, text with ANSI colours).
 */
import { CONTAINER_HOOKS, type ContainerHook } from '../config/schema.js';
import { LifecycleError, ToolError } from '../errors/index.js';
import { redact } from '../redact/index.js';

export interface CliOutcome {
  outcome: 'success' | 'error';
  message?: string;
  description?: string;
}

const LAST_LINES = 12;
// "postCreateCommand from devcontainer.json failed with exit code 3. Skipping any further ..."
// (with "<name> of " before it for a command in object form, which runs in parallel).
const HOOK_FAILED = /(?:(\S+) of )?(\w+Command) from .+? failed with exit code (\d+)/;
// biome-ignore lint/suspicious/noControlCharactersInRegex: ANSI escapes are what gets removed
const ANSI = /\u001b\[[0-9;?]*[A-Za-z]/g;
// The CLI's timestamp before each chunk it logs: "[2026-12-03T10:39:02.443Z] ".
const TIMESTAMP = /^\[\d{4}-\d\d-\d\dT[\d:.]+Z\] /;

/** The last stdout line of `devcontainer up`, or undefined when it is not the CLI's JSON result. */
export function parseOutcome(stdout: string): CliOutcome | undefined {
  const last = stdout.trim().split('\n').at(-1) ?? '';
  try {
    const parsed = JSON.parse(last) as CliOutcome;
    return parsed.outcome === 'success' || parsed.outcome === 'error' ? parsed : undefined;
  } catch {
    return undefined;
  }
}

export interface FailureContext {
  /** The devcontainer.json the CLI read, relative to the project (for the message). */
  devcontainerJson: string;
  /** The command as written in devcontainer.json, if known (for "try it by hand"). */
  commandText: (hook: ContainerHook) => string | undefined;
}

/** The error for a `devcontainer up` that did not succeed. */
export function lifecycleFailure(
  outcome: CliOutcome | undefined,
  log: string,
  context: FailureContext,
): LifecycleError | ToolError {
  const lines = redact(log).replace(ANSI, '').replace(/\r/g, '').split('\n');
  const at = lines.findIndex((line) => HOOK_FAILED.test(line));
  const match = HOOK_FAILED.exec(lines[at] ?? '');
  const hook = match?.[2] as ContainerHook | undefined;
  if (!match || hook === undefined || !CONTAINER_HOOKS.includes(hook)) {
    const why = [outcome?.description, outcome?.message].filter(Boolean).join(': ');
    return new ToolError(`devcontainer up failed${why ? `: ${why}` : ''}`, {
      hint: `See its output above; \`llmdev doctor\` checks the engine, Compose, ports and secrets.`,
    });
  }
  const exitCode = Number(match[3]);
  // The command's own output: what the CLI logged between "Running the <hook> from ..." and the failure.
  const started = lines.findLastIndex((line, i) => i < at && line.includes(`Running the ${hook} from`));
  const lastLines = lines
    .slice(started + 1, at)
    .map((line) => line.replace(TIMESTAMP, ''))
    .filter((line) => line.trim() !== '')
    .slice(-LAST_LINES);
  const named = match[1] ? `${hook} "${match[1]}"` : hook;
  const text = context.commandText(hook);
  const byHand = text === undefined ? '' : ` To try it by hand: llmdev shell -- sh -c ${quote(text)}.`;
  return new LifecycleError(
    `${named} (${context.devcontainerJson}) failed with exit code ${exitCode}${lastLines.length ? `; its last lines:\n${lastLines.map((line) => `  ${line}`).join('\n')}` : ''}`,
    { command: hook, exitCode, lastLines },
    {
      hint: `The sidecar is still running (\`llmdev status\`). Fix the command (${configKeyOf(hook)} in llmdev.config.yaml), then run \`llmdev up\` again: it reruns ${hook} and what follows it.${byHand}`,
    },
  );
}

/** Where a hook's command comes from in llmdev.config.yaml. */
export const configKeyOf = (hook: ContainerHook) => `workspace.${hook}`;

const quote = (text: string) => `'${text.replace(/'/g, `'\\''`)}'`;
