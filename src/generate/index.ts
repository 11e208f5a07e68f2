/** Everything llmdev generates from a validated config: pure, deterministic, newline-terminated. */
import type { Config } from '../config/schema.js';
import { composeFile } from './compose.js';
import { devcontainerFile } from './devcontainer.js';
import { envExampleFile } from './env-example.js';
import { ignoreFiles } from './ignore-files.js';
import { initializeFile } from './initialize.js';
import type { GenerateContext, GeneratedFile } from './types.js';

export type { GenerateContext, GeneratedFile } from './types.js';

export function generateFiles(config: Config, ctx: GenerateContext): GeneratedFile[] {
  return [
    devcontainerFile(config, ctx),
    composeFile(config, ctx),
    initializeFile(config, ctx),
    envExampleFile(config, ctx),
    ...ignoreFiles(config, ctx),
  ];
}
