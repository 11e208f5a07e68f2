/**
 * The one choke point for keeping secrets out of output: every log line, error message and stored
 * header goes through here. Known secret values are replaced wherever they appear; strings shaped
 * like provider keys are masked even when we were never told their value.
 */
import { createHash } from 'node:crypto';

/** What every key shape below starts with: text without it (most text) skips their scans. */
export const KEY_PREFIX = 'sk-';

/** Provider-key shapes, for masking and for `llmdev secrets scan`. Each starts with KEY_PREFIX. */
export const KEY_PATTERNS: readonly { name: string; pattern: RegExp }[] = [
  { name: 'Anthropic API key', pattern: /sk-ant-[A-Za-z0-9_-]{20,}/g },
  { name: 'OpenAI project key', pattern: /sk-proj-[A-Za-z0-9_-]{20,}/g },
  { name: 'OpenAI key', pattern: /sk-(?!ant-|proj-)[A-Za-z0-9_-]{20,}/g },
];

/** Headers whose values are credentials, lower-case. */
export const SECRET_HEADERS: ReadonlySet<string> = new Set([
  'authorization',
  'proxy-authorization',
  'x-api-key',
  'api-key',
  'cookie',
  'set-cookie',
]);

const MASK = '[redacted]';

/** Replaces every known secret value and every key-shaped string in `text`. */
export function redact(text: string, knownSecrets: Iterable<string> = []): string {
  let out = text;
  for (const secret of knownSecrets) {
    // Very short values would mask innocent text; real keys and tokens are long. (`includes`
    // first: it allocates nothing when the value is absent, the usual case.)
    if (secret.length >= 8 && out.includes(secret)) out = out.split(secret).join(MASK);
  }
  // Runs on every proxied call's stored body: one scan for the prefix instead of one per pattern.
  if (!out.includes(KEY_PREFIX)) return out;
  for (const { pattern } of KEY_PATTERNS) out = out.replace(pattern, MASK);
  return out;
}

/** A copy of `headers` with credential headers masked, for logs and stored rows. */
export function redactHeaders(
  headers: Record<string, string | string[] | undefined>,
): Record<string, string> {
  const out: Record<string, string> = {};
  for (const [name, value] of Object.entries(headers)) {
    if (value === undefined) continue;
    const joined = Array.isArray(value) ? value.join(', ') : value;
    out[name] = SECRET_HEADERS.has(name.toLowerCase()) ? MASK : redact(joined);
  }
  return out;
}

/** A short, non-reversible fingerprint for telling secrets apart without showing them. */
export function fingerprint(value: string): string {
  if (value.length === 0) return '(empty)';
  return `sha256:${createHash('sha256').update(value).digest('hex').slice(0, 12)} (${value.length} chars)`;
}
