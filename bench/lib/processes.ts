/** Child processes for the bench scripts: started with tsx, awaited until they say they are ready. */
import { readdirSync, readFileSync, statSync } from 'node:fs';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { execa } from 'execa';

export const ROOT = fileURLToPath(new URL('../../', import.meta.url));

const spawn = (args: string[], env: Record<string, string> = {}) =>
  execa('node', args, { cwd: ROOT, reject: false, env });
export type Child = ReturnType<typeof spawn>;

/**
 * Starts `node [--import tsx] <script> ...args` and resolves with the first stdout line matching
 * `ready`. TypeScript scripts run through tsx; compiled ones (dist/) run on plain node.
 */
export async function startNode(
  script: string,
  args: string[],
  ready: RegExp,
  nodeFlags: string[] = [],
  env: Record<string, string> = {},
): Promise<{ child: Child; line: string }> {
  const child = spawn(
    [...nodeFlags, ...(script.endsWith('.ts') ? ['--import', 'tsx'] : []), script, ...args],
    env,
  );
  const line = await new Promise<string>((resolve, reject) => {
    let buffered = '';
    const onData = (chunk: Buffer) => {
      buffered += chunk.toString();
      const match = buffered.split('\n').find((candidate) => ready.test(candidate));
      if (match) {
        child.stdout?.off('data', onData);
        child.stdout?.resume(); // keep draining its log so it never blocks on a full pipe
        resolve(match);
      }
    };
    child.stdout?.on('data', onData);
    child.then((result) => reject(new Error(`${script} exited before it was ready: ${result.stderr}`)));
    setTimeout(() => reject(new Error(`${script} did not print ${ready} within 60 s`)), 60_000).unref();
  });
  return { child, line };
}

/** Runs the load generator with a plan; resolves with its parsed result. */
export async function runLoad<T>(plan: object): Promise<T> {
  const result = await execa('node', ['--import', 'tsx', 'bench/lib/load.ts'], {
    cwd: ROOT,
    input: JSON.stringify(plan),
  });
  return JSON.parse(String(result.stdout)) as T;
}

/**
 * Resident memory of a process in MB (Linux): all of it, and the anonymous part (heap, stacks,
 * malloc); the rest is file-backed: the node binary's and libraries' pages read from disk.
 */
export function residentMb(pid: number): { rss: number; anonymous: number } {
  const rollup = readFileSync(`/proc/${pid}/smaps_rollup`, 'utf8');
  const field = (name: string) =>
    Number(new RegExp(`^${name}:\\s+(\\d+) kB`, 'm').exec(rollup)?.[1] ?? Number.NaN) / 1024;
  return { rss: field('Rss'), anonymous: field('Anonymous') };
}

/**
 * The compiled CLI (what the container runs), built first when dist/ is older than src/. Null when
 * the build fails (e.g. another change in progress does not compile).
 */
export async function compiledCli(): Promise<string | null> {
  const main = join(ROOT, 'dist/cli/main.js');
  const newest = (dir: string): number =>
    Math.max(
      0,
      ...readdirSync(dir, { withFileTypes: true }).map((entry) =>
        entry.isDirectory() ? newest(join(dir, entry.name)) : statSync(join(dir, entry.name)).mtimeMs,
      ),
    );
  const builtAt = (() => {
    try {
      return statSync(main).mtimeMs;
    } catch {
      return 0;
    }
  })();
  if (builtAt > newest(join(ROOT, 'src'))) return main;
  const build = await execa('npm', ['run', 'build'], { cwd: ROOT, reject: false });
  return build.exitCode === 0 ? main : null;
}

/** CPU time (user + system) a process has used so far, in milliseconds (Linux). */
export function cpuMs(pid: number): number {
  // Fields after the command name (which may contain spaces): utime and stime are the 12th and 13th.
  const fields = readFileSync(`/proc/${pid}/stat`, 'utf8').split(') ')[1]?.split(' ') ?? [];
  return ((Number(fields[11]) + Number(fields[12])) * 1000) / CLOCK_TICKS_PER_SECOND;
}

/** USER_HZ: the unit of /proc/<pid>/stat times, 100 on every Linux architecture Node runs on. */
const CLOCK_TICKS_PER_SECOND = 100;
