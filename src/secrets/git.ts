/**
 * Whether git would publish the secrets directory: a file in it is tracked, or it is not ignored
 * (the next `git add .` would take it). Outside a git work tree, or without git, nothing is.
 */
import { execa } from 'execa';

export type GitExposure =
  | { kind: 'no-repo' }
  | { kind: 'tracked'; files: string[] }
  | { kind: 'not-ignored' }
  | { kind: 'ignored' };

export async function gitExposure(projectDir: string, relativeDir: string): Promise<GitExposure> {
  const git = (args: string[]) => execa('git', args, { cwd: projectDir, reject: false });
  const inside = await git(['rev-parse', '--is-inside-work-tree']).catch(() => undefined);
  if (inside === undefined || inside.exitCode !== 0 || inside.stdout.trim() !== 'true') {
    return { kind: 'no-repo' };
  }
  const tracked = await git(['ls-files', '-z', '--', relativeDir]);
  const files = tracked.stdout.split('\0').filter(Boolean);
  if (files.length > 0) return { kind: 'tracked', files };
  // A name that cannot exist: asks whether the directory's contents are ignored.
  const ignored = await git(['check-ignore', '-q', '--no-index', `${relativeDir}/.llmdev-probe`]);
  return ignored.exitCode === 0 ? { kind: 'ignored' } : { kind: 'not-ignored' };
}

/** The one-line fix for an exposure, or undefined when there is nothing to fix. */
export function exposureProblem(exposure: GitExposure, relativeDir: string): string | undefined {
  switch (exposure.kind) {
    case 'tracked':
      return `git tracks ${exposure.files.join(', ')}: run \`git rm -r --cached ${relativeDir}\`, add "${relativeDir}/" to .gitignore, and rotate the keys that were committed`;
    case 'not-ignored':
      return `${relativeDir}/ is not ignored by git: run \`llmdev generate\` (it adds it to .gitignore) or add "${relativeDir}/" to .gitignore`;
    default:
      return undefined;
  }
}
