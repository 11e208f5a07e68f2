/**
 * A private PostgreSQL server for tests and benches: its own data directory (initdb) and port on
 * 127.0.0.1, so a test can stop, restart or kill it without disturbing anyone else's server. Uses
 * Debian's binaries (/usr/lib/postgresql/<version>/bin, `apt-get install postgresql`, which
 * scripts/provision-test-tools.sh does); never skips when they are missing, it fails saying so.
 * As root (CI), the server runs as the `postgres` user: PostgreSQL refuses to run as root.
 */
import { type ChildProcess, execFileSync, spawn } from 'node:child_process';
import { existsSync, readdirSync } from 'node:fs';
import { chown, mkdtemp, rm, writeFile } from 'node:fs/promises';
import { createServer } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import pg from 'pg';

export const SUPERUSER = 'postgres';
export const SUPERUSER_PASSWORD = 'test-superuser-password';

export interface PrivatePostgres {
  port: number;
  /** postgres://USER@127.0.0.1:PORT/DATABASE, without a password (as team.url wants it). */
  url(user: string, database: string): string;
  /** A superuser pool on `database` (default postgres); closed by close(). */
  admin(database?: string): pg.Pool;
  /** Creates a database and a login role that owns it; returns the team.url for it. */
  createTeamDatabase(name: string, password: string): Promise<string>;
  /** Fast shutdown (SIGINT): open connections are cut, as when an admin restarts the server. */
  stop(): Promise<void>;
  /** Starts it again on the same port and data. */
  start(): Promise<void>;
  close(): Promise<void>;
}

function binDir(): string {
  const root = '/usr/lib/postgresql';
  const versions = existsSync(root)
    ? readdirSync(root)
        .filter((name) => existsSync(join(root, name, 'bin', 'postgres')))
        .sort((a, b) => Number(b) - Number(a))
    : [];
  const version = versions[0];
  if (version === undefined) {
    throw new Error(
      'PostgreSQL is not installed: run `bash scripts/provision-test-tools.sh` (apt-get install postgresql)',
    );
  }
  return join(root, version, 'bin');
}

/** uid/gid to run the server as: ourselves, or the postgres user when we are root. */
function serverUser(): { uid: number; gid: number } | undefined {
  if (process.getuid?.() !== 0) return undefined;
  const uid = Number(execFileSync('id', ['-u', 'postgres'], { encoding: 'utf8' }).trim());
  const gid = Number(execFileSync('id', ['-g', 'postgres'], { encoding: 'utf8' }).trim());
  return { uid, gid };
}

async function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const server = createServer();
    server.once('error', reject);
    server.listen(0, '127.0.0.1', () => {
      const { port } = server.address() as { port: number };
      server.close(() => resolve(port));
    });
  });
}

export async function startPostgres(): Promise<PrivatePostgres> {
  const bin = binDir();
  const user = serverUser();
  const dir = await mkdtemp(join(tmpdir(), 'llmdev-postgres-'));
  const data = join(dir, 'data');
  const passwordFile = join(dir, 'pwfile');
  await writeFile(passwordFile, SUPERUSER_PASSWORD, { mode: 0o600 });
  if (user) {
    await chown(dir, user.uid, user.gid);
    await chown(passwordFile, user.uid, user.gid);
  }
  execFileSync(
    join(bin, 'initdb'),
    [
      '-D',
      data,
      '-U',
      SUPERUSER,
      '--auth=scram-sha-256',
      `--pwfile=${passwordFile}`,
      '-E',
      'UTF8',
      '--no-sync',
    ],
    { stdio: 'pipe', ...user },
  );
  const port = await freePort();
  const pools: pg.Pool[] = [];
  let server: ChildProcess | undefined;
  let output = '';

  const start = async () => {
    output = '';
    const child = spawn(
      join(bin, 'postgres'),
      [
        '-D',
        data,
        '-p',
        String(port),
        '-h',
        '127.0.0.1',
        '-k',
        dir,
        '-c',
        'fsync=off',
        '-c',
        'max_connections=200',
      ],
      { stdio: ['ignore', 'pipe', 'pipe'], ...user },
    );
    child.stdout?.on('data', (chunk: Buffer) => {
      output += chunk.toString();
    });
    child.stderr?.on('data', (chunk: Buffer) => {
      output += chunk.toString();
    });
    server = child;
    const deadline = Date.now() + 30_000;
    for (;;) {
      if (child.exitCode !== null) throw new Error(`postgres exited: ${output}`);
      const client = new pg.Client({
        host: '127.0.0.1',
        port,
        user: SUPERUSER,
        password: SUPERUSER_PASSWORD,
        database: 'postgres',
      });
      try {
        await client.connect();
        await client.end();
        return;
      } catch {
        await client.end().catch(() => undefined);
        if (Date.now() > deadline) throw new Error(`postgres did not start within 30 s: ${output}`);
        await new Promise((resolve) => setTimeout(resolve, 100));
      }
    }
  };

  const stop = async () => {
    const child = server;
    server = undefined;
    if (!child || child.exitCode !== null) return;
    const exited = new Promise((resolve) => child.once('exit', resolve));
    child.kill('SIGINT');
    await exited;
  };

  await start();
  const admin = (database = 'postgres') => {
    const pool = new pg.Pool({
      host: '127.0.0.1',
      port,
      user: SUPERUSER,
      password: SUPERUSER_PASSWORD,
      database,
      max: 4,
    });
    pool.on('error', () => undefined); // a restart cuts idle connections; the next query reconnects
    pools.push(pool);
    return pool;
  };
  const root = admin();
  return {
    port,
    url: (name, database) => `postgres://${name}@127.0.0.1:${port}/${database}`,
    admin,
    async createTeamDatabase(name, password) {
      await root.query(`CREATE ROLE "${name}" LOGIN PASSWORD '${password.replaceAll("'", "''")}'`);
      await root.query(`CREATE DATABASE "${name}" OWNER "${name}"`);
      return `postgres://${name}@127.0.0.1:${port}/${name}`;
    },
    stop,
    start,
    async close() {
      await Promise.all(pools.map((pool) => pool.end().catch(() => undefined)));
      await stop();
      await rm(dir, { recursive: true, force: true });
    },
  };
}
