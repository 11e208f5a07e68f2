/** `npm run docs`: rewrites the generated config reference in docs/configuration.md from the schema. */
import { readFileSync, writeFileSync } from 'node:fs';
import { mergeBlock } from '../src/generate/block.js';
import { configReferenceBlock, REFERENCE_MARKERS } from '../src/generate/config-reference.js';

const pagePath = new URL('../docs/configuration.md', import.meta.url);
const page = readFileSync(pagePath, 'utf8');
const next = mergeBlock(page, configReferenceBlock(), REFERENCE_MARKERS);
if (next === page) {
  process.stderr.write('docs/configuration.md: the config reference is up to date.\n');
} else {
  writeFileSync(pagePath, next);
  process.stderr.write('docs/configuration.md: rewrote the config reference.\n');
}
