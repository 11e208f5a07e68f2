/**
 * The canonical form of a request, for the response cache and loop detection: provider and whether
 * it is mocked (a mock answer must not be replayed once a key is configured), endpoint, the headers
 * that change the answer's format (anthropic-version, anthropic-beta), and the body
 * with object keys sorted at every level, so `{"a":1,"b":2}` and `{"b":2,"a":1}` are one request.
 * Auth and `x-llmdev-*` headers are not part of it. Hashed (SHA-256): memory holds digests, never
 * bodies. Computed at most once per call. Bodies over CANONICAL_MAX_BYTES are hashed as sent
 * instead: building and encoding the canonical text of 19 MB held the event loop ~175 ms, and a
 * client stuck in a loop re-sends the same bytes anyway.
 */
import { createHash } from 'node:crypto';
import type { GuardedCall } from '../proxy/guards.js';

/**
 * An unambiguous encoding of a parsed JSON value with object keys sorted. Strings are
 * length-prefixed rather than escaped (`s5:hello`), so a long chat history costs a concatenation,
 * not a second JSON.stringify; every part is self-delimiting, so different values never encode alike.
 */
export function canonicalForm(value: unknown): string {
  switch (typeof value) {
    case 'string':
      return `s${value.length}:${value}`;
    case 'number':
      return `d${value};`;
    case 'boolean':
      return value ? 't' : 'f';
    case 'object': {
      if (value === null) return 'n';
      if (Array.isArray(value)) {
        let out = '[';
        for (const item of value) out += canonicalForm(item);
        return `${out}]`;
      }
      const object = value as Record<string, unknown>;
      let out = '{';
      for (const key of sortedKeys(object)) {
        const item = object[key];
        if (item !== undefined) out += `s${key.length}:${key}${canonicalForm(item)}`;
      }
      return `${out}}`;
    }
    default:
      return 'n'; // undefined and functions cannot come from JSON; inside arrays JSON makes them null
  }
}

/**
 * Object keys in `Array.prototype.sort` order (UTF-16 code units). Request objects have a handful
 * of keys, and V8's sort allocates working memory on every call: an in-place insertion sort
 * allocates nothing (this runs for every object of every proxied request body).
 */
function sortedKeys(object: Record<string, unknown>): string[] {
  const keys = Object.keys(object);
  if (keys.length > 16) return keys.sort();
  for (let i = 1; i < keys.length; i++) {
    const key = keys[i] as string;
    let j = i - 1;
    for (; j >= 0 && (keys[j] as string) > key; j--) keys[j + 1] = keys[j] as string;
    keys[j + 1] = key;
  }
  return keys;
}

/** Request headers that change what the provider answers (and so belong to the key). */
const KEYED_HEADERS = ['anthropic-version', 'anthropic-beta'] as const;

const keys = new WeakMap<GuardedCall, string>();

export const CANONICAL_MAX_BYTES = 1024 * 1024;

/** SHA-256 (hex) of the canonical request. */
export function requestKey(call: GuardedCall): string {
  let key = keys.get(call);
  if (key === undefined) {
    // One string, one update: the digest of the parts in turn, with fewer calls into the hash.
    let text = `${call.provider}\n${call.mode}\n${call.endpoint}\n`;
    for (const name of KEYED_HEADERS) text += `${String(call.headers[name] ?? '')}\n`;
    const body = call.request.upstreamBody;
    const hash = createHash('sha256');
    if (body.length > CANONICAL_MAX_BYTES) hash.update(`${text}raw\n`).update(body);
    else hash.update(text + canonicalForm(call.json));
    key = hash.digest('hex');
    keys.set(call, key);
  }
  return key;
}
