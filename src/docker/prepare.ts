/**
 * Getting the host ready before Compose runs, the same way every time: the generated files are
 * brought up to date (hand-edited ones are kept, with a warning), then .devcontainer/initialize.sh
 * runs, the one mechanism that prepares secrets, the CA bundle and .devcontainer/.env (it is also
 * the devcontainer.json initializeCommand), then the secrets are checked.
 */
import { join } from 'node:path';
import { execa } from 'execa';
import type { Config } from '../config/schema.js';
import { SecretError, ToolError } from '../errors/index.js';
import { llmdevRootWarning } from '../generate/context.js';
import { layoutOf } from '../generate/layout.js';
import { describePlans, outOfDate } from '../generate/plan.js';
import { planProject } from '../generate/project.js';
import { applyPlans } from '../generate/write.js';
import { assessSecrets, type Finding, snapshotSecrets } from '../secrets/check.js';

export interface Prepared {
  config: Config;
  /** Lines for the user: files written, files kept because they were edited, warnings. */
  notes: string[];
}

/** Writes missing or stale generated files; files edited by hand are left alone. */
export async function ensureGenerated(dir: string): Promise<Prepared> {
  const { config, context, plans } = await planProject(dir);
  const stale = outOfDate(plans);
  const writable = stale.filter((plan) => plan.status !== 'edited');
  const edited = stale.filter((plan) => plan.status === 'edited');
  await applyPlans(dir, writable);
  const notes: string[] = [];
  if (writable.length > 0) notes.push(`generated files:\n${describePlans(writable, 'write').join('\n')}`);
  if (edited.length > 0) {
    notes.push(
      `kept files changed by hand (\`llmdev generate --force\` replaces them):\n${describePlans(edited, 'check').join('\n')}`,
    );
  }
  const warning = llmdevRootWarning(context.llmdevRoot);
  if (warning) notes.push(`warning: ${warning}`);
  return { config, notes };
}

/** Runs .devcontainer/initialize.sh; its messages (never secret values) go to stderr. */
export async function runInitialize(dir: string, config: Config): Promise<void> {
  const initialize = layoutOf(config).initialize;
  const script = join(dir, initialize);
  const result = await execa('sh', [script], {
    cwd: dir,
    stdin: 'ignore',
    stdout: 2,
    stderr: 'inherit',
    reject: false,
  });
  if (result.failed) {
    throw new ToolError(
      `${initialize} failed${result.exitCode === undefined ? '' : ` (exit code ${result.exitCode})`}`,
      {
        hint: 'Its message above says what it needs; it prepares .secrets/ and .devcontainer/.env.',
      },
    );
  }
}

/** The secret findings that fail, after initialize.sh ran; throws SecretError naming them. */
export async function assertSecretsReady(dir: string, config: Config): Promise<Finding[]> {
  const findings = assessSecrets(config, await snapshotSecrets(dir, config));
  const failed = findings.filter((finding) => !finding.ok);
  if (failed.length > 0) {
    throw new SecretError(
      `secrets are not ready:\n${failed.map((f) => `  ${f.check}: ${f.detail}`).join('\n')}`,
      {
        hint: failed
          .map((f) => f.fix)
          .filter(Boolean)
          .join('; '),
      },
    );
  }
  return findings;
}
