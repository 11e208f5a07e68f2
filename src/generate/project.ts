/**
 * Generating a project's files on disk: load its config (the file alone, no machine-local
 * overrides: the output must be the same on every clone), build the context, plan, write.
 */
import { readFile, realpath } from 'node:fs/promises';
import { join } from 'node:path';
import { CONFIG_FILE, loadConfig } from '../config/load.js';
import type { Config } from '../config/schema.js';
import { LLMDEV_VERSION, PACKAGE_ROOT } from '../meta/index.js';
import { resolveLlmdevRoot } from './context.js';
import { generateFiles } from './index.js';
import type { FilePlan } from './plan.js';
import type { GenerateContext } from './types.js';
import { planFiles } from './write.js';

/** `name` from `<dir>/package.json`, if there is one. */
export async function readPackageName(dir: string): Promise<string | undefined> {
  try {
    const { name } = JSON.parse(await readFile(join(dir, 'package.json'), 'utf8')) as { name?: unknown };
    return typeof name === 'string' ? name : undefined;
  } catch {
    return undefined; // no package.json, or not one we can read: not a Node project
  }
}

/**
 * Where the running llmdev is, seen from the project: its own node_modules/llmdev when that leads
 * here, even through a link (pnpm's node_modules/.pnpm store, npm link), so the generated paths
 * stay the ones every clone has.
 */
async function packageRootFor(projectDir: string): Promise<string> {
  const installed = join(projectDir, 'node_modules', 'llmdev');
  const [real, running] = await Promise.all([
    realpath(installed).catch(() => undefined),
    realpath(PACKAGE_ROOT).catch(() => PACKAGE_ROOT),
  ]);
  return real !== undefined && real === running ? installed : PACKAGE_ROOT;
}

export async function generateContext(projectDir: string): Promise<GenerateContext> {
  const llmdevRoot = resolveLlmdevRoot({
    projectDir,
    projectPackageName: await readPackageName(projectDir),
    packageRoot: await packageRootFor(projectDir),
  });
  return { llmdevRoot, version: LLMDEV_VERSION, configFile: CONFIG_FILE };
}

export interface ProjectPlan {
  config: Config;
  context: GenerateContext;
  plans: FilePlan[];
}

/** What `llmdev generate` would write in the project at `dir` (absolute). */
export async function planProject(dir: string, config?: Config): Promise<ProjectPlan> {
  const loaded = config ?? (await loadConfig({ dir, overrides: false })).config;
  const context = await generateContext(dir);
  return { config: loaded, context, plans: await planFiles(dir, generateFiles(loaded, context)) };
}
