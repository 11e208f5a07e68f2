/**
 * `llmdev init`: a starter llmdev.config.yaml suited to the project (an existing one is kept), the
 * generated files and the sidecar token. In an existing project it detects what the project is
 * (project-detect.ts) and never takes the place of a dev container it did not write: that needs
 * --force, or the generated one goes next to it (project.devcontainerDir). Checks for hand-edited
 * files before writing anything. npm scripts and make targets are added only when asked.
 */
import { access, mkdir, readFile, writeFile } from 'node:fs/promises';
import { basename, join } from 'node:path';
import { CONFIG_FILE, parseConfig } from '../config/load.js';
import { starterConfig, suggestProjectName } from '../config/starter.js';
import { FileError, UsageError } from '../errors/index.js';
import { DEFAULT_DEVCONTAINER_DIR, layoutOf } from './layout.js';
import { type FilePlan, planFile } from './plan.js';
import { type ProjectPlan, planProject, readPackageName } from './project.js';
import {
  detectProject,
  type ExistingDevcontainer,
  type ProjectProfile,
  readProjectFacts,
  starterWorkspace,
} from './project-detect.js';
import { addNpmScripts, makefileBlock, type ScriptsChange } from './project-scripts.js';
import { ensureTokenFile } from './token.js';
import { applyPlans, refuseEdited } from './write.js';

/** Where llmdev's dev container goes when the project has one of its own. */
export const ALONGSIDE_DIR = '.devcontainer/llmdev';

export interface InitOptions {
  /** Absolute project directory; created when missing. */
  dir: string;
  force?: boolean;
  /** project.devcontainerDir for a new config (`--devcontainer-dir`). */
  devcontainerDir?: string | undefined;
  /** Add `llmdev:*` scripts to package.json. */
  npmScripts?: boolean;
  /** Add make targets to the Makefile (created when missing). */
  make?: boolean;
  /** Asks for the project name (interactive use); without it the suggestion is taken. */
  askProjectName?: (suggested: string) => Promise<string>;
  /** Asks whether to put llmdev's dev container next to the project's own; without it, init stops. */
  askAlongside?: (existing: ExistingDevcontainer[], alongside: string) => Promise<boolean>;
}

export interface InitResult extends ProjectPlan {
  /** Whether a new llmdev.config.yaml was written (an existing one is kept). */
  configCreated: boolean;
  tokenCreated: boolean;
  /** What the project was detected to be, when the config was created. */
  profile: ProjectProfile | undefined;
  /** The Makefile's llmdev block, when --make. */
  makefile: FilePlan | undefined;
  /** The npm scripts added, when --npm-scripts. */
  scripts: ScriptsChange | undefined;
}

const exists = (path: string) =>
  access(path).then(
    () => true,
    () => false,
  );

export async function initProject(options: InitOptions): Promise<InitResult> {
  const { dir, force = false } = options;
  await mkdir(dir, { recursive: true }).catch((cause: NodeJS.ErrnoException) => {
    throw new FileError(`${dir}: cannot create the project folder (${cause.code})`, { cause });
  });
  const configPath = join(dir, CONFIG_FILE);
  const configCreated = !(await exists(configPath));
  let starter: string | undefined;
  let profile: ProjectProfile | undefined;
  let project: ProjectPlan;
  if (configCreated) {
    profile = detectProject(await readProjectFacts(dir));
    const devcontainerDir = await chooseDevcontainerDir(profile, options);
    const suggested = suggestProjectName(basename(dir), await readPackageName(dir));
    const name = options.askProjectName ? await options.askProjectName(suggested) : suggested;
    starter = starterConfig({
      name,
      ...starterWorkspace(profile),
      devcontainerDir: devcontainerDir === DEFAULT_DEVCONTAINER_DIR ? undefined : devcontainerDir,
    });
    project = await planProject(dir, parseConfig({ text: starter }));
  } else {
    project = await planProject(dir);
    const configured = layoutOf(project.config).dir;
    if (options.devcontainerDir !== undefined && options.devcontainerDir !== configured) {
      throw new UsageError(
        `--devcontainer-dir ${options.devcontainerDir}: ${CONFIG_FILE} already puts the dev container in ${configured}`,
        { hint: `Set project.devcontainerDir in ${CONFIG_FILE}, then run \`llmdev generate\`.` },
      );
    }
  }
  // Everything is decided before anything is written.
  const makefile = options.make ? await planMakefile(dir, project.context.configFile) : undefined;
  const scripts = options.npmScripts ? await planNpmScripts(dir) : undefined;
  const plans = [...project.plans, ...(makefile ? [makefile] : [])];
  refuseEdited(plans, force);
  if (starter !== undefined) await writeFile(configPath, starter, { flag: 'wx' });
  await applyPlans(dir, plans, { force });
  if (scripts && scripts.added.length > 0) await writeFile(join(dir, 'package.json'), scripts.text);
  const tokenCreated = await ensureTokenFile(dir, project.config.sidecar.tokenSecret);
  return { ...project, configCreated, tokenCreated, profile, makefile, scripts };
}

/**
 * .devcontainer unless the project has a dev container of its own: then llmdev's goes next to it
 * when the user says so (flag or prompt), replaces it only with --force, and otherwise init stops
 * before writing anything.
 */
async function chooseDevcontainerDir(profile: ProjectProfile, options: InitOptions): Promise<string> {
  if (options.devcontainerDir !== undefined) return options.devcontainerDir;
  const existing = profile.existingDevcontainer;
  if (existing.length === 0 || options.force) return DEFAULT_DEVCONTAINER_DIR;
  if (options.askAlongside && (await options.askAlongside(existing, ALONGSIDE_DIR))) return ALONGSIDE_DIR;
  throw new FileError(
    `this project already has a dev container, so nothing was written:\n${existing.map((e) => `  ${e.path} ${e.why}`).join('\n')}`,
    {
      hint: `Keep it and put llmdev's next to it: \`llmdev init --devcontainer-dir ${ALONGSIDE_DIR}\` (VS Code then lists both; the Dev Containers CLI takes \`--config ${ALONGSIDE_DIR}/devcontainer.json\`). Or replace it: --force.`,
    },
  );
}

async function planMakefile(dir: string, configFile: string): Promise<FilePlan> {
  const content = await readFile(join(dir, 'Makefile'), 'utf8').catch(() => undefined);
  // The mode only matters for whole files; the Makefile keeps its own.
  return planFile(
    makefileBlock(content, configFile),
    content === undefined ? undefined : { content, mode: 0 },
  );
}

async function planNpmScripts(dir: string): Promise<ScriptsChange> {
  const path = join(dir, 'package.json');
  const text = await readFile(path, 'utf8').catch(() => {
    throw new UsageError(`--npm-scripts: ${path} does not exist, so nothing was written`, {
      hint: 'Run `npm init` first, or use --make for make targets.',
    });
  });
  try {
    return addNpmScripts(text);
  } catch (cause) {
    throw new FileError(`${path}: not valid JSON, so nothing was written`, {
      cause,
      hint: 'Fix package.json, or leave out --npm-scripts.',
    });
  }
}
