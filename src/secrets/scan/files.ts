/**
 * The working tree: every file under the project folder, git-ignored ones included, because the
 * whole folder is mounted into the workspace (an ignored `.env` holding a real key is readable by
 * any code there) and an ignored file is one `git add -f` away from a commit. Left out: `.git/`
 * (the git source reads history), `.secrets/` (where the values belong; hidden from the workspace)
 * and `node_modules/` (third-party code; large). Symlinks are not followed.
 */
import { createReadStream } from 'node:fs';
import { readdir } from 'node:fs/promises';
import { join, relative, sep } from 'node:path';
import { execa } from 'execa';
import { SECRETS_DIR } from '../../generate/secrets.js';
import { at, type FindingSet, type SourceStats } from './findings.js';
import type { ScanRules } from './matcher.js';
import { scanStream } from './stream.js';

export const SKIPPED_DIRS: ReadonlySet<string> = new Set(['.git', SECRETS_DIR, 'node_modules']);

async function* walk(root: string, dir: string): AsyncGenerator<string> {
  const entries = await readdir(dir, { withFileTypes: true }).catch(() => []);
  entries.sort((a, b) => a.name.localeCompare(b.name));
  for (const entry of entries) {
    const path = join(dir, entry.name);
    if (entry.isDirectory()) {
      if (!SKIPPED_DIRS.has(entry.name)) yield* walk(root, path);
    } else if (entry.isFile()) yield path;
  }
}

const toPosix = (path: string) => path.split(sep).join('/');

export async function scanFiles(
  projectDir: string,
  rules: ScanRules,
  findings: FindingSet,
): Promise<SourceStats> {
  const started = performance.now();
  let items = 0;
  let bytes = 0;
  const hits: { path: string; location: string; match: Parameters<typeof at>[1] }[] = [];
  for await (const file of walk(projectDir, projectDir)) {
    const path = toPosix(relative(projectDir, file));
    try {
      bytes += await scanStream(createReadStream(file, { highWaterMark: 256 * 1024 }), rules, true, (match) =>
        hits.push({ path, location: at(path, match), match }),
      );
      items++;
    } catch {
      // Unreadable (permissions, removed meanwhile): nothing we can scan.
    }
  }
  const ignored = await gitIgnored(projectDir, [...new Set(hits.map((hit) => hit.path))]);
  for (const { path, location, match } of hits) {
    findings.add({
      source: 'files',
      location,
      path,
      kind: match.kind,
      rule: match.rule,
      fingerprint: match.fingerprint,
      note: ignored.has(path)
        ? 'git-ignored, but visible in the workspace (the project folder is mounted there)'
        : undefined,
    });
  }
  return { source: 'files', items, bytes, ms: performance.now() - started };
}

/** Which of `paths` git ignores (empty outside a repository). */
async function gitIgnored(projectDir: string, paths: string[]): Promise<Set<string>> {
  if (paths.length === 0) return new Set();
  const result = await execa('git', ['check-ignore', '--stdin', '-z'], {
    cwd: projectDir,
    input: paths.join('\0'),
    reject: false,
  }).catch(() => undefined);
  return new Set(
    String(result?.stdout ?? '')
      .split('\0')
      .filter(Boolean),
  );
}
