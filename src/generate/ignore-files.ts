/**
 * Managed blocks in .gitignore and .dockerignore: secrets, local overrides and host-side files
 * initialize.sh writes must never be committed or sent to a Docker build.
 */

import { IGNORE_MARKERS, ignoreBlockStart } from './block.js';
import { COMPOSE_ENV_FILE } from './initialize.js';
import { CA_BUNDLE_FILE, SECRETS_DIR } from './secrets.js';
import type { GenerateContext, GeneratedFile } from './types.js';

const IGNORED = [
  `${SECRETS_DIR}/`,
  '.env',
  COMPOSE_ENV_FILE,
  CA_BUNDLE_FILE,
  // Usage data when the sidecar runs outside a container (`llmdev sidecar --data .llmdev`).
  '.llmdev/',
];

function ignoreBlock(path: string, ctx: GenerateContext): GeneratedFile {
  const lines = [ignoreBlockStart(ctx.configFile), ...IGNORED, IGNORE_MARKERS.end];
  return { path, content: `${lines.join('\n')}\n`, kind: 'block' };
}

export function ignoreFiles(ctx: GenerateContext): GeneratedFile[] {
  return [ignoreBlock('.gitignore', ctx), ignoreBlock('.dockerignore', ctx)];
}
