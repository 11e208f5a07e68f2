/**
 * The matching core of `llmdev secrets scan`: finds known secret values (exact bytes) and
 * provider-key-shaped strings (src/redact KEY_PATTERNS) in a byte stream fed chunk by chunk, so a
 * 500 MB image layer is scanned without holding it in memory. Matches that span chunk boundaries
 * are found once. A match carries the secret's name or the pattern's name and a fingerprint of the
 * matched text, never the text itself.
 */
import { fingerprint, KEY_PATTERNS, KEY_PREFIX } from '../../redact/index.js';

export interface SecretNeedle {
  /** Where the value comes from, e.g. the secret file name `openai_api_key`. */
  name: string;
  value: string;
}

export interface ScanRules {
  secrets: readonly SecretNeedle[];
  /** Also report key-shaped strings (sk-..., sk-ant-...) whose value we were not told. */
  patterns: boolean;
}

export interface Match {
  kind: 'secret' | 'pattern';
  /** `value of secret openai_api_key`, or the pattern's name, e.g. `OpenAI project key`. */
  rule: string;
  /** The secret's name, for kind `secret`. */
  secret?: string;
  /** sha256 prefix and length of the matched text (src/redact fingerprint). */
  fingerprint: string;
  /** 1-based line of the match start, when line tracking is on. */
  line?: number;
}

export interface StreamScanner {
  push(chunk: Buffer): void;
  /** Flushes what is held back at the end of the stream. */
  end(): void;
}

/** Values shorter than this would match innocent text (redact uses the same floor). */
export const MIN_SECRET_LENGTH = 8;
/** Shorter key-shaped strings are names, not keys (see plausibleKey). */
export const MIN_KEY_LENGTH = 40;
/** Most bytes held back between chunks: real keys are a few hundred characters at most. */
const MAX_CARRY = 64 * 1024;
const PREFIX = Buffer.from(KEY_PREFIX);
const STICKY = KEY_PATTERNS.map(({ name, pattern }) => ({ name, pattern: new RegExp(pattern.source, 'y') }));

/** Bytes that can be part of a provider key ([A-Za-z0-9_-]); anything else ends a key. */
const KEY_CHAR = new Uint8Array(256);
for (const range of ['AZ', 'az', '09', '__', '--']) {
  for (let c = range.charCodeAt(0); c <= range.charCodeAt(1); c++) KEY_CHAR[c] = 1;
}

interface Compiled {
  name: string;
  bytes: Buffer;
  fingerprint: string;
}

export function compileSecrets(secrets: readonly SecretNeedle[]): Compiled[] {
  const seen = new Set<string>();
  const compiled: Compiled[] = [];
  for (const { name, value } of secrets) {
    if (value.length < MIN_SECRET_LENGTH || seen.has(value)) continue;
    seen.add(value);
    compiled.push({ name, bytes: Buffer.from(value, 'utf8'), fingerprint: fingerprint(value) });
  }
  return compiled;
}

/**
 * A scanner for one stream (a file, a blob, a log). `lines` turns on line numbers (costs a pass
 * over the bytes counting newlines; image layers skip it).
 */
