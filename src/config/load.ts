/**
 * Reading llmdev.config.yaml: YAML text, then `.env` and process-environment LLMDEV_* overrides,
 * validated by the one schema. Every problem becomes a ConfigError naming where it is (file and
 * line, or variable), the setting's path, what was expected and what was found.
 */
import { readFile } from 'node:fs/promises';
import { join, resolve } from 'node:path';
import { parse as parseDotenv } from 'dotenv';
import { type Document, isMap, isSeq, LineCounter, parseDocument } from 'yaml';
import type { z } from 'zod';
import { ConfigError, type ConfigIssue } from '../errors/index.js';
import { redact } from '../redact/index.js';
import { type EnvOverride, findEnvOverrides, nearest } from './env-overrides.js';
import { type Config, configSchema } from './schema.js';
import { keysAt } from './schema-walk.js';

export const CONFIG_FILE = 'llmdev.config.yaml';

export interface ConfigText {
  /** Contents of the config file. */
  text: string;
  /** Name used in messages, usually `llmdev.config.yaml`. */
  file?: string;
  /** Contents of the project's `.env`, if there is one. */
  dotenv?: string | undefined;
  /** Process environment; only LLMDEV_* settings are read. */
  env?: Record<string, string | undefined>;
}

const HINT = 'Fix the values above; every setting is described in the llmdev docs: docs/configuration.md.';

/** Validates config text plus overrides. Pure: throws ConfigError, never anything else. */
export function parseConfig({ text, file = CONFIG_FILE, dotenv, env = {} }: ConfigText): Config {
  const lineCounter = new LineCounter();
  const doc = parseDocument(text, { lineCounter, prettyErrors: false, uniqueKeys: true, logLevel: 'error' });
  if (doc.errors.length > 0) {
    const issues = doc.errors.map((error) => {
      const line = lineCounter.linePos(error.pos[0]).line;
      return { source: file, path: '', message: `not valid YAML: ${error.message.split('\n')[0]}`, line };
    });
    throw configError(issues);
  }
  let fromFile: unknown;
  try {
    fromFile = doc.toJS() ?? {};
  } catch (error) {
    // Alias problems show only when values are built: an anchor never set, or an alias bomb.
    throw configError([{ source: file, path: '', message: `not valid YAML: ${(error as Error).message}` }]);
  }
  if (typeof fromFile !== 'object' || Array.isArray(fromFile)) {
    throw configError([{ source: file, path: '', message: 'expected a map of settings at the top level' }]);
  }

  const overrides = [
    ...(dotenv === undefined ? [] : findEnvOverrides(parseDotenv(dotenv), '.env')),
    ...findEnvOverrides(env, 'environment'),
  ];
  const merged = structuredClone(fromFile) as Record<string, unknown>;
  for (const override of overrides) setIn(merged, override.path, override.value);

  const result = configSchema.safeParse(merged);
  if (result.success) return result.data;
  const issues = result.error.issues.flatMap((issue) =>
    describeIssue(issue, { file, merged, overrides, doc, lineCounter }),
  );
  throw configError(issues);
}

export interface LoadedConfig {
  config: Config;
  /** Absolute project directory (where the config file is). */
  dir: string;
  /** Absolute path of the config file. */
  file: string;
}

/**
 * Reads `<dir>/llmdev.config.yaml` (or `file`) and `<dir>/.env`, then validates. With
 * `overrides: false` only the file counts: generated files must be the same on every machine.
 */
export async function loadConfig(options: {
  dir?: string;
  file?: string;
  env?: Record<string, string | undefined>;
  overrides?: boolean;
}): Promise<LoadedConfig> {
  const dir = resolve(options.dir ?? '.');
  const file = resolve(dir, options.file ?? CONFIG_FILE);
  let text: string;
  try {
    text = await readFile(file, 'utf8');
  } catch (cause) {
    throw new ConfigError(
      `${file}: cannot read the config file (${(cause as NodeJS.ErrnoException).code})`,
      [],
      {
        hint: 'Run `llmdev init` in the project folder to create one, or point --dir (or --config) at yours.',
        cause,
      },
    );
  }
  const overrides = options.overrides ?? true;
  const dotenv = overrides ? await readFile(join(dir, '.env'), 'utf8').catch(() => undefined) : undefined;
  const config = parseConfig({
    text,
    file: options.file ?? CONFIG_FILE,
    dotenv,
    env: overrides ? (options.env ?? process.env) : {},
  });
  return { config, dir, file };
}

