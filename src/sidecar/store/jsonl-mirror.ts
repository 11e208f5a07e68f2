/**
 * Optional JSONL mirror (`sidecar.jsonlMirror`): each committed record is appended to
 * `logs/llm_requests_YYYY-MM-DD.jsonl` (UTC day of the record) in the data dir, for tools that
 * read plain files. The database stays the source of truth; appends are serialized and async.
 */
import { appendFile, mkdir } from 'node:fs/promises';
import { join } from 'node:path';
import type { UsageRecord } from '../../usage/record.js';

function jsonlFileName(ts: string): string {
  return `llm_requests_${ts.slice(0, 10)}.jsonl`;
}

export interface JsonlMirror {
  append(records: readonly UsageRecord[]): void;
  /** Resolves when every append so far is written. */
  drain(): Promise<void>;
}

export function createJsonlMirror(dataDir: string, onError: (error: unknown) => void): JsonlMirror {
  const dir = join(dataDir, 'logs');
  let chain: Promise<void> = mkdir(dir, { recursive: true, mode: 0o700 }).then(() => undefined, onError);
  return {
    append(records) {
      const byFile = new Map<string, string>();
      for (const record of records) {
        const file = jsonlFileName(record.ts);
        byFile.set(file, `${byFile.get(file) ?? ''}${JSON.stringify(record)}\n`);
      }
      chain = chain.then(async () => {
        for (const [file, lines] of byFile) {
          await appendFile(join(dir, file), lines, { mode: 0o600 }).catch(onError);
        }
      });
    },
    drain: () => chain,
  };
}
