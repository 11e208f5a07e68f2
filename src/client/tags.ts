/**
 * The `x-llmdev-*` request headers the client sets: tags (`k=v,k2=v2`) and the prompt version
 * (`name@version`). Same grammar as the sidecar's parser: tag keys of letters, digits and
 * `_.:/-` (at most 64), values without commas (at most 256), at most 32 tags.
 */
import { UsageError } from '../errors/index.js';

export type Tags = Readonly<Record<string, string>>;

export const TAGS_HEADER = 'x-llmdev-tags';
export const PROMPT_HEADER = 'x-llmdev-prompt';

const TAG_KEY = /^[A-Za-z0-9_.:/-]{1,64}$/;
const MAX_TAGS = 32;
const MAX_VALUE = 256;
const PROMPT_PART = /^[^@\s]{1,128}$/;

/** Why a tag set cannot be sent, or null when it can. */
export function tagsProblem(tags: Tags): string | null {
  const entries = Object.entries(tags);
  if (entries.length > MAX_TAGS) return `at most ${MAX_TAGS} tags, got ${entries.length}`;
  for (const [key, value] of entries) {
    if (!TAG_KEY.test(key)) {
      return `tag key ${JSON.stringify(key)}: expected 1 to 64 letters, digits or _.:/-`;
    }
    if (typeof value !== 'string' || value.includes(',') || value.length > MAX_VALUE) {
      return `tag ${key}: expected a text value without commas, at most ${MAX_VALUE} characters`;
    }
    if (value.trim() !== value) return `tag ${key}: the value has leading or trailing spaces`;
  }
  return null;
}

/** The header value for tags; throws a UsageError for tags the sidecar would reject. */
export function formatTags(tags: Tags): string {
  const problem = tagsProblem(tags);
  if (problem) throw new UsageError(`llmdev tags: ${problem}`, { hint: TAGS_HINT });
  return Object.entries(tags)
    .map(([key, value]) => `${key}=${value}`)
    .join(',');
}

/** `k=v,k2=v2` → tags, or an error message. */
export function parseTags(text: string): Tags | string {
  const tags: Record<string, string> = {};
  for (const pair of text.split(',')) {
    if (pair.trim() === '') continue;
    const eq = pair.indexOf('=');
    if (eq === -1) return 'expected key=value pairs separated by commas';
    tags[pair.slice(0, eq).trim()] = pair.slice(eq + 1).trim();
  }
  return tagsProblem(tags) ?? tags;
}

export function mergeTags(...sets: readonly (Tags | undefined)[]): Tags {
  return Object.assign({}, ...sets.filter((set) => set !== undefined));
}

/** `name@version`, checked against what the sidecar accepts. */
export function formatPromptId(name: string, version: string): string {
  if (!PROMPT_PART.test(name) || !PROMPT_PART.test(version)) {
    throw new UsageError(`llmdev prompt id ${JSON.stringify(`${name}@${version}`)} is not name@version`, {
      hint: 'Prompt names and versions are 1 to 128 characters without "@" or spaces.',
    });
  }
  return `${name}@${version}`;
}

const TAGS_HINT =
  'Tags are short labels like {feature: "search", run: "2024-06-01"}: keys of letters, digits and _.:/-, values without commas.';