function configError(found: ConfigIssue[]): ConfigError {
  // A key pasted where a setting NAME goes (`sk-...:` parses as a map key) must not be echoed.
  const issues = found.map((issue) => ({
    ...issue,
    path: redact(issue.path),
    message: redact(issue.message),
  }));
  return new ConfigError(issues.map(formatIssue).join('\n'), issues, { hint: HINT });
}

export function formatIssue(issue: ConfigIssue): string {
  const where = issue.path ? `${issue.source}: ${issue.path}` : issue.source;
  return `${where}: ${issue.message}${issue.line === undefined ? '' : ` (line ${issue.line})`}`;
}

interface IssueContext {
  file: string;
  merged: Record<string, unknown>;
  overrides: EnvOverride[];
  doc: Document;
  lineCounter: LineCounter;
}

function describeIssue(issue: z.core.$ZodIssue, context: IssueContext): ConfigIssue[] {
  if (issue.code === 'unrecognized_keys') {
    const parentSchemaKeys = keysAt(configSchema, issue.path);
    return issue.keys.map((key) => {
      const near = nearest(key, parentSchemaKeys);
      const path = [...issue.path, key];
      return {
        ...where(path, context),
        path: pathString(path),
        message: `unknown setting${near ? `; did you mean "${near}"?` : ''}`,
      };
    });
  }
  const value = getIn(context.merged, issue.path);
  const message =
    issue.code === 'custom'
      ? issue.message
      : issue.code === 'invalid_key'
        ? `${issue.issues[0]?.message ?? 'not a valid key'}, got the key ${describeValue(issue.path.at(-1))}`
        : value === undefined
          ? `missing: ${issue.message}`
          : `${issue.message}, got ${describeValue(value)}`;
  return [{ ...where(issue.path, context), path: pathString(issue.path), message }];
}

function where(
  path: readonly PropertyKey[],
  context: IssueContext,
): { source: string; line?: number | undefined } {
  const override = context.overrides.findLast((candidate) =>
    candidate.path.every((segment, i) => segment === path[i]),
  );
  if (override) return { source: `${override.source} ${override.name}` };
  return { source: context.file, line: lineOf(path, context) };
}

function lineOf(path: readonly PropertyKey[], { doc, lineCounter }: IssueContext): number | undefined {
  // The deepest node that exists: a missing key is reported at its parent.
  for (let depth = path.length; depth >= 0; depth--) {
    const prefix = path.slice(0, depth) as (string | number)[];
    const parent = prefix.length === 0 ? doc.contents : doc.getIn(prefix.slice(0, -1), true);
    const last = prefix.at(-1);
    let node: unknown = prefix.length === 0 ? doc.contents : doc.getIn(prefix, true);
    if (isMap(parent) && last !== undefined) {
      const pair = parent.items.find((item) => (item.key as { value?: unknown } | null)?.value === last);
      node = pair?.key ?? node;
    } else if (isSeq(parent) && typeof last === 'number') {
      node = parent.items[last] ?? node;
    }
    const range = (node as { range?: [number, number, number] } | undefined)?.range;
    if (range) return lineCounter.linePos(range[0]).line;
  }
  return undefined;
}

export function pathString(path: readonly PropertyKey[]): string {
  return path
    .map((segment, i) =>
      typeof segment === 'number' ? `[${segment}]` : i === 0 ? String(segment) : `.${String(segment)}`,
    )
    .join('');
}

/** A short description of a bad value for messages; key-shaped strings are masked. */
export function describeValue(value: unknown): string {
  if (value === null) return 'nothing (null)';
  if (Array.isArray(value)) return 'a list';
  if (typeof value === 'object') return 'a map';
  if (typeof value === 'string') {
    const shown = redact(value.length > 60 ? `${value.slice(0, 57)}...` : value);
    return JSON.stringify(shown);
  }
  return String(value);
}

function getIn(root: unknown, path: readonly PropertyKey[]): unknown {
  let current = root;
  for (const segment of path) {
    if (current === null || typeof current !== 'object') return undefined;
    current = (current as Record<PropertyKey, unknown>)[segment];
  }
  return current;
}

function setIn(root: Record<string, unknown>, path: readonly string[], value: unknown): void {
  let current = root;
  for (const segment of path.slice(0, -1)) {
    const next = current[segment];
    if (next === null || typeof next !== 'object' || Array.isArray(next)) current[segment] = {};
    current = current[segment] as Record<string, unknown>;
  }
  const last = path.at(-1);
  if (last !== undefined) current[last] = value;
}
