/**
 * The commands of README.md's "Use it in your project" section: the first `sh` block between its
 * markers, one command per line, comments dropped. The end-to-end test runs exactly these, so the
 * README cannot drift from what is tested.
 */
import { readFile } from 'node:fs/promises';
import { join } from 'node:path';
import { PACKAGE_ROOT } from '../../../src/meta/index.js';

const SECTION = /<!-- section:use-in-your-project -->([\s\S]*?)<!-- \/section:use-in-your-project -->/;
const SH_BLOCK = /```sh\n([\s\S]*?)```/;

export async function readmeCommands(): Promise<string[]> {
  const readme = await readFile(join(PACKAGE_ROOT, 'README.md'), 'utf8');
  const block = SH_BLOCK.exec(SECTION.exec(readme)?.[1] ?? '')?.[1];
  if (block === undefined) throw new Error('README.md: no sh block in the use-in-your-project section');
  // A comment starts at " #" (none of the commands contains one).
  return block
    .split('\n')
    .map((line) => line.replace(/\s+#.*$/, '').trim())
    .filter(Boolean);
}

/** The one command that names what it runs on: `npm install ... llmdev`. */
export const INSTALL = /^npm install --save-dev llmdev$/;
