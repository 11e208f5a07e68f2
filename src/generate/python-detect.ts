/**
 * How a new workspace fills a Python project's .venv, from the files at its root: from the lock
 * when there is one (uv.lock through `uv sync --frozen`; requirements files pinned with hashes
 * through `pip install --require-hashes`), else from requirements.txt or an installable
 * pyproject.toml. Pure: the caller reads the files.
 */

export interface PythonProject {
  /** The file its dependencies are declared in. */
  manifest: 'requirements.txt' | 'pyproject.toml';
  /** The lock files the install follows exactly (none: versions are resolved at install time). */
  locks: string[];
  /** Undefined when pyproject.toml declares no installable project (tool settings only). */
  install: string | undefined;
  /** PyPI tools the install needs in the workspace image (workspace.python.tools). */
  tools: string[];
}

export interface PythonFacts {
  entries: ReadonlySet<string>;
  /** Texts of pyproject.toml and the requirements files, by name. */
  texts: Readonly<Record<string, string>>;
}

/** requirements.txt, requirements-dev.txt, requirements.lock.txt, ... at the project root. */
export const isRequirementsFile = (name: string): boolean => /^requirements[\w.-]*\.txt$/.test(name);

/** pip-compile --generate-hashes, uv pip compile --generate-hashes and pip freeze + hashin write these. */
const HASHED = /--hash[=\s]+sha256:[0-9a-f]{64}/;

// The venv first (the workspace image mounts a volume on .venv and puts .venv/bin first on PATH):
// uv then syncs into it instead of replacing the mount point.
const VENV = 'python3 -m venv .venv';
const PIP = '.venv/bin/pip install';

export function detectPython(facts: PythonFacts): PythonProject | undefined {
  const { entries, texts } = facts;
  const manifest = entries.has('requirements.txt')
    ? 'requirements.txt'
    : entries.has('pyproject.toml')
      ? 'pyproject.toml'
      : undefined;
  if (manifest === undefined) return undefined;
  const pyproject = texts['pyproject.toml'] ?? '';
  if (entries.has('pyproject.toml') && entries.has('uv.lock')) {
    return { manifest, locks: ['uv.lock'], install: `${VENV} && uv sync --frozen`, tools: ['uv'] };
  }
  const hashed = [...entries].filter((name) => isRequirementsFile(name) && HASHED.test(texts[name] ?? ''));
  if (hashed.length > 0) {
    const files = hashed.sort().map((name) => `-r ${name}`);
    // The lock pins the dependencies; a buildable project itself goes on top, without resolving again.
    const self = /^\[build-system\]/m.test(pyproject) ? ` && ${PIP} --no-deps -e .` : '';
    const install = `${VENV} && ${PIP} --require-hashes ${files.join(' ')}${self}`;
    return { manifest, locks: hashed, install, tools: [] };
  }
  if (manifest === 'requirements.txt') {
    return { manifest, locks: [], install: `${VENV} && ${PIP} -r requirements.txt`, tools: [] };
  }
  const installable = /^\[(project|build-system|tool\.poetry)\]/m.test(pyproject);
  return { manifest, locks: [], install: installable ? `${VENV} && ${PIP} -e .` : undefined, tools: [] };
}
