/**
 * Versioned prompts: `prompts/NAME.md`, YAML front matter (model, params, version, description...)
 * and a template body. Messages are separated by `{{role "system"}}`-style lines (the dotprompt
 * convention); a body without any is one user message. `{{name}}` inserts a variable.
 *
 * The version is reproducible from the file alone: the front matter's `version` (what people talk
 * about) joined to the first 8 hex digits of the file's SHA-256 (what actually ran), e.g. `3+1a2b3c4d`,
 * or the hash alone when there is no `version`. Editing a prompt without bumping `version` still
 * changes its version, so costs of different texts never share a row in `llmdev usage --by prompt`.
 * The hash covers the whole file (model and params change answers too), with line endings
 * normalized so a Windows checkout gets the same version.
 */
import { createHash } from 'node:crypto';
import { readFile } from 'node:fs/promises';
import { isAbsolute, join, resolve } from 'node:path';
import { parse as parseYaml } from 'yaml';
import { z } from 'zod';
import { ConfigError, FileError, UsageError } from '../errors/index.js';
import { formatPromptId } from './tags.js';

export type Role = 'system' | 'user' | 'assistant';

export interface PromptMessage {
  role: Role;
  content: string;
}

export type Variables = Readonly<Record<string, string | number | boolean>>;

export interface RequestOverrides {
  model?: string;
  /** Anthropic requires max_tokens: used when the prompt's params have none. Default 1024. */
  maxTokens?: number;
}

export interface Prompt {
  name: string;
  /** `<version>+<hash8>` or `<hash8>`. */
  version: string;
  /** `name@version`: what `x-llmdev-prompt` carries. */
  id: string;
  /** SHA-256 of the normalized file, hex. */
  hash: string;
  file: string;
  description: string | undefined;
  model: string | undefined;
  /** Request parameters from the front matter, in the provider's names (temperature, max_tokens...). */
  params: Readonly<Record<string, unknown>>;
  /** Variables the template uses, in order of first use. */
  variables: readonly string[];
  /** The whole front matter, for your own fields. */
  meta: Readonly<Record<string, unknown>>;
  /** The messages with variables filled in; throws naming any variable without a value. */
  render(variables?: Variables): PromptMessage[];
  /** An OpenAI chat.completions body: model, messages and params. */
  openai(
    variables?: Variables,
    overrides?: RequestOverrides,
  ): Record<string, unknown> & {
    model: string;
    messages: PromptMessage[];
  };
  /** An Anthropic messages body: model, max_tokens, system, messages and params. */
  anthropic(
    variables?: Variables,
    overrides?: RequestOverrides,
  ): Record<string, unknown> & {
    model: string;
    max_tokens: number;
    messages: { role: 'user' | 'assistant'; content: string }[];
    system?: string;
  };
}

const frontMatterSchema = z.looseObject({
  name: z.string({ error: 'expected a text name' }).optional(),
  version: z
    .union([z.string(), z.number()], { error: 'expected a version like 3 or "2024-06-01"' })
    .transform(String)
    .pipe(z.string().regex(/^[^@\s+]{1,100}$/, { error: 'expected a version without "@", "+" or spaces' }))
    .optional(),
  description: z.string({ error: 'expected text' }).optional(),
  model: z.string({ error: 'expected a model id' }).min(1).optional(),
  params: z.record(z.string(), z.unknown(), { error: 'expected a map of request parameters' }).default({}),
});

const NAME = /^[A-Za-z0-9][A-Za-z0-9_.-]*(\/[A-Za-z0-9][A-Za-z0-9_.-]*)*$/;
const ROLE_LINE = /^[ \t]*\{\{\s*role\s+"(system|user|assistant)"\s*\}\}[ \t]*$/gm;
const VARIABLE = /\{\{\s*([A-Za-z_][A-Za-z0-9_]*)\s*\}\}/g;
const DEFAULT_MAX_TOKENS = 1024;

/** Reads `<dir>/<name>.md`; dir defaults to LLMDEV_PROMPTS_DIR or `prompts` (from the working directory). */
export async function loadPrompt(name: string, options: { dir?: string } = {}): Promise<Prompt> {
  if (!NAME.test(name)) {
    throw new UsageError(`prompt name ${JSON.stringify(name)} is not a file name under the prompts folder`, {
      hint: 'Use the file name without .md, e.g. loadPrompt("summarize") for prompts/summarize.md.',
    });
  }
  const dir = options.dir ?? process.env.LLMDEV_PROMPTS_DIR ?? 'prompts';
  const file = join(isAbsolute(dir) ? dir : resolve(dir), `${name}.md`);
  let text: string;
  try {
    text = await readFile(file, 'utf8');
  } catch (error) {
    const missing = (error as NodeJS.ErrnoException).code === 'ENOENT';
    throw new FileError(`prompt ${name}: cannot read ${file}${missing ? ' (no such file)' : ''}`, {
      hint: missing
        ? `Create ${file}, or point LLMDEV_PROMPTS_DIR (or the dir option) at the folder holding your prompts.`
        : 'Check the file permissions.',
      cause: error,
    });
  }
  return parsePrompt(text, { name, file });
}

