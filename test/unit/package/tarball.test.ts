/**
 * The npm package holds what running llmdev needs and nothing else: the compiled CLI and library
 * (JavaScript and declarations, one pair per source file, so nothing stale), the Dockerfiles with
 * their build contexts, and the lockfile the usage-logger image installs from. Checked on a real
 * `npm pack --dry-run --json` (prepack builds) of a copy of the working tree.
 */
import { readdir, readFile } from 'node:fs/promises';
import { join, sep } from 'node:path';
import { jest } from '@jest/globals';
import { PACKAGE_ROOT } from '../../../src/meta/index.js';
import { compiledFrom, type PackResult, packRepository, SHIPPED_FILES } from '../../helpers/pack.js';

jest.setTimeout(180_000); // a clean TypeScript build of the copy

interface Manifest {
  bin: Record<string, string>;
  main: string;
  types: string;
  exports: Record<string, string | { types: string; default: string }>;
}

let packed: PackResult;
let paths: Set<string>;
const manifest = JSON.parse(await readFile(join(PACKAGE_ROOT, 'package.json'), 'utf8')) as Manifest;

beforeAll(async () => {
  packed = await packRepository();
  paths = new Set(packed.files.map((file) => file.path));
});

afterAll(async () => {
  await packed?.cleanup();
});

/** The copy's TypeScript sources, as `src/...` paths. */
async function sources(): Promise<string[]> {
  const entries = await readdir(join(packed.dir, 'src'), { recursive: true });
  return entries.filter((path) => path.endsWith('.ts')).map((path) => `src/${path.split(sep).join('/')}`);
}

describe('the npm package', () => {
  it('holds exactly the allowlisted files and the compiled sources', async () => {
    const allowed = new Set([...SHIPPED_FILES, ...(await sources()).flatMap(compiledFrom)]);
    expect([...paths].filter((path) => !allowed.has(path))).toEqual([]);
    const optional = new Set(['LICENSE']);
    expect([...allowed].filter((path) => !paths.has(path) && !optional.has(path))).toEqual([]);
  });

  it('ships no tests, sources, source maps, secrets, usage data or benchmarks', () => {
    const forbidden =
      /^(test|src|bench|examples|scripts|prompts|\.secrets|\.llmdev|\.devcontainer)\/|\.map$|\.db$/;
    expect([...paths].filter((path) => forbidden.test(path))).toEqual([]);
  });

  it('pins the image dependencies with a copy of the lockfile, removed again after packing', async () => {
    const lock = packed.files.find((file) => file.path === 'docker/usage-logger/package-lock.json');
    const original = await readFile(join(packed.dir, 'package-lock.json'));
    expect(lock?.size).toBe(original.length);
    await expect(readFile(join(packed.dir, 'docker/usage-logger/package-lock.json'))).rejects.toThrow();
  });

  it('exports the CLI entry and llmdev/client with their types; bin is the CLI', () => {
    const targets = Object.values(manifest.exports).flatMap((target) =>
      typeof target === 'string' ? [target] : [target.types, target.default],
    );
    for (const target of [...targets, manifest.main, manifest.types, ...Object.values(manifest.bin)]) {
      expect(paths).toContain(target.replace(/^\.\//, ''));
    }
    expect(manifest.exports['.']).toEqual({ types: './dist/cli/run.d.ts', default: './dist/cli/run.js' });
    expect(manifest.exports['./client']).toEqual({
      types: './dist/client/index.d.ts',
      default: './dist/client/index.js',
    });
    expect(manifest.bin).toEqual({ llmdev: 'dist/cli/main.js' });
  });
});
