/**
 * Shortcuts in the project's own files, written only when asked (`llmdev init --npm-scripts`,
 * `--make`): `llmdev:*` npm scripts, and make targets in a managed block of the Makefile. Pure: text
 * in, text out. A name the project already uses is never taken over.
 */
import { IGNORE_MARKERS, ignoreBlockStart, locateBlock } from './block.js';
import type { GeneratedFile } from './types.js';

/** The commands that get a shortcut: the dev container's lifecycle and the usage report. */
export const SHORTCUT_COMMANDS = ['up', 'down', 'status', 'logs', 'shell', 'doctor', 'usage'] as const;

export interface ScriptsChange {
  /** The new package.json text (unchanged when nothing was added). */
  text: string;
  added: string[];
  /** Script names the project already had (kept as they are). */
  kept: string[];
}

/** Adds `llmdev:<command>` scripts, keeping the file's indentation and every existing script. */
export function addNpmScripts(packageJsonText: string): ScriptsChange {
  const manifest = JSON.parse(packageJsonText) as { scripts?: Record<string, string> };
  const scripts = { ...(manifest.scripts ?? {}) };
  const added: string[] = [];
  const kept: string[] = [];
  for (const command of SHORTCUT_COMMANDS) {
    const name = `llmdev:${command}`;
    if (name in scripts) kept.push(name);
    else {
      scripts[name] = `llmdev ${command}`;
      added.push(name);
    }
  }
  if (added.length === 0) return { text: packageJsonText, added, kept };
  const indent = /^[ \t]+(?=")/m.exec(packageJsonText)?.[0] ?? '  ';
  const newline = packageJsonText.endsWith('\n') ? '\n' : '';
  return { text: `${JSON.stringify({ ...manifest, scripts }, null, indent)}${newline}`, added, kept };
}

const TARGET = /^([A-Za-z0-9_./-]+)\s*:(?!=)/gm;

/** Target names defined in a Makefile outside llmdev's block. */
export function makeTargets(makefile: string): Set<string> {
  const location = locateBlock(makefile, IGNORE_MARKERS);
  const lines = makefile.split('\n');
  const outside =
    location.found === 'block'
      ? [...lines.slice(0, location.start), ...lines.slice(location.end + 1)].join('\n')
      : makefile;
  return new Set([...outside.matchAll(TARGET)].map((match) => match[1] as string));
}

const DESCRIPTIONS: Record<(typeof SHORTCUT_COMMANDS)[number], string> = {
  up: 'build (cached) and start the workspace and the usage-logger sidecar',
  down: 'stop and remove the containers (usage data is kept)',
  status: 'containers, health and live/mock providers',
  logs: 'follow the logs of both services',
  shell: 'a shell in the workspace',
  doctor: 'check Docker, Compose, ports and secrets',
  usage: 'LLM calls with tokens and cost',
};

/**
 * The Makefile's llmdev block: one target per command, named after it unless the Makefile already
 * has that target (then `llmdev-<command>`). `LLMDEV` can be overridden, e.g. `make up LLMDEV=llmdev`.
 */
export function makefileBlock(existing: string | undefined, configFile: string): GeneratedFile {
  const taken = makeTargets(existing ?? '');
  const targets = SHORTCUT_COMMANDS.map((command) => ({
    command,
    target: taken.has(command) ? `llmdev-${command}` : command,
  }));
  const lines = [
    ignoreBlockStart(configFile),
    'LLMDEV ?= npx llmdev',
    `.PHONY: ${targets.map((t) => t.target).join(' ')}`,
    ...targets.flatMap(({ command, target }) => [
      `${target}: ## ${DESCRIPTIONS[command]}`,
      `\t$(LLMDEV) ${command}${command === 'logs' ? ' -f' : ''}`,
    ]),
    IGNORE_MARKERS.end,
  ];
  return { path: 'Makefile', content: `${lines.join('\n')}\n`, kind: 'block' };
}
