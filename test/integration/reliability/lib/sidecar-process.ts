/**
 * The sidecar as the container runs it, `llmdev sidecar`, in a child process: a project folder with
 * a config pointing both providers at a fake provider, secret files, and a data dir that survives
 * restarts. Used by the crash, fuzz and soak tests and by `npm run bench:crash|soak`.
 */
import { type ChildProcess, spawn } from 'node:child_process';
import { readFileSync } from 'node:fs';
import { mkdir, mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import BetterSqlite3 from 'better-sqlite3';
import { stringify } from 'yaml';

export const SOURCE_CLI = fileURLToPath(new URL('../../../../src/cli/main.ts', import.meta.url));
export const TOKEN = 'reliability-test-token-0123456789abcdef';
export const OPENAI_KEY = 'sk-proj-reliabilityOpenaiUpstreamKey0123456789';
export const ANTHROPIC_KEY = 'sk-ant-api03-reliabilityAnthropicUpstreamKey012345';

export interface SidecarProject {
  dir: string;
  configFile: string;
  dataDir: string;
  secretsDir: string;
  /** usage.db */
  databaseFile: string;
  remove(): Promise<void>;
}

/**
 * A project folder whose sidecar config sends both providers to `fakeUrl` (live mode). The log
 * level stays at info or below: startSidecar waits for the "listening" line.
 */
export async function createSidecarProject(
  fakeUrl: string,
  sidecar: Record<string, unknown> = {},
  extra: Record<string, unknown> = {},
): Promise<SidecarProject> {
  const dir = await mkdtemp(join(tmpdir(), 'llmdev-reliability-'));
  const configFile = join(dir, 'llmdev.config.yaml');
  const dataDir = join(dir, 'data');
  const secretsDir = join(dir, 'secrets');
  await mkdir(secretsDir, { mode: 0o700 });
  await writeFile(join(secretsDir, 'llmdev_token'), TOKEN, { mode: 0o600 });
  await writeFile(join(secretsDir, 'openai_api_key'), OPENAI_KEY, { mode: 0o600 });
  await writeFile(join(secretsDir, 'anthropic_api_key'), ANTHROPIC_KEY, { mode: 0o600 });
  await writeFile(
    configFile,
    stringify({
      project: { name: 'reliability' },
      providers: { openai: { baseUrl: `${fakeUrl}/v1` }, anthropic: { baseUrl: fakeUrl } },
      sidecar: { logLevel: 'info', ...sidecar },
      // Load tests send thousands of calls a minute: the per-token rate limit would answer 429.
      limits: { requestsPerMinute: 100_000_000 },
      ...extra,
    }),
  );
  return {
    dir,
    configFile,
    dataDir,
    secretsDir,
    databaseFile: join(dataDir, 'usage.db'),
    remove: () => rm(dir, { recursive: true, force: true }),
  };
}

export interface SidecarProcess {
  child: ChildProcess;
  pid: number;
  url: string;
  /** The last 1000 log lines (JSON). */
  logs: string[];
  exited: Promise<number | null>;
  /** SIGKILL, no chance to flush anything; resolves once the process is gone. */
  kill9(): Promise<void>;
  /** SIGTERM (drain), resolves with the exit code. */
  stop(): Promise<number | null>;
}

export interface StartOptions {
  /** The CLI entry: the TypeScript source (through tsx, the default) or dist/cli/main.js. */
  cli?: string;
  /** Extra node flags, e.g. --max-semi-space-size. */
  nodeFlags?: string[];
  /** Extra environment, e.g. MALLOC_ARENA_MAX. */
  env?: Record<string, string>;
}

/** Spawns `llmdev sidecar` on a random port; `onSpawn` runs before it listens (for startup kills). */
export function spawnSidecar(project: SidecarProject, options: StartOptions = {}) {
  const cli = options.cli ?? SOURCE_CLI;
  const args = [
    ...(options.nodeFlags ?? []),
    ...(cli.endsWith('.ts') ? ['--import', 'tsx'] : []),
    cli,
    'sidecar',
    '--config',
    project.configFile,
    '--port',
    '0',
    '--host',
    '127.0.0.1',
    '--data',
    project.dataDir,
    '--secrets',
    project.secretsDir,
  ];
  // The benches pass the image's flags and environment (bench/lib/image-runtime.ts); tests run plain node.
  const child = spawn(process.execPath, args, {
    stdio: ['ignore', 'pipe', 'pipe'],
    env: { ...process.env, ...options.env },
  });
  const exited = new Promise<number | null>((resolve) => child.once('exit', (code) => resolve(code)));
  return { child, exited };
}

export async function startSidecar(
  project: SidecarProject,
  options: StartOptions = {},
): Promise<SidecarProcess> {
  const { child, exited } = spawnSidecar(project, options);
  const logs: string[] = [];
  let stderr = '';
  child.stderr?.on('data', (chunk: Buffer) => {
    stderr += chunk.toString();
  });
  let pending = '';
  const listening = new Promise<string>((resolve, reject) => {
    child.stdout?.on('data', (chunk: Buffer) => {
      const lines = (pending + chunk.toString()).split('\n');
      pending = lines.pop() ?? '';
      for (const line of lines) {
        if (logs.push(line) > 1000) logs.shift(); // the latest lines are enough
        if (line.includes('llmdev sidecar listening')) resolve(line);
      }
    });
    exited.then((code) => reject(new Error(`the sidecar exited (code ${code}) before listening: ${stderr}`)));
    setTimeout(() => reject(new Error('the sidecar did not listen within 60 s')), 60_000).unref();
  });
  const line = await listening.catch((error: unknown) => {
    child.kill('SIGKILL');
    throw error;
  });
  const { address } = JSON.parse(line) as { address: string };
  const kill9 = async () => {
    child.kill('SIGKILL');
    await exited;
  };
  return {
    child,
    pid: child.pid as number,
    url: `http://${address}`,
    logs,
    exited,
    kill9,
    stop: async () => {
      child.kill('SIGTERM');
      return exited;
    },
  };
}

/** `PRAGMA integrity_check` and the stored ids, read with a separate read-only connection. */
export function inspectDatabase(file: string): { integrity: string; ids: string[]; schemaVersion: number } {
  const db = new BetterSqlite3(file, { readonly: true });
  try {
    const integrity = (db.pragma('integrity_check') as { integrity_check: string }[])
      .map((row) => row.integrity_check)
      .join('; ');
    const ids = db.prepare('SELECT id FROM usage_records').pluck().all() as string[];
    return { integrity, ids, schemaVersion: db.pragma('user_version', { simple: true }) as number };
  } finally {
    db.close();
  }
}

/** Resident memory of a process, MB (Linux /proc). */
export function rssMb(pid: number): number {
  const status = readFileSync(`/proc/${pid}/status`, 'utf8');
  return Number(/^VmRSS:\s+(\d+) kB/m.exec(status)?.[1] ?? Number.NaN) / 1024;
}
