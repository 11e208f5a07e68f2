/**
 * CLI output contract: human text goes to stderr, machine-readable results (`--json`, `--csv`,
 * tables meant for pipes) to stdout, so `llmdev status --json | jq` always works.
 */
export function say(message: string): void {
  process.stderr.write(`${message}\n`);
}

export function emit(text: string): void {
  process.stdout.write(text.endsWith('\n') ? text : `${text}\n`);
}

export function emitJson(value: unknown): void {
  emit(JSON.stringify(value, null, 2));
}
