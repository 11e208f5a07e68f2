/** Team schema migrations against a real PostgreSQL: applied once, concurrently safe, and idempotent. */
import { jest } from '@jest/globals';
import { parseConfig } from '../../../src/config/load.js';
import type { TeamConfig } from '../../../src/config/schema.js';
import { createTeamPool } from '../../../src/team/connect.js';
import { LATEST_TEAM_VERSION, migrateTeam, teamSchemaVersion } from '../../../src/team/migrations.js';
import { type PrivatePostgres, startPostgres } from '../../helpers/postgres.js';

jest.setTimeout(120_000);

let postgres: PrivatePostgres;
beforeAll(async () => {
  postgres = await startPostgres();
});
afterAll(() => postgres.close());

const teamFor = (url: string): TeamConfig => {
  const { team } = parseConfig({
    text: `project: {name: t}\nteam: {url: "${url}", member: a@example.com}\n`,
  });
  if (!team) throw new Error('no team section');
  return team;
};

it('three sidecars migrating at once apply each migration exactly once', async () => {
  const url = await postgres.createTeamDatabase('migrate_once', 'pw-migrate');
  const team = teamFor(url);
  const pools = [1, 2, 3].map(() => createTeamPool(team, 'pw-migrate'));
  try {
    const versions = await Promise.all(pools.map((pool) => migrateTeam(pool, team)));
    expect(versions).toEqual([LATEST_TEAM_VERSION, LATEST_TEAM_VERSION, LATEST_TEAM_VERSION]);
    const applied = await pools[0]?.query('SELECT version FROM llmdev_schema_versions ORDER BY version');
    expect(applied?.rows.map((row) => row.version)).toEqual(
      Array.from({ length: LATEST_TEAM_VERSION }, (_, i) => i + 1),
    );
    expect(await migrateTeam(pools[0] as never, team)).toBe(LATEST_TEAM_VERSION);
    expect(await teamSchemaVersion(pools[1] as never)).toBe(LATEST_TEAM_VERSION);
  } finally {
    await Promise.all(pools.map((pool) => pool.end()));
  }
});

it('a wrong password is a TeamError naming the server and the secret to fix', async () => {
  const url = await postgres.createTeamDatabase('wrong_pw', 'right-password');
  const team = teamFor(url);
  const pool = createTeamPool(team, 'not-the-password');
  try {
    const failure = await migrateTeam(pool, team).catch((error: unknown) => error);
    expect(failure).toMatchObject({
      name: 'TeamError',
      message: `wrong_pw@127.0.0.1:${postgres.port}/wrong_pw: password authentication failed`,
    });
    expect((failure as { hint: string }).hint).toContain('llmdev secrets set postgres_password');
    expect(String((failure as Error).message)).not.toContain('not-the-password');
  } finally {
    await pool.end();
  }
});
