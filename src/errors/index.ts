/**
 * Every failure a user can act on is an LlmdevError: a one-line message saying what went wrong and
 * where, and a hint saying how to fix it. The CLI prints both without a stack trace and exits 1.
 * Anything else reaching the top level is a bug and is printed with its stack.
 */
export interface ErrorDetails {
  hint?: string | undefined;
  cause?: unknown;
}

export class LlmdevError extends Error {
  readonly hint: string | undefined;

  constructor(message: string, details: ErrorDetails = {}) {
    super(message, details.cause === undefined ? undefined : { cause: details.cause });
    this.name = new.target.name;
    this.hint = details.hint;
  }
}

/** A config file, environment override or .env entry that does not validate. */
export class ConfigError extends LlmdevError {
  readonly issues: readonly ConfigIssue[];

  constructor(message: string, issues: readonly ConfigIssue[], details: ErrorDetails = {}) {
    super(message, details);
    this.issues = issues;
  }
}

export interface ConfigIssue {
  /** Where the bad value came from: a file name, or an environment variable. */
  source: string;
  /** Dotted path with array indices, e.g. `budgets[0].limitUsd`; empty for the document root. */
  path: string;
  message: string;
  /** 1-based line in `source` when it is a file and the position is known. */
  line?: number | undefined;
}

/** A secret file or value that is missing, unreadable or unsafe to write. */
export class SecretError extends LlmdevError {}

/** The Docker engine, Compose or another external tool is missing or failed. */
export class ToolError extends LlmdevError {}

/** A file on disk that llmdev would overwrite, or cannot read or write. */
export class FileError extends LlmdevError {}

/** The sidecar cannot be reached, or answered with an error. */
export class SidecarError extends LlmdevError {}

/** The team's PostgreSQL (team mode) cannot be reached, refused the login, or lacks the schema. */
export class TeamError extends LlmdevError {}

/** Invalid command-line input: flags, arguments or values. */
export class UsageError extends LlmdevError {}

/** A dev container lifecycle command (onCreate, postCreate, postStart...) that failed in the workspace. */
export class LifecycleError extends LlmdevError {
  readonly command: string;
  readonly exitCode: number | undefined;
  readonly lastLines: readonly string[];

  constructor(
    message: string,
    failure: { command: string; exitCode: number | undefined; lastLines: readonly string[] },
    details: ErrorDetails = {},
  ) {
    super(message, details);
    this.command = failure.command;
    this.exitCode = failure.exitCode;
    this.lastLines = failure.lastLines;
  }
}
