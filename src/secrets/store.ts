/**
 * The host side of secrets: `.secrets/<name>` files (directory 0700, files 0600) that Compose
 * bind-mounts at /run/secrets/<name>. Writes are atomic (temp file + rename) and refused when git
 * would publish the directory. Values are never logged; callers see fingerprints.
 */
import { randomBytes } from 'node:crypto';
import { chmod, chown, lstat, mkdir, open, readdir, readFile, rename, rm } from 'node:fs/promises';
import { join } from 'node:path';
import { SecretError } from '../errors/index.js';
import { CONTAINER_UID } from '../generate/initialize.js';
import { SECRETS_DIR } from '../generate/secrets.js';
import { fingerprint } from '../redact/index.js';
import { exposureProblem, gitExposure } from './git.js';

const TEMP_SUFFIX = '.tmp';

export interface StoredSecret {
  name: string;
  /** Permission bits, e.g. 0o600. */
  mode: number;
  uid: number;
  size: number;
  fingerprint: string;
}

export function secretsDir(projectDir: string): string {
  return join(projectDir, SECRETS_DIR);
}

/** The uid that must own secret files: the host user, or the images' user when running as root. */
export function secretOwnerUid(hostUid: number | undefined = process.getuid?.()): number | undefined {
  if (hostUid === undefined) return undefined; // Windows: no uids
  return hostUid === 0 ? CONTAINER_UID : hostUid;
}

/** Throws when git tracks the secrets directory or would add it. */
export async function assertNotPublishedByGit(projectDir: string): Promise<void> {
  const problem = exposureProblem(await gitExposure(projectDir, SECRETS_DIR), SECRETS_DIR);
  if (problem) {
    throw new SecretError(`refusing to write a secret into ${secretsDir(projectDir)}`, { hint: problem });
  }
}

/** Writes `.secrets/<name>` atomically with mode 0600 in a 0700 directory. */
export async function writeSecret(projectDir: string, name: string, value: string): Promise<StoredSecret> {
  await assertNotPublishedByGit(projectDir);
  const dir = secretsDir(projectDir);
  await mkdir(dir, { recursive: true, mode: 0o700 });
  await chmod(dir, 0o700); // mkdir's mode is masked, and ignored for an existing directory
  const target = join(dir, name);
  const temporary = join(dir, `.${name}.${randomBytes(6).toString('hex')}${TEMP_SUFFIX}`);
  const handle = await open(temporary, 'wx', 0o600);
  try {
    await handle.writeFile(value);
    await handle.sync();
  } finally {
    await handle.close();
  }
  try {
    const owner = secretOwnerUid();
    // As root, hand the file to the containers' user, as initialize.sh does: 0600 files are
    // readable in a container only by their owner's uid.
    if (owner !== undefined && owner !== process.getuid?.()) await chown(temporary, owner, owner);
    await rename(temporary, target);
  } catch (error) {
    await rm(temporary, { force: true });
    throw error;
  }
  return describe(name, target);
}

export async function removeSecret(projectDir: string, name: string): Promise<boolean> {
  const path = join(secretsDir(projectDir), name);
  const existed = await lstat(path).then(
    () => true,
    () => false,
  );
  await rm(path, { force: true });
  return existed;
}

/** Every secret file, by name; temp files of interrupted writes are skipped. */
export async function listSecrets(projectDir: string): Promise<StoredSecret[]> {
  const dir = secretsDir(projectDir);
  const names = await readdir(dir).catch((error: NodeJS.ErrnoException) => {
    if (error.code === 'ENOENT') return [];
    throw new SecretError(`${dir}: cannot list it (${error.code})`, {
      hint: 'Check its owner and permissions (it should be yours, mode 0700).',
      cause: error,
    });
  });
  const secrets: StoredSecret[] = [];
  for (const name of names.sort()) {
    if (name.endsWith(TEMP_SUFFIX) || name.startsWith('.')) continue;
    const info = await lstat(join(dir, name));
    if (info.isFile()) secrets.push(await describe(name, join(dir, name)));
  }
  return secrets;
}

async function describe(name: string, path: string): Promise<StoredSecret> {
  const info = await lstat(path);
  const value = await readFile(path, 'utf8').catch(() => undefined);
  return {
    name,
    mode: info.mode & 0o777,
    uid: info.uid,
    size: info.size,
    fingerprint: value === undefined ? '(unreadable)' : fingerprint(value),
  };
}
