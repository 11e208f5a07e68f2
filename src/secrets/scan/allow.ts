/**
 * `.llmdev-scan-allow`: key-shaped strings a project knows to be fake (test fixtures). One entry a
 * line: `sha256:<12 hex>` (the fingerprint the scan printed, allowed anywhere) or `path:<glob>`
 * (key-shaped strings in matching project files, now and in git history; `*`, `?` and `**`).
 * `#` starts a comment. A configured secret's VALUE is never allowed: finding it is always a leak.
 */
import { readFile } from 'node:fs/promises';
import { join } from 'node:path';
import { FileError } from '../../errors/index.js';
import type { Finding } from './findings.js';

export const ALLOW_FILE = '.llmdev-scan-allow';

export interface AllowRules {
  fingerprints: ReadonlySet<string>;
  paths: readonly RegExp[];
}

export const NO_ALLOW: AllowRules = { fingerprints: new Set(), paths: [] };

export function parseAllowRules(text: string, file = ALLOW_FILE): AllowRules {
  const fingerprints = new Set<string>();
  const paths: RegExp[] = [];
  text.split('\n').forEach((raw, index) => {
    const line = raw.replace(/#.*$/, '').trim();
    if (line === '') return;
    const fingerprint = /^sha256:([0-9a-f]{12})$/.exec(line);
    if (fingerprint) fingerprints.add(fingerprint[1] as string);
    else if (line.startsWith('path:') && line.length > 5) paths.push(globToRegExp(line.slice(5).trim()));
    else
      throw new FileError(`${file}:${index + 1}: cannot read the entry ${JSON.stringify(line)}`, {
        hint: 'Each line is `sha256:<12 hex digits>` (a fingerprint the scan printed) or `path:<glob>`, e.g. `path:test/**`.',
      });
  });
  return { fingerprints, paths };
}

export async function loadAllowRules(projectDir: string): Promise<AllowRules> {
  const text = await readFile(join(projectDir, ALLOW_FILE), 'utf8').catch((error: NodeJS.ErrnoException) => {
    if (error.code === 'ENOENT') return undefined;
    throw error;
  });
  return text === undefined ? NO_ALLOW : parseAllowRules(text);
}

export function isAllowed(finding: Finding, rules: AllowRules): boolean {
  if (finding.kind !== 'pattern') return false;
  const hex = /^sha256:([0-9a-f]{12})/.exec(finding.fingerprint)?.[1];
  if (hex !== undefined && rules.fingerprints.has(hex)) return true;
  const { path } = finding;
  return path !== undefined && rules.paths.some((glob) => glob.test(path));
}

/** `*` and `?` stay within a path segment, `**` crosses them; a trailing `/` means everything under. */
export function globToRegExp(glob: string): RegExp {
  const pattern = glob.endsWith('/') ? `${glob}**` : glob;
  let source = '';
  for (let i = 0; i < pattern.length; i++) {
    const char = pattern[i] as string;
    if (char === '*' && pattern[i + 1] === '*') {
      const slash = pattern[i + 2] === '/';
      source += slash ? '(?:.*/)?' : '.*';
      i += slash ? 2 : 1;
    } else if (char === '*') source += '[^/]*';
    else if (char === '?') source += '[^/]';
    else source += char.replace(/[.+^${}()|[\]\\]/g, '\\$&');
  }
  return new RegExp(`^${source}$`);
}
