/**
 * Token COUNTING with the tiktoken vocabularies shipped by js-tiktoken (`js-tiktoken/ranks/*`).
 *
 * We only need counts, so instead of js-tiktoken's `Tiktoken` class (o200k: ~1.3 s to build,
 * ~66 MB of heap, ~360 µs per KB of text, plus a decode table we never use) this keeps one map from
 * token bytes to rank and runs the same pre-tokenizer regex and byte-pair merge: ~0.4 s, ~15 MB,
 * ~55 µs per KB, identical counts (checked against js-tiktoken in the tests). Special tokens are
 * counted as ordinary text, like `encode(text, [], [])`.
 *
 * Encodings load on first use, not at start (an idle mock-mode sidecar does not hold them). Counting
 * runs on the event loop, so what one request may spend on it is bounded (`boundedCounter`): past
 * ~25k characters, or ~1k characters of byte-pair merging (the slow part: ~2.5 µs a character for
 * text outside the vocabulary, 18 s for one 19 MB "word"), a text counts as its UTF-8 byte length,
 * an upper bound (every token is at least one byte).
 */
import { createRequire } from 'node:module';

export type EncodingName = 'o200k_base' | 'cl100k_base';

interface Encoding {
  /** Token bytes, as a latin1 string (one char per byte), to rank. */
  ranks: Map<string, number>;
  pattern: RegExp;
  /** Counts of recent long texts: chat history is re-sent on every turn. */
  recent: Map<string, number>;
  recentChars: number;
}

interface RankFile {
  pat_str: string;
  bpe_ranks: string;
}

const require = createRequire(import.meta.url);
const loaded = new Map<EncodingName, Encoding>();

/**
 * Texts at least this long are remembered, up to RECENT_CHARS_MAX characters per encoding: a
 * request seen before (the history of a conversation) then costs map lookups, not tokenizing.
 */
const RECENT_MIN_CHARS = 32;
const RECENT_CHARS_MAX = 2_000_000;

/**
 * The tiktoken encoding for a model id. Claude has no public tokenizer: cl100k_base is used as an
 * approximation (it yields more tokens than o200k_base, closer to Claude's counts).
 */
export function encodingForModel(model: string): EncodingName {
  let id = model.trim().toLowerCase();
  if (id.startsWith('ft:')) id = id.slice(3);
  id = id.slice(id.lastIndexOf('/') + 1);
  if (
    /^gpt-4(?![o.])/.test(id) ||
    /^gpt-3\.?5/.test(id) ||
    id.startsWith('text-embedding-') ||
    id === 'davinci-002' ||
    id === 'babbage-002' ||
    id.includes('claude')
  ) {
    return 'cl100k_base';
  }
  return 'o200k_base'; // gpt-4o, gpt-4.1, gpt-5, o-series, chatgpt-*, and unknown modern models
}

/** Loads (once) the encodings a process will need now rather than on first use (benchmarks). */
export function preloadEncodings(names: readonly EncodingName[] = ['o200k_base', 'cl100k_base']): void {
  for (const name of names) encoding(name);
}

function encoding(name: EncodingName): Encoding {
  let enc = loaded.get(name);
  if (!enc) {
    enc = loadEncoding(name);
    loaded.set(name, enc);
  }
  return enc;
}

function loadEncoding(name: EncodingName): Encoding {
  const path = require.resolve(`js-tiktoken/ranks/${name}`);
  const file = require(path) as RankFile;
  delete require.cache[path]; // the 1-2 MB module is not needed once parsed
  return {
    ranks: parseRanks(file.bpe_ranks),
    pattern: new RegExp(file.pat_str, 'gu'),
    recent: new Map(),
    recentChars: 0,
  };
}

/**
 * Parses lines of `<name> <first rank> <base64 token> <base64 token>…` (consecutive ranks) by
 * scanning, decoding each token into one reused buffer: no per-token arrays or Buffers, which keeps
 * the start-up garbage (and so the process's RSS) small.
 */
