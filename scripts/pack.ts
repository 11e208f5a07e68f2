/**
 * The npm package's lifecycle (package.json `prepack` and `postpack`, run by `npm pack` and
 * `npm publish`, and by npm for a git dependency):
 *   prepack: a clean dist/ (no stale files of deleted sources) without source maps (they point at
 *            src/, which is not shipped), and docker/usage-logger/package-lock.json, the lockfile the
 *            usage-logger image installs its exact dependency versions from: npm never packs the
 *            root package-lock.json, and npm-shrinkwrap.json would also pin every user's own tree.
 *   postpack (`--clean`): removes that copy again; the repository's builds read the root lockfile.
 */
import { copyFileSync, readFileSync, rmSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { execa } from 'execa';

const ROOT = new URL('../', import.meta.url);
const at = (path: string) => new URL(path, ROOT);
const LOCK_COPY = 'docker/usage-logger/package-lock.json';
const DEPENDENCY_FIELDS = ['dependencies', 'optionalDependencies', 'devDependencies'] as const;

type Manifest = Partial<Record<(typeof DEPENDENCY_FIELDS)[number], Record<string, string>>>;

const readJson = <T>(path: string) => JSON.parse(readFileSync(at(path), 'utf8')) as T;

/** `npm ci` in the image refuses a lockfile out of step with package.json: fail here, not there. */
function assertLockInStep(): void {
  const manifest = readJson<Manifest>('package.json');
  const root = readJson<{ packages: Record<string, Manifest> }>('package-lock.json').packages[''] ?? {};
  const stale = DEPENDENCY_FIELDS.filter(
    (field) => JSON.stringify(manifest[field] ?? {}) !== JSON.stringify(root[field] ?? {}),
  );
  if (stale.length > 0) {
    throw new Error(
      `package-lock.json is out of step with package.json (${stale.join(', ')}): run npm install`,
    );
  }
}

if (process.argv.includes('--clean')) {
  rmSync(at(LOCK_COPY), { force: true });
} else {
  assertLockInStep();
  rmSync(at('dist'), { recursive: true, force: true });
  await execa('tsc', ['-p', 'tsconfig.build.json', '--sourceMap', 'false'], {
    cwd: fileURLToPath(ROOT),
    preferLocal: true,
    stdio: 'inherit',
  });
  copyFileSync(at('package-lock.json'), at(LOCK_COPY));
}
