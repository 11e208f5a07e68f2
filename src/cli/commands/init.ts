/** `llmdev init [--dir D] [--yes] [--force] [--devcontainer-dir D] [--npm-scripts] [--make]`: set a project up for llmdev. */
import { resolve } from 'node:path';
import { Command, InvalidArgumentError } from 'commander';
import type { ExistingDevcontainer } from '../../generate/project-detect.js';
import { say } from '../output.js';

interface InitFlags {
  dir: string;
  yes?: boolean;
  force?: boolean;
  devcontainerDir?: string;
  npmScripts?: boolean;
  make?: boolean;
}

function devcontainerDir(value: string): string {
  if (!/^\.devcontainer(\/[A-Za-z0-9][A-Za-z0-9._-]*)?$/.test(value)) {
    throw new InvalidArgumentError('expected .devcontainer or .devcontainer/<folder>');
  }
  return value;
}

export function initCommand(): Command {
  return new Command('init')
    .description(
      'set a project up (new or existing): llmdev.config.yaml, .devcontainer/, .secrets/ with the sidecar token',
    )
    .option('--dir <dir>', 'project folder (created when missing)', '.')
    .option('-y, --yes', 'take the suggestions without asking (an existing dev container still stops init)')
    .option(
      '--force',
      'overwrite generated files even when they were changed by hand, or a dev container of yours',
    )
    .option(
      '--devcontainer-dir <dir>',
      'where the dev container goes, e.g. .devcontainer/llmdev next to one you have',
      devcontainerDir,
    )
    .option('--npm-scripts', 'also add llmdev:up, llmdev:down, ... scripts to package.json')
    .option('--make', 'also add up, down, status, ... targets to the Makefile (llmdev-<name> when taken)')
    .action(async (flags: InitFlags) => {
      const [{ initProject }, { describePlans, outOfDate }, { llmdevRootWarning }, { describeProfile }] =
        await Promise.all([
          import('../../generate/init.js'),
          import('../../generate/plan.js'),
          import('../../generate/context.js'),
          import('../../generate/project-detect.js'),
        ]);
      const dir = resolve(flags.dir);
      const interactive = !flags.yes && process.stdin.isTTY === true && process.stderr.isTTY === true;
      const result = await initProject({
        dir,
        force: flags.force ?? false,
        devcontainerDir: flags.devcontainerDir,
        npmScripts: flags.npmScripts ?? false,
        make: flags.make ?? false,
        ...(interactive ? { askProjectName, askAlongside } : {}),
      });
      const { config, context, plans, profile, makefile, scripts } = result;
      const lines = [
        result.configCreated
          ? `llmdev: created llmdev.config.yaml for project "${config.project.name}" in ${dir}`
          : `llmdev: kept the existing llmdev.config.yaml (project "${config.project.name}") in ${dir}`,
        ...(profile ? describeProfile(profile).map((line) => `  detected: ${line}`) : []),
        ...describePlans(outOfDate([...plans, ...(makefile ? [makefile] : [])]), 'write'),
        ...(scripts?.added.length ? [`  added to package.json: ${scripts.added.join(', ')}`] : []),
        ...(scripts?.kept.length
          ? [`  kept in package.json (already there): ${scripts.kept.join(', ')}`]
          : []),
        result.tokenCreated
          ? '  created: .secrets/ (mode 0700) with the sidecar token (mode 0600)'
          : '  kept: .secrets/ and its sidecar token',
      ];
      say(lines.join('\n'));
      const warning = llmdevRootWarning(context.llmdevRoot);
      if (warning) say(`warning: ${warning}`);
      const { nextSteps } = await import('../../generate/next-steps.js');
      say(['', ...nextSteps({ config, context, workspaceFolder: flags.dir })].join('\n'));
    });
}

/** Asks on the terminal; an empty answer takes the suggestion, an invalid one asks again. */
async function askProjectName(suggested: string): Promise<string> {
  const { projectNameProblem } = await import('../../config/starter.js');
  for (;;) {
    const answer = (await ask(`Project name (${suggested}): `)) || suggested;
    const problem = projectNameProblem(answer);
    if (!problem) return answer;
    say(`  ${problem}`);
  }
}

async function askAlongside(existing: ExistingDevcontainer[], alongside: string): Promise<boolean> {
  say(`This project already has a dev container:\n${existing.map((e) => `  ${e.path} ${e.why}`).join('\n')}`);
  const answer = await ask(`Keep it and put llmdev's in ${alongside}/ next to it? [Y/n] `);
  return !/^n/i.test(answer);
}

async function ask(question: string): Promise<string> {
  const { createInterface } = await import('node:readline/promises');
  const terminal = createInterface({ input: process.stdin, output: process.stderr });
  try {
    return (await terminal.question(question)).trim();
  } finally {
    terminal.close();
  }
}
