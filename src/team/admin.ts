/**
 * What a team admin runs once (`llmdev team init`): the database, a least-privilege login role
 * for the members' sidecars (SELECT and INSERT on the shared log, nothing else there: no UPDATE, no
 * DELETE, no DDL; the team budgets' books also take UPDATE/DELETE on their own tables), and the migrations. As SQL to print, or applied with an admin connection.
 */
import type { TeamConfig } from '../config/schema.js';
import { type TeamPool, teamError } from './connect.js';
import { migrateTeam, migrationScript, TEAM_MIGRATIONS } from './migrations.js';

export interface TeamNames {
  database: string;
  role: string;
}

const ident = (name: string) => `"${name.replaceAll('"', '""')}"`;
const literal = (text: string) => `'${text.replaceAll("'", "''")}'`;

export function teamNames(team: TeamConfig): TeamNames {
  const url = new URL(team.url);
  const role = decodeURIComponent(url.username);
  return { role, database: decodeURIComponent(url.pathname.replace(/^\//, '')) || role };
}

/** The GRANTs of every migration, for the members' role. */
export function grantStatements(names: TeamNames): string[] {
  return [
    `GRANT CONNECT ON DATABASE ${ident(names.database)} TO ${ident(names.role)};`,
    `GRANT USAGE ON SCHEMA public TO ${ident(names.role)};`,
    `GRANT SELECT ON llmdev_schema_versions TO ${ident(names.role)};`,
    ...TEAM_MIGRATIONS.flatMap((migration) =>
      migration.grants.map(
        (grant) => `GRANT ${grant.privileges.join(', ')} ON ${ident(grant.table)} TO ${ident(names.role)};`,
      ),
    ),
  ];
}

/** The whole setup as SQL for psql; the password is set apart (never printed). */
export function teamInitScript(names: TeamNames, passwordSecret: string): string {
  return [
    '-- 1. As an admin, connected to any database of the server:',
    `CREATE ROLE ${ident(names.role)} LOGIN;`,
    `\\password ${names.role}`,
    `--    (type the value of .secrets/${passwordSecret}; each member puts it there with \`llmdev secrets set ${passwordSecret}\`)`,
    `CREATE DATABASE ${ident(names.database)};`,
    `-- 2. As the same admin, connected to ${names.database} (\\c ${names.database}):`,
    migrationScript(),
    ...grantStatements(names),
    '',
  ].join('\n');
}

/** Applies the setup with `admin` (a pool on the server's `postgres` database) and `onDatabase`. */
export async function applyTeamInit(
  team: TeamConfig,
  password: string,
  admin: TeamPool,
  onDatabase: () => TeamPool,
): Promise<string[]> {
  const names = teamNames(team);
  const done: string[] = [];
  try {
    const role = await admin.query('SELECT 1 FROM pg_roles WHERE rolname = $1', [names.role]);
    if (role.rowCount === 0) {
      await admin.query(`CREATE ROLE ${ident(names.role)} LOGIN PASSWORD ${literal(password)}`);
      done.push(`created role ${names.role}`);
    } else {
      await admin.query(`ALTER ROLE ${ident(names.role)} LOGIN PASSWORD ${literal(password)}`);
      done.push(`set the password of role ${names.role}`);
    }
    const database = await admin.query('SELECT 1 FROM pg_database WHERE datname = $1', [names.database]);
    if (database.rowCount === 0) {
      await admin.query(`CREATE DATABASE ${ident(names.database)}`);
      done.push(`created database ${names.database}`);
    }
    const pool = onDatabase();
    try {
      const version = await migrateTeam(pool, team);
      done.push(`schema at version ${version}`);
      for (const statement of grantStatements(names)) await pool.query(statement);
      done.push(`granted ${names.role} SELECT and INSERT on the shared log, and the team budgets' books`);
    } finally {
      await pool.end();
    }
  } catch (error) {
    throw teamError(error, team);
  }
  return done;
}
