/**
 * Where the generated dev container lives: `.devcontainer/` by default, or a subfolder such as
 * `.devcontainer/llmdev/` next to a dev container the project already has (project.devcontainerDir).
 * Every path that depends on it comes from here; compose.yaml and initialize.sh reach the project
 * root from that folder.
 */
import { posix } from 'node:path';
import type { Config } from '../config/schema.js';

export const DEFAULT_DEVCONTAINER_DIR = '.devcontainer';

export interface DevcontainerLayout {
  /** The folder, relative to the project root: `.devcontainer` or `.devcontainer/<name>`. */
  dir: string;
  devcontainerJson: string;
  compose: string;
  initialize: string;
  /** Read by Compose for interpolation (it sits next to compose.yaml); written by initialize.sh. */
  composeEnv: string;
  /** The extra CA bundle initialize.sh copies next to compose.yaml (empty when there is none). */
  caBundle: string;
  /** The project root seen from the folder: `..` or `../..`. */
  projectRoot: string;
}

export function devcontainerLayout(dir: string = DEFAULT_DEVCONTAINER_DIR): DevcontainerLayout {
  const depth = dir.split('/').length;
  return {
    dir,
    devcontainerJson: posix.join(dir, 'devcontainer.json'),
    compose: posix.join(dir, 'compose.yaml'),
    initialize: posix.join(dir, 'initialize.sh'),
    composeEnv: posix.join(dir, '.env'),
    caBundle: posix.join(dir, '.ca-certs.pem'),
    projectRoot: Array.from({ length: depth }, () => '..').join('/'),
  };
}

export const layoutOf = (config: Config): DevcontainerLayout =>
  devcontainerLayout(config.project.devcontainerDir ?? DEFAULT_DEVCONTAINER_DIR);
