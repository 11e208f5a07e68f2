/**
 * LLMDEV_* environment overrides, derived from the schema so every setting has one: the path
 * `sidecar.hostPort` is LLMDEV_SIDECAR_HOST_PORT. Lists and maps take YAML/JSON flow syntax
 * (LLMDEV_BUDGETS='[{scope: total, limitUsd: 5}]').
 */
import { parse as parseYaml } from 'yaml';
import { ConfigError } from '../errors/index.js';
import { configSchema } from './schema.js';
import { type AnySchema, unwrapDef } from './schema-walk.js';

export const ENV_PREFIX = 'LLMDEV_';

export interface EnvSetting {
  path: string[];
  /** Whether the value is parsed as YAML (numbers, booleans, lists, maps) or kept as text. */
  parsed: boolean;
}

const toEnvSegment = (key: string) => key.replace(/([a-z0-9])([A-Z])/g, '$1_$2').toUpperCase();

function collect(schema: AnySchema, path: string[], into: Map<string, EnvSetting>): void {
  const def = unwrapDef(schema);
  if (def.type === 'object' && def.shape) {
    for (const [key, child] of Object.entries(def.shape)) collect(child, [...path, key], into);
    return;
  }
  const name = ENV_PREFIX + path.map(toEnvSegment).join('_');
  into.set(name, { path, parsed: !['string', 'enum', 'template_literal'].includes(def.type) });
}

let table: Map<string, EnvSetting> | undefined;

/** Every LLMDEV_* variable that maps to a setting. */
export function envSettings(): ReadonlyMap<string, EnvSetting> {
  if (!table) {
    table = new Map();
    collect(configSchema, [], table);
  }
  return table;
}

const SECTIONS = () => Object.keys(configSchema.shape).map((key) => ENV_PREFIX + toEnvSegment(key));

export interface EnvOverride {
  name: string;
  source: string;
  path: string[];
  value: unknown;
}

/**
 * The overrides found in `vars`. Variables under a config section that match no setting are an
 * error (a typo would otherwise be silently ignored); other LLMDEV_* variables (LLMDEV_URL, ...)
 * belong to the client and are left alone.
 */
export function findEnvOverrides(vars: Record<string, string | undefined>, source: string): EnvOverride[] {
  const settings = envSettings();
  const sections = SECTIONS();
  const overrides: EnvOverride[] = [];
  for (const [name, raw] of Object.entries(vars)) {
    if (raw === undefined || !name.startsWith(ENV_PREFIX)) continue;
    const setting = settings.get(name);
    if (!setting) {
      if (sections.some((section) => name === section || name.startsWith(`${section}_`))) {
        const near = nearest(name, [...settings.keys()]);
        throw new ConfigError(
          `${source}: ${name}: no such setting${near ? `; did you mean ${near}?` : ''}`,
          [{ source, path: name, message: 'no such setting' }],
          {
            hint: 'Each setting path maps to one variable, e.g. sidecar.hostPort is LLMDEV_SIDECAR_HOST_PORT.',
          },
        );
      }
      continue;
    }
    overrides.push({ name, source, path: setting.path, value: setting.parsed ? parseValue(raw) : raw });
  }
  return overrides;
}

function parseValue(raw: string): unknown {
  try {
    return parseYaml(raw);
  } catch {
    return raw; // validation then reports the value as the wrong type
  }
}

/**
 * The closest candidate by edit distance, if it is close enough to be a likely typo (within a third
 * of the longer name) or the word is a shortened form of it (`limit` for `limitUsd`).
 */
export function nearest(word: string, candidates: readonly string[]): string | undefined {
  let best: string | undefined;
  let bestScore = Number.POSITIVE_INFINITY;
  const lower = word.toLowerCase();
  for (const candidate of candidates) {
    const other = candidate.toLowerCase();
    const distance = editDistance(lower, other);
    const close = distance <= Math.max(2, Math.floor(Math.max(lower.length, other.length) / 3));
    const shortened = lower.length >= 4 && other.startsWith(lower);
    // A name the word abbreviates beats any merely similar one.
    const score = shortened ? distance - 1000 : distance;
    if ((close || shortened) && score < bestScore) {
      best = candidate;
      bestScore = score;
    }
  }
  return best;
}

function editDistance(a: string, b: string): number {
  let previous = Array.from({ length: b.length + 1 }, (_, i) => i);
  for (let i = 1; i <= a.length; i++) {
    const current = [i];
    for (let j = 1; j <= b.length; j++) {
      const substitution = (previous[j - 1] ?? 0) + (a[i - 1] === b[j - 1] ? 0 : 1);
      current[j] = Math.min((previous[j] ?? 0) + 1, (current[j - 1] ?? 0) + 1, substitution);
    }
    previous = current;
  }
  return previous[b.length] ?? 0;
}
