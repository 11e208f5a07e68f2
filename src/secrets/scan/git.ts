/**
 * Git history: every object reachable from any ref (all branches, tags, remotes, stash) read once
 * through `git cat-file --batch`: each version of each file, commit messages, annotated tags and
 * tree entries (file names). A hit in a file version names the oldest commit that has it.
 * Unreachable objects (amended-away commits still in the reflog) are not scanned: a push never
 * sends them.
 */
import { execa } from 'execa';
import { at, type FindingSet, type SourceStats } from './findings.js';
import type { Match, ScanRules } from './matcher.js';
import { scanStream } from './stream.js';
import { ByteReader } from './tar.js';

interface GitRepo {
  root: string;
  /** The project folder inside the repository, e.g. `app/` (empty at the root). */
  prefix: string;
}

async function findRepo(projectDir: string): Promise<GitRepo | undefined> {
  const result = await execa('git', ['rev-parse', '--show-toplevel', '--show-prefix'], {
    cwd: projectDir,
    reject: false,
  }).catch(() => undefined);
  if (result?.exitCode !== 0) return undefined;
  const [root, prefix = ''] = String(result.stdout).split('\n');
  return root ? { root, prefix } : undefined;
}

export async function scanGit(
  projectDir: string,
  rules: ScanRules,
  findings: FindingSet,
): Promise<SourceStats> {
  const started = performance.now();
  const stats = (items: number, bytes: number, skipped?: string): SourceStats => ({
    source: 'git',
    items,
    bytes,
    ms: performance.now() - started,
    skipped,
  });
  const repo = await findRepo(projectDir);
  if (!repo) return stats(0, 0, 'not a git repository');

  const listing = await execa('git', ['-c', 'core.quotePath=false', 'rev-list', '--all', '--objects'], {
    cwd: repo.root,
  });
  const names = new Map<string, string>();
  for (const line of String(listing.stdout).split('\n')) {
    if (line.length < 40) continue;
    const space = line.indexOf(' ');
    names.set(space === -1 ? line : line.slice(0, space), space === -1 ? '' : line.slice(space + 1));
  }
  if (names.size === 0) return stats(0, 0, 'no commits yet');

  const hits: { sha: string; type: string; name: string; match: Match }[] = [];
  const batch = execa('git', ['cat-file', '--batch'], {
    cwd: repo.root,
    input: `${[...names.keys()].join('\n')}\n`,
    buffer: false,
  });
  const reader = new ByteReader(batch.stdout as AsyncIterable<Buffer>);
  let items = 0;
  let bytes = 0;
  for (let header = await reader.readLine(); header !== undefined; header = await reader.readLine()) {
    const [sha = '', type = '', size] = header.split(' ');
    if (size === undefined) continue; // "<sha> missing"
    const unread = { n: Number(size) };
    const name = names.get(sha) ?? '';
    bytes += await scanStream(reader.stream(unread), rules, type === 'blob', (match) =>
      hits.push({ sha, type, name, match }),
    );
    await reader.read(1); // the newline after the contents
    items++;
  }
  await batch;

  const introducedBy = new Map<string, string>();
  for (const { sha, type, name, match } of hits) {
    const path = type === 'blob' || type === 'tree' ? projectPath(name, repo.prefix) : undefined;
    let location: string;
    if (type === 'blob') {
      if (!introducedBy.has(sha)) introducedBy.set(sha, await oldestCommitWith(repo.root, sha));
      location = at(`${introducedBy.get(sha)}:${name}`, match);
    } else if (type === 'commit') location = `commit ${sha.slice(0, 12)} (message or author)`;
    else if (type === 'tag') location = `tag ${name} (message)`;
    else location = `tree ${name || '/'} (a file name)`;
    findings.add({
      source: 'git',
      location,
      path,
      kind: match.kind,
      rule: match.rule,
      fingerprint: match.fingerprint,
    });
  }
  return stats(items, bytes);
}

/** The repository path as seen from the project folder (unchanged when outside it). */
function projectPath(path: string, prefix: string): string {
  return prefix && path.startsWith(prefix) ? path.slice(prefix.length) : path;
}

async function oldestCommitWith(root: string, blob: string): Promise<string> {
  const log = await execa('git', ['log', '--all', '--format=%H', `--find-object=${blob}`], {
    cwd: root,
    reject: false,
  });
  const commits = String(log.stdout).split('\n').filter(Boolean);
  return (commits.at(-1) ?? blob).slice(0, 12);
}
