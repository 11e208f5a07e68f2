/**
 * Writes tiktoken's cache for o200k_base and cl100k_base (Python `tiktoken`, TIKTOKEN_CACHE_DIR)
 * from the vocabularies js-tiktoken ships, the ones the sidecar counts with. Python tiktoken would
 * download them from OpenAI's blob storage on first use; where that host is out of reach (CI here,
 * air-gapped machines) this makes the same files: each is checked against the SHA-256 tiktoken
 * itself expects, so the Python client counts with byte-identical vocabularies.
 *
 * Usage: tsx scripts/tiktoken-cache.ts <dir>   (`make python-deps` writes python/.venv/tiktoken-cache)
 */
import { createHash } from 'node:crypto';
import { mkdirSync, writeFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import { join } from 'node:path';

/** The URLs and hashes of tiktoken_ext/openai_public.py: the cache key is the URL's SHA-1. */
const ENCODINGS = {
  o200k_base: '446a9538cb6c348e3516120d7c08b09f57c36495e2acfffe59a5bf8b0cfb1a2d',
  cl100k_base: '223921b76ee99bde995b7ff738513eef100fb51d18c93597a113bcffe865b2a7',
} as const;
const BLOB_URL = 'https://openaipublic.blob.core.windows.net/encodings';

const require = createRequire(import.meta.url);

/** js-tiktoken's `<name> <first rank> <token> <token>…` lines (consecutive ranks) → `<token> <rank>` lines. */
function tiktokenFile(name: keyof typeof ENCODINGS): string {
  const { bpe_ranks: ranks } = require(`js-tiktoken/ranks/${name}`) as { bpe_ranks: string };
  const lines: string[] = [];
  for (const line of ranks.split('\n')) {
    const [, first, ...tokens] = line.split(' ');
    let rank = Number(first);
    for (const token of tokens) {
      lines[rank] = `${token} ${rank}`;
      rank++;
    }
  }
  return `${lines.join('\n')}\n`;
}

const dir = process.argv[2];
if (!dir) {
  process.stderr.write('usage: tsx scripts/tiktoken-cache.ts <dir>\n');
  process.exit(1);
}
mkdirSync(dir, { recursive: true });
for (const [name, expected] of Object.entries(ENCODINGS) as [keyof typeof ENCODINGS, string][]) {
  const text = tiktokenFile(name);
  const actual = createHash('sha256').update(text).digest('hex');
  if (actual !== expected) {
    process.stderr.write(
      `tiktoken-cache: ${name} from js-tiktoken has sha256 ${actual}, tiktoken expects ${expected}\n`,
    );
    process.exit(1);
  }
  const key = createHash('sha1').update(`${BLOB_URL}/${name}.tiktoken`).digest('hex');
  writeFileSync(join(dir, key), text);
}
process.stderr.write(`tiktoken-cache: o200k_base and cl100k_base in ${dir}\n`);