function parseRanks(text: string): Map<string, number> {
  const ranks = new Map<string, number>();
  const scratch = Buffer.alloc(1024);
  let lineStart = 0;
  while (lineStart < text.length) {
    let lineEnd = text.indexOf('\n', lineStart);
    if (lineEnd === -1) lineEnd = text.length;
    const nameEnd = text.indexOf(' ', lineStart);
    const offsetEnd = nameEnd === -1 || nameEnd > lineEnd ? -1 : text.indexOf(' ', nameEnd + 1);
    if (offsetEnd !== -1 && offsetEnd < lineEnd) {
      let rank = Number.parseInt(text.slice(nameEnd + 1, offsetEnd), 10);
      let start = offsetEnd + 1;
      while (start < lineEnd) {
        let end = text.indexOf(' ', start);
        if (end === -1 || end > lineEnd) end = lineEnd;
        const token = text.slice(start, end);
        // Real tokens are at most ~130 bytes; a longer one gets its own buffer rather than being cut.
        const bytes = token.length * 0.75 <= scratch.length ? scratch : Buffer.alloc(token.length);
        ranks.set(bytes.toString('latin1', 0, bytes.write(token, 'base64')), rank++);
        start = end + 1;
      }
    }
    lineStart = lineEnd + 1;
  }
  return ranks;
}

export function countTokens(text: string, name: EncodingName): number {
  if (text.length === 0) return 0;
  const enc = encoding(name);
  if (text.length < RECENT_MIN_CHARS) return countUncached(text, enc, UNLIMITED);
  const known = enc.recent.get(text);
  if (known !== undefined) return known;
  const count = countUncached(text, enc, UNLIMITED);
  remember(enc, text, count);
  return count;
}

/** Work one counter may do exactly: characters counted, and characters byte-pair merged. */
export interface CountLimits {
  chars: number;
  mergedChars: number;
}

/** ~2.5 ms each on the development machine (see RELIABILITY.md), whatever the text. */
export const REQUEST_COUNT_LIMITS: Readonly<CountLimits> = { chars: 24_576, mergedChars: 1_024 };
const UNLIMITED: CountLimits = { chars: Number.POSITIVE_INFINITY, mergedChars: Number.POSITIVE_INFINITY };

/**
 * A counter for one request's texts: exact until `limits` are spent, then an upper bound (UTF-8
 * bytes) for what is left, so no request can hold the event loop for long. Texts counted before
 * (a conversation's history) cost nothing.
 */
export function boundedCounter(
  name: EncodingName,
  limits: Readonly<CountLimits> = REQUEST_COUNT_LIMITS,
): (text: string) => number {
  const left: CountLimits = { ...limits };
  return (text) => {
    if (text.length === 0) return 0;
    if (text.length > left.chars) {
      const known = loaded.get(name)?.recent.get(text);
      return known ?? Buffer.byteLength(text, 'utf8');
    }
    const enc = encoding(name);
    const known = text.length < RECENT_MIN_CHARS ? undefined : enc.recent.get(text);
    if (known !== undefined) return known;
    left.chars -= text.length;
    bounded = false;
    const count = countUncached(text, enc, left);
    if (!bounded && text.length >= RECENT_MIN_CHARS) remember(enc, text, count);
    return count;
  };
}

/** Set by countUncached when a piece was bounded rather than counted (such counts are not cached). */
let bounded = false;

function remember(enc: Encoding, text: string, count: number): void {
  if (text.length > RECENT_CHARS_MAX / 4) return;
  enc.recent.set(text, count);
  enc.recentChars += text.length;
  // Map iteration is insertion order: drop the oldest until back under the budget.
  for (const old of enc.recent.keys()) {
    if (enc.recentChars <= RECENT_CHARS_MAX) break;
    enc.recent.delete(old);
    enc.recentChars -= old.length;
  }
}

// biome-ignore lint/suspicious/noControlCharactersInRegex: matching the ASCII range on purpose
const ASCII = /^[\x00-\x7f]*$/;