export function createStreamScanner(
  rules: ScanRules,
  options: { lines: boolean; onMatch: (match: Match) => void },
): StreamScanner {
  const secrets = compileSecrets(rules.secrets);
  const longest = Math.max(1, ...secrets.map((s) => s.bytes.length));
  let carry: Buffer = Buffer.alloc(0);
  /**
   * Matches starting before this index of the next window were reported already. Everything from
   * it on is decided in a later window, so matches come out in stream order, each once.
   */
  let reportFrom = 0;
  /** The byte before the window (a key must not continue a longer word), or -1 at the start. */
  let previousByte = -1;
  let linesBefore = 0;

  const scan = (window: Buffer, final: boolean) => {
    const found: { at: number; match: Match }[] = [];
    const secretSpans: [number, number][] = [];
    for (const secret of secrets) {
      for (let at = window.indexOf(secret.bytes); at !== -1; at = window.indexOf(secret.bytes, at + 1)) {
        secretSpans.push([at, at + secret.bytes.length]);
        const match: Match = {
          kind: 'secret',
          rule: `value of secret ${secret.name}`,
          secret: secret.name,
          fingerprint: secret.fingerprint,
        };
        found.push({ at, match });
      }
    }

    // Decided now: what starts before the last `longest - 1` bytes (a secret starting there may
    // be incomplete), before the trailing run of key characters (it may continue, or hold the
    // start of "sk-"), and before a candidate a secret in the next chunk might overlap.
    let undecided = final ? window.length : Math.max(0, window.length - (longest - 1));
    if (!final) {
      let runStart = window.length;
      while (runStart > 0 && KEY_CHAR[window[runStart - 1] as number]) runStart--;
      undecided = Math.min(undecided, runStart);
    }
    if (rules.patterns) {
      for (
        let at = window.indexOf(PREFIX, reportFrom);
        at !== -1 && at < undecided;
        at = window.indexOf(PREFIX, at + 1)
      ) {
        const before = at > 0 ? (window[at - 1] as number) : previousByte;
        if (before !== -1 && KEY_CHAR[before]) continue; // inside a longer word, e.g. "task-..."
        let end = at;
        while (end < window.length && KEY_CHAR[window[end] as number]) end++;
        if (!final && end + longest - 1 > window.length) {
          undecided = at;
          break;
        }
        if (secretSpans.some(([from, to]) => at < to && end > from)) continue; // reported as the secret
        const text = window.toString('latin1', at, end);
        const pattern =
          plausibleKey(text) &&
          STICKY.find(({ pattern: p }) => {
            p.lastIndex = 0;
            return p.test(text);
          });
        if (pattern) {
          found.push({ at, match: { kind: 'pattern', rule: pattern.name, fingerprint: fingerprint(text) } });
        }
        at = end - 1;
      }
    }

    const due = found.filter(({ at }) => at >= reportFrom && at < undecided).sort((a, b) => a.at - b.at);
    let counted = 0;
    let lines = linesBefore;
    for (const { at, match } of due) {
      if (options.lines) {
        lines += countNewlines(window, counted, at);
        counted = at;
        match.line = lines + 1;
      }
      options.onMatch(match);
    }
    if (final) return;

    // Keep the undecided part and the byte before it (capped for absurdly long runs).
    const keepFrom = Math.max(0, window.length - MAX_CARRY, undecided - 1);
    if (options.lines) linesBefore += countNewlines(window, 0, keepFrom);
    if (keepFrom > 0) previousByte = window[keepFrom - 1] as number;
    carry = Buffer.from(window.subarray(keepFrom)); // a copy: the chunk it came from can be freed
    reportFrom = Math.max(0, undecided - keepFrom);
  };

  return {
    push(chunk) {
      if (chunk.length > 0) scan(carry.length === 0 ? chunk : Buffer.concat([carry, chunk]), false);
    },
    end() {
      scan(carry, true);
      carry = Buffer.alloc(0);
    },
  };
}

/**
 * Real keys are long random strings (OpenAI's 51+ characters, Anthropic's 100+); the bare shapes
 * also match names such as OpenSSH's `sk-ecdsa-sha2-nistp256` in every ssh binary.
 */
function plausibleKey(text: string): boolean {
  return text.length >= MIN_KEY_LENGTH && /[0-9]/.test(text.slice(3)) && /[A-Za-z]/.test(text.slice(3));
}

function countNewlines(buffer: Buffer, from: number, to: number): number {
  let count = 0;
  for (let at = buffer.indexOf(10, from); at !== -1 && at < to; at = buffer.indexOf(10, at + 1)) count++;
  return count;
}

/** Scans a whole in-memory text or buffer (tests, small inputs). */
export function scanBuffer(rules: ScanRules, data: Buffer | string, lines = true): Match[] {
  const matches: Match[] = [];
  const scanner = createStreamScanner(rules, { lines, onMatch: (match) => matches.push(match) });
  scanner.push(typeof data === 'string' ? Buffer.from(data) : data);
  scanner.end();
  return matches;
}
