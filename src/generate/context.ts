/** The GenerateContext of a project: where llmdev's own files (docker/...) are, seen from it. */
import { isAbsolute, relative, sep } from 'node:path';

export interface LlmdevRootInput {
  /** Absolute project directory. */
  projectDir: string;
  /** `name` from the project's package.json, if it has one. */
  projectPackageName: string | undefined;
  /** Absolute root of the running llmdev package. */
  packageRoot: string;
}

/**
 * POSIX path from the project to the llmdev package root: "." in the llmdev repo itself (a clone
 * may live anywhere), else the relative path, e.g. "node_modules/llmdev".
 */
export function resolveLlmdevRoot({ projectDir, projectPackageName, packageRoot }: LlmdevRootInput): string {
  if (projectPackageName === 'llmdev') return '.';
  const path = relative(projectDir, packageRoot);
  if (isAbsolute(path)) return path.split(sep).join('/'); // another drive (Windows): nothing relative
  return path === '' ? '.' : path.split(sep).join('/');
}

/**
 * Whether the root is the same on every clone of the project: the repo itself, or llmdev installed
 * in a node_modules of the project or a parent (workspaces). Anything else (an npx cache, a global
 * install) is specific to this machine.
 */
export function isPortableLlmdevRoot(root: string): boolean {
  return root === '.' || /^(\.\.\/)*node_modules\/llmdev$/.test(root);
}

/** A warning to print when the generated files would point at a machine-specific llmdev. */
export function llmdevRootWarning(root: string): string | undefined {
  if (isPortableLlmdevRoot(root)) return undefined;
  return `llmdev is not installed in this project, so .devcontainer/compose.yaml builds the sidecar from ${root}, which only exists on this machine. Install it (npm i -D llmdev) and run \`llmdev generate\` again.`;
}