/** Parses a prompt file's text. Pure. */
export function parsePrompt(text: string, { name, file }: { name: string; file: string }): Prompt {
  const normalized = text.replace(/^\uFEFF/, '').replace(/\r\n?/g, '\n');
  const hash = createHash('sha256').update(normalized).digest('hex');
  const { meta, body } = splitFrontMatter(normalized, file);
  const parsed = frontMatterSchema.safeParse(meta);
  if (!parsed.success) {
    const issues = parsed.error.issues.map((issue) => ({
      source: file,
      path: issue.path.join('.'),
      message: issue.message,
    }));
    throw new ConfigError(
      `${file}: invalid front matter: ${issues.map((i) => `${i.path}: ${i.message}`).join('; ')}`,
      issues,
      { hint: 'Front matter is YAML between --- lines: model, params, version, description.' },
    );
  }
  const front = parsed.data;
  const promptName = front.name ?? name;
  const version = front.version === undefined ? hash.slice(0, 8) : `${front.version}+${hash.slice(0, 8)}`;
  const sections = splitRoles(body);
  const variables = [...new Set([...body.matchAll(VARIABLE)].map((match) => match[1] as string))];

  const render = (values: Variables = {}): PromptMessage[] =>
    sections.map(({ role, template }) => ({ role, content: fill(template, values, file) }));

  const modelOf = (overrides: RequestOverrides) => {
    const model = overrides.model ?? front.model;
    if (model === undefined) {
      throw new UsageError(`${file} names no model`, {
        hint: 'Add `model:` to its front matter (it is part of the prompt version), or pass { model }.',
      });
    }
    return model;
  };

  return {
    name: promptName,
    version,
    id: formatPromptId(promptName, version),
    hash,
    file,
    description: front.description,
    model: front.model,
    params: front.params,
    variables,
    meta: front,
    render,
    openai(values, overrides = {}) {
      return { ...front.params, model: modelOf(overrides), messages: render(values) };
    },
    anthropic(values, overrides = {}) {
      const messages = render(values);
      const system = messages
        .filter((message) => message.role === 'system')
        .map((message) => message.content)
        .join('\n\n');
      const maxTokens = front.params.max_tokens ?? overrides.maxTokens ?? DEFAULT_MAX_TOKENS;
      return {
        ...front.params,
        model: modelOf(overrides),
        max_tokens: Number(maxTokens),
        ...(system === '' ? {} : { system }),
        messages: messages
          .filter((message) => message.role !== 'system')
          .map(({ role, content }) => ({ role: role as 'user' | 'assistant', content })),
      };
    },
  };
}

const FRONT_MATTER = /^---\n(?:([\s\S]*?)\n)?---[ \t]*(?:\n|$)/;

function splitFrontMatter(text: string, file: string): { meta: unknown; body: string } {
  if (!text.startsWith('---\n')) return { meta: {}, body: text };
  const match = FRONT_MATTER.exec(text);
  if (!match) {
    throw new ConfigError(`${file}: the front matter has no closing --- line`, [], {
      hint: 'Put the YAML between a first line --- and a closing line ---.',
    });
  }
  let meta: unknown;
  try {
    meta = parseYaml(match[1] ?? '') ?? {};
  } catch (error) {
    const reason = (error as Error).message.split('\n')[0];
    throw new ConfigError(`${file}: the front matter is not valid YAML: ${reason}`, [], {
      hint: 'Front matter is YAML between --- lines.',
      cause: error,
    });
  }
  if (typeof meta !== 'object' || meta === null || Array.isArray(meta)) {
    throw new ConfigError(`${file}: the front matter must be a map of settings`, [], {
      hint: 'e.g. model: gpt-4o-mini',
    });
  }
  return { meta, body: text.slice(match[0].length) };
}

function splitRoles(body: string): { role: Role; template: string }[] {
  const markers = [...body.matchAll(ROLE_LINE)];
  if (markers.length === 0) return [{ role: 'user', template: body.trim() }];
  const sections: { role: Role; template: string }[] = [];
  const before = body.slice(0, markers[0]?.index).trim();
  if (before !== '') sections.push({ role: 'user', template: before });
  markers.forEach((marker, i) => {
    const start = (marker.index ?? 0) + marker[0].length;
    const end = markers[i + 1]?.index ?? body.length;
    sections.push({ role: marker[1] as Role, template: body.slice(start, end).trim() });
  });
  return sections.filter((section) => section.template !== '');
}

function fill(template: string, values: Variables, file: string): string {
  const missing = new Set<string>();
  const text = template.replace(VARIABLE, (whole, name: string) => {
    const value = values[name];
    if (value === undefined) {
      missing.add(name);
      return whole;
    }
    return String(value);
  });
  if (missing.size > 0) {
    const names = [...missing];
    throw new UsageError(`${file}: no value for ${names.map((n) => `{{${n}}}`).join(', ')}`, {
      hint: `Pass it when rendering, e.g. prompt.render({ ${names.map((n) => `${n}: '...'`).join(', ')} }).`,
    });
  }
  return text;
}