function countUncached(text: string, enc: Encoding, left: CountLimits): number {
  const ascii = ASCII.test(text);
  const pattern = enc.pattern;
  let total = 0;
  pattern.lastIndex = 0;
  // An exec loop: half the cost of matchAll, which clones the regex and allocates an iterator.
  for (let match = pattern.exec(text); match !== null; match = pattern.exec(text)) {
    const piece = match[0];
    if (piece.length === 0) {
      pattern.lastIndex++; // cannot happen with tiktoken's patterns; never loop forever if it did
      continue;
    }
    // The rank map is keyed by UTF-8 bytes as latin1 chars; ASCII text is its own byte string.
    const bytes = ascii || ASCII.test(piece) ? piece : Buffer.from(piece, 'utf8').toString('latin1');
    if (enc.ranks.has(bytes)) total += 1;
    else if (bytes.length > left.mergedChars) {
      total += bytes.length; // one char per byte: an upper bound
      bounded = true;
    } else {
      left.mergedChars -= bytes.length;
      total += bytePairCount(bytes, enc.ranks);
    }
  }
  return total;
}

/**
 * Number of tokens tiktoken's byte-pair merge yields for one piece: repeatedly merge the adjacent
 * pair whose concatenation has the lowest rank (leftmost on ties). A heap keeps long pieces (a run
 * of thousands of letters) at O(n log n) instead of O(n²).
 */
function bytePairCount(piece: string, ranks: Map<string, number>): number {
  const n = piece.length;
  if (n < 2) return n;
  const next = new Int32Array(n); // start of the following part (n = none)
  const prev = new Int32Array(n); // start of the preceding part (-1 = none)
  const alive = new Uint8Array(n).fill(1);
  for (let i = 0; i < n; i++) {
    next[i] = i + 1;
    prev[i] = i - 1;
  }
  const heap = new MinHeap();
  const stride = n + 1; // heap key = rank * stride + start: lowest rank first, then leftmost
  const pairRank = (start: number): number | undefined => {
    const mid = next[start] as number;
    return mid < n ? ranks.get(piece.slice(start, next[mid])) : undefined;
  };
  for (let i = 0; i < n - 1; i++) {
    const rank = ranks.get(piece.slice(i, i + 2));
    if (rank !== undefined) heap.push(rank * stride + i);
  }
  let parts = n;
  while (heap.size > 0) {
    const key = heap.pop();
    const start = key % stride;
    // Skip entries made stale by an earlier merge around `start`.
    if (!alive[start] || pairRank(start) !== (key - start) / stride) continue;
    const absorbed = next[start] as number;
    alive[absorbed] = 0;
    next[start] = next[absorbed] as number;
    if ((next[start] as number) < n) prev[next[start] as number] = start;
    parts--;
    const after = pairRank(start);
    if (after !== undefined) heap.push(after * stride + start);
    const before = prev[start] as number;
    if (before >= 0) {
      const rank = pairRank(before);
      if (rank !== undefined) heap.push(rank * stride + before);
    }
  }
  return parts;
}

class MinHeap {
  private readonly items: number[] = [];

  get size(): number {
    return this.items.length;
  }

  push(value: number): void {
    const items = this.items;
    let child = items.length;
    items.push(value);
    while (child > 0) {
      const parent = (child - 1) >> 1;
      if ((items[parent] as number) <= value) break;
      items[child] = items[parent] as number;
      child = parent;
    }
    items[child] = value;
  }

  pop(): number {
    const items = this.items;
    const top = items[0] as number;
    const last = items.pop() as number;
    const size = items.length;
    if (size > 0) {
      let at = 0;
      for (;;) {
        let child = 2 * at + 1;
        if (child >= size) break;
        if (child + 1 < size && (items[child + 1] as number) < (items[child] as number)) child++;
        if ((items[child] as number) >= last) break;
        items[at] = items[child] as number;
        at = child;
      }
      items[at] = last;
    }
    return top;
  }
}
