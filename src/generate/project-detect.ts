/**
 * What an existing project is, from the files at its root, and what that means for the starter
 * llmdev.config.yaml: how a new workspace installs its dependencies (package manager from the
 * lockfile or `packageManager`; a Python virtualenv), whether node_modules gets its own volume, and
 * whether a dev container is already there (llmdev must then not take its place). `detectProject`
 * is pure; `readProjectFacts` reads the disk.
 */
import { readdir, readFile } from 'node:fs/promises';
import { join } from 'node:path';
import { parseHeader } from './header.js';
import { devcontainerLayout } from './layout.js';
import { detectPython, isRequirementsFile, type PythonProject } from './python-detect.js';

export interface ProjectFacts {
  /** Names at the project root. */
  entries: ReadonlySet<string>;
  /** package.json, parsed, when it is there and valid JSON. */
  packageJson?: Record<string, unknown> | undefined;
  /** Text of the files detection looks into (yarn.lock, pyproject.toml, requirements files, dev container files), by path. */
  texts: Readonly<Record<string, string>>;
}

export type PackageManager = 'npm' | 'pnpm' | 'yarn' | 'bun';

export interface NodeProject {
  packageManager: PackageManager;
  /** The lockfile it was recognised by, if any. */
  lockfile: string | undefined;
  install: string;
}

export interface ExistingDevcontainer {
  path: string;
  why: string;
}

export interface ProjectProfile {
  node: NodeProject | undefined;
  python: PythonProject | undefined;
  /** Dev container files that are not llmdev's and that llmdev's default layout would replace or shadow. */
  existingDevcontainer: ExistingDevcontainer[];
}

/** The workspace settings a starter config takes from the profile. */
export interface StarterWorkspace {
  postCreateCommand: string | undefined;
  nodeModulesVolume: boolean;
  extensions: string[];
  /** workspace.python: set for a Python project. */
  python: { tools: string[] } | undefined;
}

const DEFAULT = devcontainerLayout();
/** A dev container at the root: Dev Containers prefers .devcontainer/devcontainer.json over it. */
const ROOT_DEVCONTAINER = '.devcontainer.json';
const NPM_LOCKS = ['package-lock.json', 'npm-shrinkwrap.json'];
const LOCKFILES: [string, PackageManager][] = [
  ...NPM_LOCKS.map((lock): [string, PackageManager] => [lock, 'npm']),
  ['pnpm-lock.yaml', 'pnpm'],
  ['yarn.lock', 'yarn'],
  ['bun.lock', 'bun'],
  ['bun.lockb', 'bun'],
];

/** The files whose text detection reads, relative to the project root. */
export const DETECTION_FILES = [
  'yarn.lock',
  'pyproject.toml',
  ROOT_DEVCONTAINER,
  DEFAULT.devcontainerJson,
  DEFAULT.compose,
  DEFAULT.initialize,
  DEFAULT.composeEnv,
];

export async function readProjectFacts(dir: string): Promise<ProjectFacts> {
  const entries = new Set(await readdir(dir).catch(() => []));
  const texts: Record<string, string> = {};
  for (const path of [...DETECTION_FILES, ...[...entries].filter(isRequirementsFile)]) {
    const text = await readFile(join(dir, path), 'utf8').catch(() => undefined);
    if (text !== undefined) texts[path] = text;
  }
  const packageJson = await readFile(join(dir, 'package.json'), 'utf8')
    .then((text) => JSON.parse(text) as unknown)
    .catch(() => undefined);
  const isObject = typeof packageJson === 'object' && packageJson !== null && !Array.isArray(packageJson);
  return { entries, texts, packageJson: isObject ? (packageJson as Record<string, unknown>) : undefined };
}

export function detectProject(facts: ProjectFacts): ProjectProfile {
  return {
    node: detectNode(facts),
    python: detectPython(facts),
    existingDevcontainer: detectDevcontainer(facts),
  };
}

/** `pnpm@9.12.0+sha512...` → pnpm, 9.12.0 (corepack's `packageManager` field). */
function declaredManager(packageJson: Record<string, unknown> | undefined) {
  const match = /^(npm|pnpm|yarn|bun)@(\d[^+\s]*)/.exec(String(packageJson?.packageManager ?? ''));
  return match ? { name: match[1] as PackageManager, version: match[2] as string } : undefined;
}

