/**
 * The one choke point for secrets in stored bytes: every record (every string in it, tags and
 * params included, whoever sent it: a proxied call, an ingest, a guard's refusal), its stored
 * request body and answer text, and every response-cache body pass through here before usage.db,
 * the JSONL mirror, metrics or the dashboard see them. Callers need not (and do not) redact first.
 */
import type { RecordToStore, RecordWriter } from './writer.js';

export type RedactText = (text: string) => string;

/** `value` with every string in it (object keys too) redacted; the same object when nothing changed. */
export function redactStrings<T>(value: T, redact: RedactText, depth = 0): T {
  if (typeof value === 'string') return redact(value) as T;
  if (value === null || typeof value !== 'object' || depth > 16) return value;
  if (Array.isArray(value)) {
    const items = value.map((item) => redactStrings(item, redact, depth + 1));
    return (items.some((item, i) => item !== value[i]) ? items : value) as T;
  }
  let changed = false;
  const out: Record<string, unknown> = {};
  for (const [key, item] of Object.entries(value)) {
    const safeKey = redact(key);
    const safe = redactStrings(item, redact, depth + 1);
    if (safeKey !== key || safe !== item) changed = true;
    out[safeKey] = safe;
  }
  return (changed ? out : value) as T;
}

export function redactEntry(item: RecordToStore, redact: RedactText): RecordToStore {
  return {
    record: redactStrings(item.record, redact),
    requestBody: item.requestBody === undefined ? undefined : redact(item.requestBody),
    responseText: item.responseText === undefined ? undefined : redact(item.responseText),
  };
}

/** Bytes as stored: the same buffer unless its text held a secret. */
export function redactBytes(bytes: Buffer, redact: RedactText): Buffer {
  const text = bytes.toString('utf8');
  const safe = redact(text);
  return safe === text ? bytes : Buffer.from(safe);
}

export function redactingWriter(writer: RecordWriter, redact: RedactText): RecordWriter {
  return {
    write: (items) => writer.write(items.map((item) => redactEntry(item, redact))),
    drain: () => writer.drain(),
    onCommit: (listener) => writer.onCommit(listener),
  };
}
