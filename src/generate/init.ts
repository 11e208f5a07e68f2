/**
 * `llmdev init`: a starter llmdev.config.yaml (an existing one is kept), the generated files and
 * the sidecar token. Checks for hand-edited files before writing anything.
 */
import { access, mkdir, writeFile } from 'node:fs/promises';
import { basename, join } from 'node:path';
import { CONFIG_FILE, parseConfig } from '../config/load.js';
import { starterConfig, suggestProjectName } from '../config/starter.js';
import { FileError } from '../errors/index.js';
import { type ProjectPlan, planProject, readPackageName } from './project.js';
import { ensureTokenFile } from './token.js';
import { applyPlans, refuseEdited } from './write.js';

export interface InitOptions {
  /** Absolute project directory; created when missing. */
  dir: string;
  force?: boolean;
  /** Asks for the project name (interactive use); without it the suggestion is taken. */
  askProjectName?: (suggested: string) => Promise<string>;
}

export interface InitResult extends ProjectPlan {
  /** Whether a new llmdev.config.yaml was written (an existing one is kept). */
  configCreated: boolean;
  tokenCreated: boolean;
}

const exists = (path: string) =>
  access(path).then(
    () => true,
    () => false,
  );

export async function initProject({ dir, force = false, askProjectName }: InitOptions): Promise<InitResult> {
  await mkdir(dir, { recursive: true }).catch((cause: NodeJS.ErrnoException) => {
    throw new FileError(`${dir}: cannot create the project folder (${cause.code})`, { cause });
  });
  const configPath = join(dir, CONFIG_FILE);
  const configCreated = !(await exists(configPath));
  let starter: string | undefined;
  let project: ProjectPlan;
  if (configCreated) {
    const suggested = suggestProjectName(basename(dir), await readPackageName(dir));
    const name = askProjectName ? await askProjectName(suggested) : suggested;
    starter = starterConfig({ name, postCreateCommand: await installCommand(dir) });
    project = await planProject(dir, parseConfig({ text: starter }));
  } else {
    project = await planProject(dir);
  }
  refuseEdited(project.plans, force); // before writing anything
  if (starter !== undefined) await writeFile(configPath, starter, { flag: 'wx' });
  await applyPlans(dir, project.plans, { force });
  const tokenCreated = await ensureTokenFile(dir, project.config.sidecar.tokenSecret);
  return { ...project, configCreated, tokenCreated };
}

/** How a new workspace container installs the project's dependencies, if it is a Node project. */
async function installCommand(dir: string): Promise<string | undefined> {
  if (await exists(join(dir, 'package-lock.json'))) return 'npm ci';
  if (await exists(join(dir, 'package.json'))) return 'npm install';
  return undefined;
}
