/** Reading and writing generated files: the I/O edge around plan.ts. */
import { chmod, mkdir, readFile, rename, stat, writeFile } from 'node:fs/promises';
import { dirname, join } from 'node:path';
import { FileError } from '../errors/index.js';
import { type FilePlan, type OnDisk, planFile } from './plan.js';
import type { GeneratedFile } from './types.js';

async function readOnDisk(path: string): Promise<OnDisk | undefined> {
  try {
    const [content, info] = await Promise.all([readFile(path, 'utf8'), stat(path)]);
    return { content, mode: info.mode };
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code === 'ENOENT') return undefined;
    throw new FileError(`${path}: cannot read it (${(error as NodeJS.ErrnoException).code})`, {
      hint: 'Check the file permissions.',
      cause: error,
    });
  }
}

/** Compares each generated file with the project directory. */
export async function planFiles(projectDir: string, files: readonly GeneratedFile[]): Promise<FilePlan[]> {
  return Promise.all(
    files.map(async (file) => planFile(file, await readOnDisk(join(projectDir, file.path)))),
  );
}

/** Throws, naming each one, when files were edited by hand, unless `force`. */
export function refuseEdited(plans: readonly FilePlan[], force: boolean): void {
  const edited = plans.filter((plan) => plan.status === 'edited');
  if (edited.length === 0 || force) return;
  const files = edited.map((plan) => `  ${plan.file.path} ${plan.reason}`).join('\n');
  throw new FileError(
    `${edited.length === 1 ? 'a generated file was' : `${edited.length} generated files were`} changed by hand, so nothing was written:\n${files}`,
    {
      hint: 'Put the change in llmdev.config.yaml instead (every setting is in the llmdev docs: docs/configuration.md); keep a copy of your edits if you need them, then rerun with --force to overwrite.',
    },
  );
}

/** Writes every plan that changes something; writes nothing when refuseEdited objects. */
export async function applyPlans(
  projectDir: string,
  plans: readonly FilePlan[],
  { force = false }: { force?: boolean } = {},
): Promise<void> {
  refuseEdited(plans, force);
  for (const plan of plans) {
    if (plan.status !== 'unchanged') await writeAtomically(join(projectDir, plan.file.path), plan);
  }
}

async function writeAtomically(path: string, plan: FilePlan): Promise<void> {
  await mkdir(dirname(path), { recursive: true });
  // A generated mode wins (scripts stay executable); otherwise keep the user's mode, or the umask's.
  const mode =
    plan.file.mode ??
    (await stat(path).then(
      (info) => info.mode & 0o777,
      () => undefined,
    ));
  const temporary = `${path}.llmdev-tmp`;
  await writeFile(temporary, plan.next);
  if (mode !== undefined) await chmod(temporary, mode);
  await rename(temporary, path);
}
