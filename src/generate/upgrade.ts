/**
 * `llmdev upgrade`: after installing another llmdev version, what regenerating changes, file by
 * file, as unified diffs (`git apply`-able), and which llmdev version wrote the files on disk. The
 * writing itself is generate's (plan.ts, write.ts): blocks keep the user's lines around them, and
 * whole files edited by hand are refused unless forced. Pure.
 */
import { createTwoFilesPatch, FILE_HEADERS_ONLY } from 'diff';
import { headerVersion } from './header.js';
import { type FilePlan, outOfDate } from './plan.js';

export interface FileChange {
  plan: FilePlan;
  /** Unified diff of the file (empty when only its mode changes). */
  patch: string;
}

export interface UpgradeReport {
  /** Versions of llmdev that wrote the whole files on disk, oldest first as found. */
  fromVersions: string[];
  changes: FileChange[];
  /** Whole files edited by hand: regenerating them would drop the edits. */
  edited: FilePlan[];
}

export function diffPlan(plan: FilePlan): string {
  const { path } = plan.file;
  const before = plan.previous === undefined ? '/dev/null' : `a/${path}`;
  return createTwoFilesPatch(before, `b/${path}`, plan.previous ?? '', plan.next, undefined, undefined, {
    headerOptions: FILE_HEADERS_ONLY,
  });
}

/** The llmdev version whose compose file is being replaced (it named the old sidecar image). */
export function replacedComposeVersion(plans: readonly FilePlan[], composePath: string): string | undefined {
  const compose = plans.find((plan) => plan.file.path === composePath);
  return compose?.previous === undefined ? undefined : headerVersion(compose.previous);
}

export function upgradeReport(plans: readonly FilePlan[]): UpgradeReport {
  const versions = plans
    .filter((plan) => plan.file.kind === 'file' && plan.previous !== undefined)
    .map((plan) => headerVersion(plan.previous ?? ''))
    .filter((version): version is string => version !== undefined);
  const changes = outOfDate(plans).map((plan) => ({
    plan,
    patch: plan.previous === plan.next ? '' : diffPlan(plan),
  }));
  return {
    fromVersions: [...new Set(versions)],
    changes,
    edited: plans.filter((plan) => plan.status === 'edited'),
  };
}
