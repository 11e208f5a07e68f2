/**
 * `llmdev secrets scan`: looks for every secret value stored in .secrets/ (the sidecar token too)
 * and for provider-key-shaped strings in the working tree, git history, the project's images and
 * its containers' logs and metadata. Findings name where, never what: a fingerprint stands in for
 * the value.
 */
import { readdir, readFile } from 'node:fs/promises';
import { join } from 'node:path';
import { execa } from 'execa';
import { loadComposeProject, runCompose } from '../../docker/compose.js';
import { projectContainers } from '../../docker/containers.js';
import { assertEngine, connectEngine } from '../../docker/engine.js';
import { FileError } from '../../errors/index.js';
import { fingerprint } from '../../redact/index.js';
import { secretsDir } from '../store.js';
import { type AllowRules, isAllowed, loadAllowRules } from './allow.js';
import { scanContainers } from './containers.js';
import { scanFiles } from './files.js';
import { type Finding, FindingSet, type ScanSource, type SourceStats } from './findings.js';
import { scanGit } from './git.js';
import { scanImages } from './images.js';
import type { ScanRules, SecretNeedle } from './matcher.js';

export { type Finding, SCAN_SOURCES, type ScanSource, type SourceStats } from './findings.js';

export interface ScanOptions {
  projectDir: string;
  sources: readonly ScanSource[];
  /**
   * The sources were named on the command line: one that cannot run (no Docker engine) is an
   * error. Otherwise (scan everything) it is skipped with a note.
   */
  explicit: boolean;
}

export interface ScanReport {
  findings: Finding[];
  /** Key-shaped strings that `.llmdev-scan-allow` lets through. */
  allowed: number;
  stats: SourceStats[];
  /** The stored secrets looked for, by name and fingerprint. */
  secrets: { name: string; fingerprint: string }[];
}

/** Every stored secret value: the non-empty files in .secrets/ (trimmed, as the sidecar reads them). */
export async function storedSecrets(projectDir: string): Promise<SecretNeedle[]> {
  const dir = secretsDir(projectDir);
  const names = await readdir(dir).catch(() => [] as string[]);
  const needles: SecretNeedle[] = [];
  for (const name of names.sort()) {
    if (name.startsWith('.')) continue; // temp files of interrupted writes
    const value = await readFile(join(dir, name), 'utf8').then(
      (text) => text.trim(),
      () => '',
    );
    if (value !== '') needles.push({ name, value });
  }
  return needles;
}

export async function scanProject(options: ScanOptions): Promise<ScanReport> {
  const { projectDir, sources } = options;
  const secrets = await storedSecrets(projectDir);
  const rules: ScanRules = { secrets, patterns: true };
  const allow = await loadAllowRules(projectDir);
  const findings = new FindingSet();
  const stats: SourceStats[] = [];
  if (sources.includes('files')) stats.push(await scanFiles(projectDir, rules, findings));
  if (sources.includes('git')) stats.push(await scanGit(projectDir, rules, findings));
  const docker = sources.filter((source) => source === 'images' || source === 'logs');
  if (docker.length > 0) stats.push(...(await scanDockerSources(options, docker, rules, findings)));
  return report(findings.list(), allow, stats, secrets);
}

function report(
  all: Finding[],
  allow: AllowRules,
  stats: SourceStats[],
  secrets: SecretNeedle[],
): ScanReport {
  const findings = all.filter((finding) => !isAllowed(finding, allow));
  return {
    findings,
    allowed: all.length - findings.length,
    stats,
    secrets: secrets.map(({ name, value }) => ({ name, fingerprint: fingerprint(value) })),
  };
}

async function scanDockerSources(
  options: ScanOptions,
  sources: readonly ScanSource[],
  rules: ScanRules,
  findings: FindingSet,
): Promise<SourceStats[]> {
  const skipped = (why: string) =>
    sources.map((source): SourceStats => ({ source, items: 0, bytes: 0, ms: 0, skipped: why }));
  let project: Awaited<ReturnType<typeof loadComposeProject>>;
  try {
    project = await loadComposeProject(options.projectDir);
  } catch (error) {
    if (options.explicit || !(error instanceof FileError)) throw error;
    return skipped('no compose file generated yet (`llmdev up` creates it)');
  }
  const engine = await connectEngine();
  try {
    await assertEngine(engine);
  } catch (error) {
    if (options.explicit) throw error;
    return skipped('no Docker engine answers');
  }
  const containers = await projectContainers(engine, project.name);
  const stats: SourceStats[] = [];
  if (sources.includes('images')) {
    const named = await runCompose(project, ['config', '--images']).then(
      (out) => out.split('\n').filter(Boolean),
      () => [] as string[],
    );
    const images = await existingImages([...new Set([...containers.map((c) => c.image), ...named])]);
    stats.push(await scanImages(images, rules, findings));
  }
  if (sources.includes('logs')) {
    const stat = await scanContainers(containers, rules, findings);
    stats.push(containers.length === 0 ? { ...stat, skipped: 'no containers for this project' } : stat);
  }
  return stats;
}

/** The images of `names` that exist locally (one not built yet has nothing to leak). */
async function existingImages(names: readonly string[]): Promise<string[]> {
  const present: string[] = [];
  for (const name of names) {
    const inspect = await execa('docker', ['image', 'inspect', '--format', '{{.Id}}', name], {
      reject: false,
    });
    if (inspect.exitCode === 0) present.push(name);
  }
  return present;
}
