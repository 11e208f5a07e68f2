/**
 * Where client credentials come from, first found wins: the variable itself (`LLMDEV_TOKEN`), a
 * file named by a `*_FILE` variable (`LLMDEV_TOKEN_FILE`), then a Docker/Compose secret file
 * (`/run/secrets/llmdev_token`). Values are trimmed and wrapped in a Secret; an empty file counts as
 * "no value" (the convention for provider keys left unset). What was tried is kept (never a value)
 * so a missing credential's error can say exactly where it looked.
 */
import { isAbsolute, resolve } from 'node:path';
import { SecretError } from '../errors/index.js';
import { Secret } from './secret.js';

export type ReadText = (path: string) => string;

export interface SecretLookup {
  secret: Secret | null;
  /** Where it was looked for, in order, e.g. `LLMDEV_TOKEN_FILE (not set)`. */
  tried: string[];
}

export interface SecretSource {
  /** The variable holding the value itself, e.g. `LLMDEV_TOKEN`. */
  variable: string;
  /** Variables naming a file, in order; `<variable>_FILE` is always the first. */
  fileVariables?: readonly string[];
  /** A file read when no variable is set, e.g. `/run/secrets/llmdev_token`. */
  defaultFile?: string;
}

export interface SecretContext {
  vars: Readonly<Record<string, string>>;
  /** Which variables came from `.env` (for messages). */
  fromDotenv: ReadonlySet<string>;
  cwd: string;
  readText: ReadText;
}

export function lookupSecret(source: SecretSource, ctx: SecretContext): SecretLookup {
  const tried: string[] = [];
  const origin = (name: string) => (ctx.fromDotenv.has(name) ? `${name} in .env` : name);
  const direct = ctx.vars[source.variable];
  if (direct !== undefined && direct.trim() !== '') {
    return { secret: new Secret(direct.trim(), origin(source.variable)), tried };
  }
  tried.push(`${source.variable} (not set)`);
  for (const variable of [`${source.variable}_FILE`, ...(source.fileVariables ?? [])]) {
    const named = ctx.vars[variable];
    if (named === undefined) {
      tried.push(`${variable} (not set)`);
      continue;
    }
    const path = isAbsolute(named) ? named : resolve(ctx.cwd, named);
    const text = readNamedFile(path, variable, origin(variable), ctx);
    if (text !== '') return { secret: new Secret(text, `${origin(variable)} (${path})`), tried };
    tried.push(`${variable} → ${path} (empty)`);
  }
  if (source.defaultFile !== undefined) {
    const text = readOptionalFile(source.defaultFile, ctx.readText);
    if (text) return { secret: new Secret(text, source.defaultFile), tried };
    tried.push(`${source.defaultFile} (${text === null ? 'no such file' : 'empty'})`);
  }
  return { secret: null, tried };
}

/** A file a variable points at must exist: a typo in the path must not pass for "no key". */
function readNamedFile(path: string, variable: string, origin: string, ctx: SecretContext): string {
  try {
    return ctx.readText(path).trim();
  } catch (error) {
    const code = (error as NodeJS.ErrnoException).code;
    const what =
      code === 'ENOENT'
        ? 'which does not exist'
        : code === 'EACCES'
          ? 'which this user cannot read'
          : `(${code})`;
    throw new SecretError(`${origin} names ${path}, ${what}`, {
      hint: `Point ${variable} at the file holding the value (a relative path counts from ${ctx.cwd}), or unset it.`,
      cause: error,
    });
  }
}

/** null: no such file. Other read errors are reported: a secret file we may not read is a setup bug. */
function readOptionalFile(path: string, readText: ReadText): string | null {
  try {
    return readText(path).trim();
  } catch (error) {
    const code = (error as NodeJS.ErrnoException).code;
    if (code === 'ENOENT' || code === 'ENOTDIR') return null;
    throw new SecretError(`cannot read ${path} (${code})`, {
      hint: 'Secret files must be readable by the user running this code (in the workspace: node, uid 1000).',
      cause: error,
    });
  }
}
