/**
 * What JSON.parse hides about a body: duplicate keys (it keeps the last; a provider may keep the
 * first, so llmdev would record and budget another model or cap than the one billed) and nesting
 * depth (recursive walks of a 5000-deep body overflow the stack). One pass over the raw bytes of
 * a body JSON.parse already accepted: string contents are skipped with Buffer.indexOf (native),
 * nothing is built but the keys of the object being read. Pure.
 */
export type JsonProblem =
  | { kind: 'depth'; maxDepth: number; path: string }
  | { kind: 'duplicate'; key: string; path: string };

interface Frame {
  object: boolean;
  /** Keys seen so far (objects); a Set once there are many. */
  keys: string[] | Set<string>;
  /** The last key (objects) or the element index (arrays), for the path in a message. */
  at: string | number;
  expectKey: boolean;
}

const QUOTE = 0x22;
const BACKSLASH = 0x5c;
const MANY_KEYS = 16;

/** The first duplicate key or excess depth in `bytes` (valid JSON), or null. */
export function scanJson(bytes: Buffer, maxDepth: number): JsonProblem | null {
  const stack: Frame[] = [];
  const n = bytes.length;
  let i = 0;
  while (i < n) {
    const c = bytes[i] as number;
    if (c === QUOTE) {
      const end = closingQuote(bytes, i);
      if (end === -1) return null; // not JSON after all: JSON.parse has the say
      const top = stack.at(-1);
      if (top?.object && top.expectKey) {
        const key = keyText(bytes, i, end);
        if (hasKey(top, key)) return { kind: 'duplicate', key, path: pathOf(stack) };
        top.at = key;
        top.expectKey = false;
      }
      i = end + 1;
      continue;
    }
    if (c === 0x7b || c === 0x5b) {
      if (stack.length >= maxDepth) return { kind: 'depth', maxDepth, path: pathOf(stack) };
      stack.push({ object: c === 0x7b, keys: [], at: 0, expectKey: c === 0x7b });
    } else if (c === 0x7d || c === 0x5d) {
      stack.pop();
    } else if (c === 0x2c) {
      const top = stack.at(-1);
      if (top?.object) top.expectKey = true;
      else if (top) top.at = (top.at as number) + 1;
    }
    i++;
  }
  return null;
}

/** Index of the quote closing the string opened at `start` (one not escaped), or -1. */
function closingQuote(bytes: Buffer, start: number): number {
  let end = bytes.indexOf(QUOTE, start + 1);
  while (end !== -1) {
    let slashes = 0;
    while (bytes[end - 1 - slashes] === BACKSLASH) slashes++;
    if (slashes % 2 === 0) return end;
    end = bytes.indexOf(QUOTE, end + 1);
  }
  return -1;
}

/** A key as JSON.parse reads it (`"mod\u0065l"` is `model`). */
function keyText(bytes: Buffer, start: number, end: number): string {
  const raw = bytes.toString('utf8', start + 1, end);
  return raw.includes('\\') ? (JSON.parse(`"${raw}"`) as string) : raw;
}

function hasKey(frame: Frame, key: string): boolean {
  const { keys } = frame;
  if (keys instanceof Set) {
    if (keys.has(key)) return true;
    keys.add(key);
    return false;
  }
  if (keys.includes(key)) return true;
  keys.push(key);
  if (keys.length > MANY_KEYS) frame.keys = new Set(keys);
  return false;
}

/** `messages[0].content` for the frames open (the innermost one's own key not included). */
function pathOf(stack: readonly Frame[]): string {
  let path = '';
  for (const [depth, frame] of stack.entries()) {
    if (depth === stack.length - 1) break;
    path += frame.object ? `${path === '' ? '' : '.'}${frame.at}` : `[${frame.at}]`;
  }
  return path;
}
