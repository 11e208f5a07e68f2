/** Reading one secret file as a service does (the sidecar, team mode): trimmed, absent => undefined. */
import { readFile } from 'node:fs/promises';
import { SecretError } from '../errors/index.js';

/** The trimmed contents, or undefined when the file does not exist. */
export async function readSecretFile(path: string): Promise<string | undefined> {
  try {
    return (await readFile(path, 'utf8')).trim();
  } catch (cause) {
    const code = (cause as NodeJS.ErrnoException).code;
    if (code === 'ENOENT') return undefined;
    throw new SecretError(`${path}: cannot read the secret file (${code})`, {
      hint: 'The sidecar runs as your user id (LLMDEV_UID): make the file readable by it (chmod 600, owned by you).',
      cause,
    });
  }
}
