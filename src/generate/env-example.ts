/**
 * .env.example: every LLMDEV_* override with this project's current value, commented out. Copy it
 * to .env for machine-local, non-secret overrides.
 */
import { stringify } from 'yaml';
import { envSettings } from '../config/env-overrides.js';
import type { Config } from '../config/schema.js';
import { wholeFile } from './header.js';
import type { GenerateContext, GeneratedFile } from './types.js';

export const ENV_EXAMPLE_FILE = '.env.example';

/** A value as an override takes it: text as is, everything else in YAML flow syntax. */
function overrideText(value: unknown): string {
  if (value === undefined) return '';
  if (typeof value === 'string') return value;
  return stringify(value, { collectionStyle: 'flow', flowCollectionPadding: false, lineWidth: 0 }).trimEnd();
}

function valueAt(config: Config, path: readonly string[]): unknown {
  let value: unknown = config;
  for (const key of path) value = (value as Record<string, unknown> | undefined)?.[key];
  return value;
}

export function envExampleFile(config: Config, ctx: GenerateContext): GeneratedFile {
  const lines = [
    `# Copy to .env for machine-local overrides of ${ctx.configFile}: every setting has a variable,`,
    '# LLMDEV_<SECTION>_<SETTING> (lists and maps in YAML flow syntax). Values below are the current ones.',
    '# .env is read by llmdev commands on this machine (not by `llmdev generate`, whose output must be the',
    '# same everywhere). Never put API keys here: they belong in .secrets/ (llmdev secrets set <name>).',
  ];
  let section: string | undefined;
  for (const [name, setting] of envSettings()) {
    const [top] = setting.path;
    if (top !== section) {
      section = top;
      lines.push('', `# ${top}`);
    }
    lines.push(`# ${name}=${overrideText(valueAt(config, setting.path))}`);
  }
  return wholeFile(ENV_EXAMPLE_FILE, '#', `${lines.join('\n')}\n`, ctx);
}
