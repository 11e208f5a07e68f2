/** The sidecar access token file, created once per clone: `.secrets/<name>`, dir 0700, file 0600. */
import { randomBytes } from 'node:crypto';
import { chmod, mkdir, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { FileError } from '../errors/index.js';
import { SECRETS_DIR } from './secrets.js';

/** Creates the token file unless it exists; returns whether it did. Never reads or prints it. */
export async function ensureTokenFile(projectDir: string, secretName: string): Promise<boolean> {
  const dir = join(projectDir, SECRETS_DIR);
  await mkdir(dir, { recursive: true, mode: 0o700 });
  await chmod(dir, 0o700); // mkdir's mode is subject to the umask and ignored for existing dirs
  try {
    // 'wx': never replace an existing token (containers may be using it).
    await writeFile(join(dir, secretName), randomBytes(32).toString('base64url'), {
      flag: 'wx',
      mode: 0o600,
    });
    return true;
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code === 'EEXIST') return false;
    throw new FileError(
      `${join(dir, secretName)}: cannot create it (${(error as NodeJS.ErrnoException).code})`,
      {
        hint: `Check that you can write to ${dir}.`,
        cause: error,
      },
    );
  }
}