function detectNode(facts: ProjectFacts): NodeProject | undefined {
  if (!facts.entries.has('package.json')) return undefined;
  const declared = declaredManager(facts.packageJson);
  const found = LOCKFILES.find(
    ([lock, manager]) => facts.entries.has(lock) && (!declared || declared.name === manager),
  );
  const packageManager = declared?.name ?? found?.[1] ?? 'npm';
  const lockfile = found?.[0];
  return {
    packageManager,
    lockfile,
    install: installCommand(packageManager, lockfile, declared?.version, facts),
  };
}

/**
 * Frozen installs where there is a lockfile. The workspace image has Node and npm; other package
 * managers run through npx at the declared (else latest) version, Yarn 2+ through corepack, which
 * is how those projects pin it.
 */
function installCommand(
  manager: PackageManager,
  lockfile: string | undefined,
  version: string | undefined,
  facts: ProjectFacts,
): string {
  const frozen = lockfile !== undefined;
  switch (manager) {
    case 'npm':
      return lockfile && NPM_LOCKS.includes(lockfile) ? 'npm ci' : 'npm install';
    case 'pnpm':
      return `npx --yes pnpm@${version ?? 'latest'} install${frozen ? ' --frozen-lockfile' : ''}`;
    case 'bun':
      return `npx --yes bun@${version ?? 'latest'} install${frozen ? ' --frozen-lockfile' : ''}`;
    case 'yarn': {
      const berry =
        facts.entries.has('.yarnrc.yml') ||
        /^__metadata:/m.test(facts.texts['yarn.lock'] ?? '') ||
        (version !== undefined && !version.startsWith('1.'));
      if (berry) return `corepack yarn install${frozen ? ' --immutable' : ''}`;
      return `npx --yes yarn@1 install${frozen ? ' --frozen-lockfile' : ''}`;
    }
  }
}

function detectDevcontainer(facts: ProjectFacts): ExistingDevcontainer[] {
  const foreign = (path: string) => {
    const text = facts.texts[path];
    return text !== undefined && parseHeader(text) === undefined;
  };
  const found: ExistingDevcontainer[] = [];
  if (facts.texts[ROOT_DEVCONTAINER] !== undefined) {
    found.push({
      path: ROOT_DEVCONTAINER,
      why: `exists (Dev Containers would open ${DEFAULT.devcontainerJson} instead of it)`,
    });
  }
  for (const path of [DEFAULT.devcontainerJson, DEFAULT.compose, DEFAULT.initialize]) {
    if (foreign(path)) found.push({ path, why: 'exists and was not generated by llmdev' });
  }
  // initialize.sh rewrites the .env next to compose.yaml: it is llmdev's only when initialize.sh is.
  const ourInitialize = facts.texts[DEFAULT.initialize] !== undefined && !foreign(DEFAULT.initialize);
  if (facts.texts[DEFAULT.composeEnv] !== undefined && !ourInitialize) {
    found.push({ path: DEFAULT.composeEnv, why: 'exists and was not written by llmdev' });
  }
  return found;
}

export function starterWorkspace(profile: ProjectProfile): StarterWorkspace {
  const commands = [profile.node?.install, profile.python?.install].filter(
    (c): c is string => c !== undefined,
  );
  return {
    postCreateCommand: commands.length > 0 ? commands.join(' && ') : undefined,
    // A Python project has no node_modules to keep apart from the host's; a new one may still get one.
    nodeModulesVolume: profile.node !== undefined || profile.python === undefined,
    extensions: profile.python ? ['ms-python.python'] : [],
    python: profile.python ? { tools: profile.python.tools } : undefined,
  };
}

/** One line per finding, for `llmdev init`'s report. */
export function describeProfile(profile: ProjectProfile): string[] {
  const lines: string[] = [];
  const { node, python } = profile;
  if (node) {
    lines.push(
      `Node.js project (${node.packageManager}${node.lockfile ? `, ${node.lockfile}` : ''}): the workspace runs \`${node.install}\` once created`,
    );
  }
  if (python) {
    lines.push(
      python.install
        ? `Python project (${[python.manifest, ...python.locks].join(', ')}): python3 in the workspace, a .venv from \`${python.install}\``
        : `Python project (${python.manifest}, no installable project in it): python3 in the workspace`,
    );
  }
  if (!node && !python) lines.push('no package.json, pyproject.toml or requirements.txt: nothing to install');
  return lines;
}
