/**
 * The connection to the team's PostgreSQL: a `pg` Pool from `team.url` plus the password read from
 * its secret file (never from the URL, the environment or the config). Errors name the server
 * without the password and say what to fix.
 */
import { join } from 'node:path';
import pg from 'pg';
import type { TeamConfig } from '../config/schema.js';
import { SecretError, TeamError } from '../errors/index.js';
import { readSecretFile } from '../secrets/read.js';

export type TeamPool = pg.Pool;

export interface TeamPoolOptions {
  /** Most connections this process opens (the replicator needs one; budgets a few). */
  max?: number;
  /** Give up connecting after this long, so an unreachable server fails a cycle instead of hanging it. */
  connectTimeoutMs?: number;
  /** An idle connection broke (server restarted): reported, and the pool reconnects on next use. */
  onIdleError?: (error: Error) => void;
  /** Shown in pg_stat_activity. */
  applicationName?: string;
}

/** The password from `<secretsDir>/<team.passwordSecret>`; a missing or empty file is an error. */
export async function readTeamPassword(team: TeamConfig, secretsDir: string): Promise<string> {
  const file = join(secretsDir, team.passwordSecret);
  const password = await readSecretFile(file);
  if (!password) {
    throw new SecretError(
      `${file}: the team database password file is ${password === undefined ? 'missing' : 'empty'}`,
      {
        hint: `Ask your team admin for the password of ${describeServer(team.url)} and run \`llmdev secrets set ${team.passwordSecret}\`.`,
      },
    );
  }
  return password;
}

export function createTeamPool(team: TeamConfig, password: string, options: TeamPoolOptions = {}): TeamPool {
  // pg lets the connection string's (absent) password win over a `password` option: put it in the URL.
  const withPassword = new URL(team.url);
  withPassword.password = encodeURIComponent(password);
  const pool = new pg.Pool({
    connectionString: withPassword.toString(),
    max: options.max ?? 4,
    connectionTimeoutMillis: options.connectTimeoutMs ?? 5_000,
    idleTimeoutMillis: 30_000,
    application_name: options.applicationName ?? 'llmdev',
  });
  // Without a listener, an idle client's error (the server went away) would crash the process.
  pool.on('error', (error) => options.onIdleError?.(error));
  return pool;
}

/** `user@host:port/database`: the URL as it may be shown (it never holds a password). */
export function describeServer(url: string): string {
  const parsed = new URL(url);
  const database =
    decodeURIComponent(parsed.pathname.replace(/^\//, '')) || decodeURIComponent(parsed.username);
  return `${decodeURIComponent(parsed.username)}@${parsed.hostname}:${parsed.port || '5432'}/${database}`;
}

/** SQLSTATE codes (and socket codes) we can explain; the rest keep the server's own message. */
const EXPLAINED: Record<string, (server: string, team: TeamConfig) => { what: string; hint: string }> = {
  '28P01': (server, team) => ({
    what: `${server}: password authentication failed`,
    hint: `Check .secrets/${team.passwordSecret} (\`llmdev secrets set ${team.passwordSecret}\`) and the user in team.url.`,
  }),
  '28000': (server) => ({
    what: `${server}: the server refused this login (pg_hba.conf)`,
    hint: 'Ask your team admin to allow this user from your address (pg_hba.conf), or check sslmode in team.url.',
  }),
  '3D000': (server) => ({
    what: `${server}: the database does not exist`,
    hint: 'Create it with `llmdev team init --apply` (as an admin), or fix the database name in team.url.',
  }),
  '42501': (server) => ({
    what: `${server}: this user lacks a privilege llmdev needs`,
    hint: 'Run `llmdev team init` and have your admin apply its GRANTs (or `llmdev team init --apply` as an admin).',
  }),
  ECONNREFUSED: (server) => ({
    what: `${server}: connection refused`,
    hint: 'Is PostgreSQL running there? Check host and port in team.url (inside the dev container, localhost is the sidecar itself).',
  }),
  ENOTFOUND: (server) => ({
    what: `${server}: unknown host`,
    hint: 'Check the host name in team.url.',
  }),
};

/** A pg or socket error as a TeamError that says what failed, where, and how to fix it. */
export function teamError(error: unknown, team: TeamConfig): TeamError {
  if (error instanceof TeamError) return error;
  const server = describeServer(team.url);
  const code = (error as { code?: unknown }).code;
  const explain = typeof code === 'string' ? EXPLAINED[code] : undefined;
  if (explain) {
    const { what, hint } = explain(server, team);
    return new TeamError(what, { hint, cause: error });
  }
  const message = error instanceof Error ? error.message : String(error);
  return new TeamError(`${server}: ${message}`, {
    hint: 'Check that the team database is reachable from here (`llmdev doctor`); records keep being logged locally meanwhile.',
    cause: error,
  });
}
