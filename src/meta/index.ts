/** Facts about the installed llmdev package: its version and where its files (docker/, ...) are. */
import { readFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';

/** Absolute path of the llmdev package root (the repo, or node_modules/llmdev when installed). */
export const PACKAGE_ROOT = fileURLToPath(new URL('../../', import.meta.url));

export const LLMDEV_VERSION: string = (
  JSON.parse(readFileSync(new URL('../../package.json', import.meta.url), 'utf8')) as { version: string }
).version;
