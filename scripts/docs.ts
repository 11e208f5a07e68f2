/** `npm run docs`: rewrites README.md's generated config reference from the schema. */
import { readFileSync, writeFileSync } from 'node:fs';
import { mergeBlock } from '../src/generate/block.js';
import { configReferenceBlock, REFERENCE_MARKERS } from '../src/generate/config-reference.js';

const readmePath = new URL('../README.md', import.meta.url);
const readme = readFileSync(readmePath, 'utf8');
const next = mergeBlock(readme, configReferenceBlock(), REFERENCE_MARKERS);
if (next === readme) {
  process.stderr.write('README.md: the config reference is up to date.\n');
} else {
  writeFileSync(readmePath, next);
  process.stderr.write('README.md: rewrote the config reference.\n');
}
