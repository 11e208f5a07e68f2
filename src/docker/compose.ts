/**
 * Docker Compose v2 through its CLI (execa): `docker compose -p <name> -f .devcontainer/compose.yaml`,
 * with the project name the Dev Containers CLI would use (project-name.ts). Output streams to the
 * terminal when asked (build and start progress), else is captured for parsing.
 */
import { readFile } from 'node:fs/promises';
import { join } from 'node:path';
import { execa } from 'execa';
import { parse as parseYaml } from 'yaml';
import { loadConfig } from '../config/load.js';
import { FileError, ToolError } from '../errors/index.js';
import { layoutOf } from '../generate/layout.js';
import { redact } from '../redact/index.js';
import { assertEngine, connectEngine, ENGINE_HINT } from './engine.js';
import { resolveProjectName } from './project-name.js';

/** Build secrets, `depends_on` health conditions and `--wait` all work from here on. */
export const MIN_COMPOSE_VERSION = '2.17.0';

export const COMPOSE_HINT =
  'Install the Compose v2 plugin (Docker Desktop has it; on Debian/Ubuntu the docker-compose-plugin package, or `make engine` here).';

export interface ComposeProject {
  /** Absolute project folder. */
  dir: string;
  /** Absolute path of .devcontainer/compose.yaml. */
  file: string;
  /** The Compose project name (containers are labelled com.docker.compose.project=<name>). */
  name: string;
}

const readOptional = (path: string) => readFile(path, 'utf8').catch(() => undefined);

/**
 * The project's compose file and name; throws FileError when it was never generated. Where the
 * file is comes from llmdev.config.yaml alone (project.devcontainerDir), as for `llmdev generate`.
 */
export async function loadComposeProject(
  dir: string,
  env: Record<string, string | undefined> = process.env,
): Promise<ComposeProject> {
  const layout = layoutOf((await loadConfig({ dir, overrides: false })).config);
  const file = join(dir, layout.compose);
  const text = await readOptional(file);
  if (text === undefined) {
    throw new FileError(`${file} does not exist`, {
      hint: 'Run `llmdev up` (it generates the files), or `llmdev init` in a new project.',
    });
  }
  const parsed = parseYaml(text) as { name?: unknown } | null;
  const name = resolveProjectName({
    env,
    rootDotenv: await readOptional(join(dir, '.env')),
    composeDotenv: await readOptional(join(dir, layout.composeEnv)),
    composeName: typeof parsed?.name === 'string' ? parsed.name : undefined,
    projectDir: dir,
  });
  return { dir, file, name };
}

/** loadComposeProject, after making sure an engine answers (its error says how to get one). */
export async function connectComposeProject(dir: string): Promise<ComposeProject> {
  await assertEngine(await connectEngine());
  return loadComposeProject(dir);
}

export interface ComposeRunOptions {
  /**
   * `inherit`: output goes straight to the terminal (logs, shell); `progress`: all of it to stderr
   * (build and start progress is human text); `pipe`: captured and returned.
   */
  output?: 'inherit' | 'progress' | 'pipe';
  /** Extra environment for Compose's interpolation. */
  env?: Record<string, string>;
  /** The compose files (default: the project's one); see composeFilesOf in containers.ts. */
  files?: readonly string[];
}

/** Runs `docker compose <args>` for the project; throws ToolError on failure. */
export async function runCompose(
  project: ComposeProject,
  args: readonly string[],
  { output = 'pipe', env = {}, files = [project.file] }: ComposeRunOptions = {},
): Promise<string> {
  const argv = ['compose', '-p', project.name, ...files.flatMap((file) => ['-f', file]), ...args];
  const result = await execa('docker', argv, {
    cwd: project.dir,
    env,
    reject: false,
    stdin: output === 'pipe' ? 'ignore' : 'inherit',
    stdout: output === 'progress' ? 2 : output,
    stderr: output === 'progress' ? 'inherit' : output,
  });
  if (result.failed) throw composeError(args, result);
  return String(result.stdout ?? '');
}

interface Failure {
  exitCode?: number | undefined;
  stderr?: unknown;
  code?: string | undefined;
  cause?: unknown;
}

function composeError(args: readonly string[], result: Failure): ToolError {
  const code = result.code ?? (result.cause as NodeJS.ErrnoException | undefined)?.code;
  if (code === 'ENOENT') {
    return new ToolError('the docker command is not installed', { hint: ENGINE_HINT });
  }
  const stderr = typeof result.stderr === 'string' ? redact(result.stderr).trim() : '';
  if (/is not a docker command|unknown command.*compose/i.test(stderr)) {
    return new ToolError('Docker Compose v2 (`docker compose`) is not installed', { hint: COMPOSE_HINT });
  }
  const tail = stderr.split('\n').slice(-5).join('\n');
  return new ToolError(
    `docker compose ${args[0] ?? ''} failed${result.exitCode === undefined ? '' : ` (exit code ${result.exitCode})`}${tail ? `:\n${tail}` : ''}`,
    { hint: 'See the output above; `llmdev doctor` checks the engine, Compose, ports and secrets.' },
  );
}

/** `docker compose version`, e.g. "2.26.1"; throws ToolError when Docker or Compose v2 is missing. */
export async function composeVersion(): Promise<string> {
  const result = await execa('docker', ['compose', 'version', '--short'], { reject: false });
  if (result.failed) throw composeError(['version'], result);
  return String(result.stdout).trim().replace(/^v/, '');
}
