/**
 * Managed blocks in .gitignore and .dockerignore: secrets, local overrides and host-side files
 * initialize.sh writes must never be committed or sent to a Docker build.
 */
import type { Config } from '../config/schema.js';
import { IGNORE_MARKERS, ignoreBlockStart } from './block.js';
import { layoutOf } from './layout.js';
import { SECRETS_DIR } from './secrets.js';
import type { GenerateContext, GeneratedFile } from './types.js';

function ignored(config: Config): string[] {
  const layout = layoutOf(config);
  return [
    `${SECRETS_DIR}/`,
    '.env',
    layout.composeEnv,
    layout.caBundle,
    // Usage data when the sidecar runs outside a container (`llmdev sidecar --data .llmdev`).
    '.llmdev/',
  ];
}

function ignoreBlock(path: string, config: Config, ctx: GenerateContext): GeneratedFile {
  const lines = [ignoreBlockStart(ctx.configFile), ...ignored(config), IGNORE_MARKERS.end];
  return { path, content: `${lines.join('\n')}\n`, kind: 'block' };
}

export function ignoreFiles(config: Config, ctx: GenerateContext): GeneratedFile[] {
  return [ignoreBlock('.gitignore', config, ctx), ignoreBlock('.dockerignore', config, ctx)];
}
