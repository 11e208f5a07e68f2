/**
 * Versioned schema migrations of the team's PostgreSQL, like usage.db's (src/sidecar/store/
 * migrations.ts). Pending migrations run in one transaction holding an advisory lock, so sidecars
 * starting together never apply one twice and a failure leaves the previous version intact.
 * Append new migrations; never edit a released one. Migrations are additive (new tables, new
 * nullable columns) so a teammate on an older llmdev keeps working against a newer schema.
 *
 * `grants` lists what a member's role needs on the tables of each migration: `llmdev team init`
 * turns them into GRANT statements for the least-privilege role (members never UPDATE or DELETE
 * the shared log).
 */
import type { TeamConfig } from '../config/schema.js';
import { TeamError } from '../errors/index.js';
import { TEAM_BUDGETS_MIGRATION } from './budgets/migration.js';
import { describeServer, type TeamPool, teamError } from './connect.js';

export type TablePrivilege = 'SELECT' | 'INSERT' | 'UPDATE' | 'DELETE';

export interface TeamMigration {
  version: number;
  description: string;
  sql: string;
  grants: readonly { table: string; privileges: readonly TablePrivilege[] }[];
}

/** An arbitrary advisory-lock key, llmdev's own ("llmdev" in ASCII, as a number). */
export const MIGRATION_LOCK_KEY = 0x6c6c6d646576;

export const VERSION_TABLE = 'llmdev_schema_versions';

export const TEAM_MIGRATIONS: readonly TeamMigration[] = [
  {
    version: 1,
    description: 'shared usage log',
    sql: `
      -- One row per LLM call of any member: usage_records of usage.db plus who made the call.
      CREATE TABLE team_usage_records (
        id text PRIMARY KEY,
        member text NOT NULL,
        ts timestamptz NOT NULL,
        provider text NOT NULL,
        model text NOT NULL,
        response_model text,
        endpoint text NOT NULL,
        stream boolean NOT NULL,
        source text NOT NULL,
        input_tokens bigint NOT NULL,
        output_tokens bigint NOT NULL,
        cached_input_tokens bigint NOT NULL,
        cache_write_tokens bigint NOT NULL,
        cache_write_1h_tokens bigint NOT NULL,
        reasoning_tokens bigint NOT NULL,
        cost_usd double precision,
        saved_usd double precision,
        pricing_source text,
        latency_ms double precision,
        ttfb_ms double precision,
        status integer NOT NULL,
        error text,
        estimated boolean NOT NULL,
        tags jsonb NOT NULL,
        prompt_name text,
        prompt_version text,
        params jsonb NOT NULL,
        system_fingerprint text,
        upstream_request_id text,
        replicated_at timestamptz NOT NULL DEFAULT now()
      );
      -- Reports filter on time ranges, per member and per day.
      CREATE INDEX team_usage_records_ts ON team_usage_records (ts);
      CREATE INDEX team_usage_records_member_ts ON team_usage_records (member, ts);
      -- Request bodies, only from members with team.shareBodies on.
      CREATE TABLE team_request_bodies (
        record_id text PRIMARY KEY REFERENCES team_usage_records (id),
        member text NOT NULL,
        body text NOT NULL
      );
    `,
    grants: [
      { table: 'team_usage_records', privileges: ['SELECT', 'INSERT'] },
      { table: 'team_request_bodies', privileges: ['SELECT', 'INSERT'] },
    ],
  },
  { version: 2, ...TEAM_BUDGETS_MIGRATION },
];

export const LATEST_TEAM_VERSION = TEAM_MIGRATIONS.at(-1)?.version ?? 0;

const CREATE_VERSION_TABLE = `CREATE TABLE IF NOT EXISTS ${VERSION_TABLE} (
  version integer PRIMARY KEY,
  description text NOT NULL,
  applied_at timestamptz NOT NULL DEFAULT now()
)`;

/** The SQL `llmdev team init` prints: the migrations after `from`, as one locked transaction. */
export function migrationScript(migrations: readonly TeamMigration[] = TEAM_MIGRATIONS, from = 0): string {
  const pending = migrations.filter((migration) => migration.version > from);
  return [
    'BEGIN;',
    `SELECT pg_advisory_xact_lock(${MIGRATION_LOCK_KEY});`,
    `${CREATE_VERSION_TABLE};`,
    ...pending.flatMap((migration) => [
      `-- ${migration.version}: ${migration.description}`,
      migration.sql.trim().replace(/\n {6}/g, '\n'),
      `INSERT INTO ${VERSION_TABLE} (version, description) VALUES (${migration.version}, '${migration.description.replaceAll("'", "''")}');`,
    ]),
    'COMMIT;',
  ].join('\n');
}

/** The schema version the server has now (0: none yet). */
export async function teamSchemaVersion(pool: TeamPool): Promise<number> {
  const exists = await pool.query<{ name: string | null }>('SELECT to_regclass($1)::text AS name', [
    VERSION_TABLE,
  ]);
  if (exists.rows[0]?.name == null) return 0;
  const result = await pool.query<{ version: number | null }>(
    `SELECT max(version) AS version FROM ${VERSION_TABLE}`,
  );
  return result.rows[0]?.version ?? 0;
}

/**
 * Applies the pending migrations; returns the version the server is at. A server already newer than
 * this llmdev is fine (migrations are additive).
 */
export async function migrateTeam(
  pool: TeamPool,
  team: TeamConfig,
  migrations: readonly TeamMigration[] = TEAM_MIGRATIONS,
): Promise<number> {
  const latest = migrations.at(-1)?.version ?? 0;
  const client = await pool.connect().catch((error: unknown) => {
    throw teamError(error, team);
  });
  // A checked-out client whose server goes away emits 'error'; the failing query reports it.
  const ignore = () => undefined;
  client.on('error', ignore);
  try {
    await client.query('BEGIN');
    await client.query('SELECT pg_advisory_xact_lock($1)', [MIGRATION_LOCK_KEY]);
    const exists = await client.query<{ name: string | null }>('SELECT to_regclass($1)::text AS name', [
      VERSION_TABLE,
    ]);
    let current = 0;
    if (exists.rows[0]?.name != null) {
      const row = await client.query<{ version: number | null }>(
        `SELECT max(version) AS version FROM ${VERSION_TABLE}`,
      );
      current = row.rows[0]?.version ?? 0;
    }
    if (current >= latest) {
      await client.query('COMMIT');
      return current;
    }
    await client.query(CREATE_VERSION_TABLE);
    for (const migration of migrations) {
      if (migration.version <= current) continue;
      await client.query(migration.sql);
      await client.query(`INSERT INTO ${VERSION_TABLE} (version, description) VALUES ($1, $2)`, [
        migration.version,
        migration.description,
      ]);
    }
    await client.query('COMMIT');
    return latest;
  } catch (error) {
    await client.query('ROLLBACK').catch(() => undefined);
    if ((error as { code?: string }).code !== '42501') throw teamError(error, team);
    throw new TeamError(
      `${describeServer(team.url)}: the team schema is older than this llmdev's (version ${latest}) and this user may not migrate it`,
      {
        hint: 'Have your team admin run `llmdev team init --apply` (it applies the migrations), then restart.',
        cause: error,
      },
    );
  } finally {
    client.off('error', ignore);
    client.release();
  }
}
