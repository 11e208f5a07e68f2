/**
 * `npm pack` of this repository the way a release makes it: in a copy of the working tree (what a
 * fresh clone has, node_modules linked), so prepack's clean build never touches the shared dist/.
 * Also the allowlist every tarball is checked against: nothing ships that is not on it.
 */
import { readFile, rm, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { execa } from 'execa';
import { copyRepository } from '../e2e/containers/stack.js';

export interface PackedFile {
  path: string;
  size: number;
  mode: number;
}

export interface PackResult {
  /** Absolute path of the tarball (not written for a dry run). */
  tarball: string;
  version: string;
  /** Compressed and unpacked size in bytes. */
  size: number;
  unpackedSize: number;
  files: PackedFile[];
  /** The copy that was packed (removed by `cleanup`). */
  dir: string;
  cleanup(): Promise<void>;
}

/** One entry of `npm pack --json`. */
interface NpmPackEntry {
  filename: string;
  version: string;
  size: number;
  unpackedSize: number;
  files: PackedFile[];
}

export interface PackOptions {
  /** Folder for the tarball; none for a dry run. */
  destination?: string;
  /** A version for this tarball only (package.json and the lockfile of the copy). */
  version?: string;
}

async function setVersion(dir: string, version: string): Promise<void> {
  for (const file of ['package.json', 'package-lock.json']) {
    const path = join(dir, file);
    const json = JSON.parse(await readFile(path, 'utf8')) as {
      version: string;
      packages?: Record<string, { version?: string }>;
    };
    json.version = version;
    const root = json.packages?.[''];
    if (root) root.version = version;
    await writeFile(path, `${JSON.stringify(json, null, 2)}\n`);
  }
}

/** Runs prepack (the real build) and postpack in the copy, whether or not it is a dry run. */
export async function packRepository({ destination, version }: PackOptions = {}): Promise<PackResult> {
  const dir = await copyRepository('pack');
  const cleanup = () => rm(dir, { recursive: true, force: true });
  try {
    if (version !== undefined) await setVersion(dir, version);
    const args = destination === undefined ? ['--dry-run'] : ['--pack-destination', destination];
    const { stdout } = await execa('npm', ['pack', '--json', ...args], { cwd: dir });
    // Lifecycle scripts may print to stdout before npm's JSON.
    const [packed] = JSON.parse(stdout.slice(stdout.search(/^\[/m))) as NpmPackEntry[];
    if (!packed) throw new Error(`npm pack printed no result:\n${stdout}`);
    return {
      tarball: join(destination ?? dir, packed.filename),
      version: packed.version,
      size: packed.size,
      unpackedSize: packed.unpackedSize,
      files: packed.files,
      dir,
      cleanup,
    };
  } catch (error) {
    await cleanup();
    throw error;
  }
}

/** Every file a tarball may hold, besides the compiled sources (checked by `compiledFrom`). */
export const SHIPPED_FILES = [
  'package.json',
  'README.md',
  'LICENSE',
  // The usage-logger image's build context inside node_modules/llmdev, and its pinned dependencies.
  'docker/usage-logger/Dockerfile',
  'docker/usage-logger/Dockerfile.dockerignore',
  'docker/usage-logger/package-lock.json',
  // The workspace image's build context.
  'docker/workspace/Dockerfile',
  'docker/workspace/.dockerignore',
  'docker/workspace/llmdev-profile.sh',
];

/** What `tsc` makes of one source file: its JavaScript and its declarations (no source maps). */
export function compiledFrom(source: string): string[] {
  const base = source.replace(/^src\//, 'dist/').replace(/\.ts$/, '');
  return [`${base}.js`, `${base}.d.ts`];
}
