/** What a scan reports: where each secret or key-shaped string was found, without its value. */
import type { Match } from './matcher.js';

export const SCAN_SOURCES = ['files', 'git', 'images', 'logs'] as const;
export type ScanSource = (typeof SCAN_SOURCES)[number];

export interface Finding {
  source: ScanSource;
  /** `file:line`, `commit:path:line`, `image:layer:path`, `container:stream:line`... */
  location: string;
  /** The project-relative path the text is in, when there is one (for allow rules). */
  path?: string | undefined;
  kind: Match['kind'];
  rule: string;
  fingerprint: string;
  /** Occurrences at this location (the first one's line is in `location`). */
  count: number;
  /** Extra context, e.g. that a working-tree file is git-ignored but visible in the workspace. */
  note?: string | undefined;
}

export interface SourceStats {
  source: ScanSource;
  /** What was read: files, objects, layers, containers... */
  items: number;
  bytes: number;
  ms: number;
  /** Why a source (or part of it) was not scanned. */
  skipped?: string | undefined;
}

/** Collects matches, one finding per location, rule and value. */
export class FindingSet {
  private readonly byKey = new Map<string, Finding>();

  add(finding: Omit<Finding, 'count'>): void {
    const key = `${finding.source}\0${finding.location.replace(/:\d+$/, '')}\0${finding.rule}\0${finding.fingerprint}`;
    const existing = this.byKey.get(key);
    if (existing) existing.count++;
    else this.byKey.set(key, { ...finding, count: 1 });
  }

  list(): Finding[] {
    return [...this.byKey.values()];
  }
}

/** `base` plus `:line` when the match has one. */
export const at = (base: string, match: Match): string =>
  match.line === undefined ? base : `${base}:${match.line}`;
