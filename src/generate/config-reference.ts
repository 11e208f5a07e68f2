/**
 * The configuration reference (docs/configuration.md), generated from the schema (its JSON Schema
 * form): one table per section, under a heading of its own (a link target such as
 * docs/configuration.md#budgets), with each setting's path, type, default, environment variable and
 * description. `npm run docs` writes it; a unit test fails when the page is stale.
 */
import { z } from 'zod';
import { envSettings } from '../config/env-overrides.js';
import { configSchema } from '../config/schema.js';
import type { Markers } from './block.js';

export const REFERENCE_MARKERS: Markers = {
  start: '<!-- generated:config-reference -->',
  end: '<!-- /generated:config-reference -->',
};

interface JsonSchema {
  type?: string;
  enum?: unknown[];
  format?: string;
  description?: string;
  default?: unknown;
  properties?: Record<string, JsonSchema>;
  required?: string[];
  items?: JsonSchema;
  additionalProperties?: JsonSchema | boolean;
}

interface Row {
  path: string;
  type: string;
  default: string;
  env: string;
  description: string;
}

/** Placeholder for the key of a map of settings, by the map's path. */
const MAP_KEYS: Record<string, string> = { 'pricing.overrides': '<model>' };

const code = (text: string) => `\`${text}\``;
const cell = (text: string) => text.replaceAll('|', '\\|').replaceAll('\n', ' ');
/** Outside code spans `<name>` would be read as an HTML tag and vanish. */
const html = (text: string) => text.replaceAll('&', '&amp;').replaceAll('<', '&lt;').replaceAll('>', '&gt;');
const isSettingsMap = (node: JsonSchema) =>
  typeof node.additionalProperties === 'object' && node.additionalProperties.properties !== undefined;

function typeOf(node: JsonSchema): string {
  if (node.enum) return `one of ${node.enum.map((value) => code(String(value))).join(', ')}`;
  if (node.items?.properties || isSettingsMap(node))
    return `${node.type === 'array' ? 'list' : 'map'} (see below)`;
  if (node.type === 'array') return `list of ${node.items ? plural(typeOf(node.items)) : 'values'}`;
  if (node.type === 'object') {
    const values = node.additionalProperties;
    return typeof values === 'object' ? `map of name to ${typeOf(values)}` : 'map';
  }
  if (node.type === 'string' && node.format === 'uri') return 'URL';
  return node.type ?? 'value';
}

const plural = (type: string) => (/^(string|integer|number|boolean)$/.test(type) ? `${type}s` : type);

function defaultOf(node: JsonSchema, required: boolean): string {
  if (node.default !== undefined) {
    return code(typeof node.default === 'string' ? node.default : JSON.stringify(node.default));
  }
  return required ? 'required' : '(unset)';
}

function collect(node: JsonSchema, path: string, required: boolean, env: Map<string, string>, rows: Row[]) {
  const nested = node.type === 'object' && node.properties !== undefined;
  if (!nested) {
    rows.push({
      path: code(path),
      type: typeOf(node),
      default: defaultOf(node, required),
      env: env.has(path) ? code(env.get(path) ?? '') : '',
      description: html(node.description ?? ''),
    });
  }
  if (nested) {
    for (const [key, child] of Object.entries(node.properties ?? {})) {
      collect(child, `${path}.${key}`, node.required?.includes(key) ?? false, env, rows);
    }
  } else if (node.type === 'array' && node.items?.properties) {
    collect(node.items, `${path}[]`, false, env, rows);
  } else if (isSettingsMap(node) && typeof node.additionalProperties === 'object') {
    collect(node.additionalProperties, `${path}.${MAP_KEYS[path] ?? '<name>'}`, false, env, rows);
  }
}

/** A table with padded columns, the way the formatter (biome) lays Markdown tables out. */
function markdownTable(header: string[], rows: string[][]): string[] {
  const widths = header.map((title, i) =>
    Math.max(title.length, 3, ...rows.map((row) => row[i]?.length ?? 0)),
  );
  const line = (cells: string[]) => `| ${cells.map((text, i) => text.padEnd(widths[i] ?? 0)).join(' | ')} |`;
  return [line(header), line(widths.map((width) => '-'.repeat(width))), ...rows.map(line)];
}

/** The reference as Markdown (no markers). */
export function configReference(): string {
  const root = z.toJSONSchema(configSchema, { io: 'input', unrepresentable: 'any' }) as JsonSchema;
  const env = new Map([...envSettings()].map(([name, setting]) => [setting.path.join('.'), name]));
  const out = [
    `Every setting of \`llmdev.config.yaml\`, generated from its schema (\`src/config/schema.ts\`) by \`npm run docs\`.`,
    "Each one can be overridden by its environment variable, set in the environment or in the project's `.env`",
    "(lists and maps in YAML flow syntax, e.g. `LLMDEV_BUDGETS='[{scope: total, limitUsd: 5}]'`).",
    '`llmdev generate` reads the file alone, so generated files are the same on every machine.',
  ];
  for (const [section, node] of Object.entries(root.properties ?? {})) {
    const rows: Row[] = [];
    collect(node, section, root.required?.includes(section) ?? false, env, rows);
    out.push('', `## \`${section}\``, '');
    if (node.description) out.push(html(node.description), '');
    const cells = rows.map((row) => [row.path, row.type, row.default, row.env, row.description].map(cell));
    out.push(...markdownTable(['Setting', 'Type', 'Default', 'Environment', 'Description'], cells));
  }
  return `${out.join('\n')}\n`;
}

/** The reference block, markers included, for mergeBlock. */
export function configReferenceBlock(): string {
  return `${REFERENCE_MARKERS.start}\n${configReference()}${REFERENCE_MARKERS.end}\n`;
}
