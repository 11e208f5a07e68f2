/**
 * The canonical form of a request, for the response cache and loop detection: provider and whether
 * it is mocked (a mock answer must not be replayed once a key is configured), endpoint, the headers
 * that change the answer's format (anthropic-version, anthropic-beta), and the body
 * with object keys sorted at every level, so `{"a":1,"b":2}` and `{"b":2,"a":1}` are one request.
 * Auth and `x-llmdev-*` headers are not part of it. Hashed (SHA-256): memory holds digests, never
 * bodies. Computed at most once per call.
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
      for (const key of Object.keys(object).sort()) {
        const item = object[key];
        if (item !== undefined) out += `s${key.length}:${key}${canonicalForm(item)}`;
      }
      return `${out}}`;
    }
    default:
      return 'n'; // undefined and functions cannot come from JSON; inside arrays JSON makes them null
  }
}

/** Request headers that change what the provider answers (and so belong to the key). */
const KEYED_HEADERS = ['anthropic-version', 'anthropic-beta'] as const;

const keys = new WeakMap<GuardedCall, string>();

/** SHA-256 (hex) of the canonical request. */
export function requestKey(call: GuardedCall): string {
  let key = keys.get(call);
  if (key === undefined) {
    const hash = createHash('sha256').update(`${call.provider}\n${call.mode}\n${call.endpoint}\n`);
    for (const name of KEYED_HEADERS) hash.update(`${String(call.headers[name] ?? '')}\n`);
    key = hash.update(canonicalForm(call.json)).digest('hex');
    keys.set(call, key);
  }
  return key;
}
