/** `llmdev team init`'s setup applied to a real PostgreSQL: the member role can log, read and nothing more. */
import { jest } from '@jest/globals';
import { parseConfig } from '../../../src/config/load.js';
import type { TeamConfig } from '../../../src/config/schema.js';
import { applyTeamInit, teamInitScript, teamNames } from '../../../src/team/admin.js';
import { createTeamPool } from '../../../src/team/connect.js';
import { LATEST_TEAM_VERSION, teamSchemaVersion } from '../../../src/team/migrations.js';
import { teamSummary } from '../../../src/team/report.js';
import {
  type PrivatePostgres,
  SUPERUSER,
  SUPERUSER_PASSWORD,
  startPostgres,
} from '../../helpers/postgres.js';

jest.setTimeout(120_000);

let postgres: PrivatePostgres;
beforeAll(async () => {
  postgres = await startPostgres();
});
afterAll(() => postgres.close());

it('creates the database, a least-privilege role and the schema; applying twice changes nothing', async () => {
  const url = postgres.url('llmdev_member', 'team_log');
  const team = parseConfig({ text: `project: {name: t}\nteam: {url: "${url}", member: a@example.com}\n` })
    .team as TeamConfig;
  const admin = createTeamPool({ ...team, url: postgres.url(SUPERUSER, 'postgres') }, SUPERUSER_PASSWORD);
  const onDatabase = () =>
    createTeamPool({ ...team, url: postgres.url(SUPERUSER, 'team_log') }, SUPERUSER_PASSWORD);
  const member = createTeamPool(team, 'member-password');
  try {
    const done = await applyTeamInit(team, 'member-password', admin, onDatabase);
    expect(done).toEqual([
      'created role llmdev_member',
      'created database team_log',
      `schema at version ${LATEST_TEAM_VERSION}`,
      "granted llmdev_member SELECT and INSERT on the shared log, and the team budgets' books",
    ]);
    expect((await applyTeamInit(team, 'member-password', admin, onDatabase))[0]).toBe(
      'set the password of role llmdev_member',
    );
    expect(await teamSchemaVersion(member)).toBe(LATEST_TEAM_VERSION);
    await member.query(
      `INSERT INTO team_usage_records (id, member, ts, provider, model, endpoint, stream, source, input_tokens,
         output_tokens, cached_input_tokens, cache_write_tokens, cache_write_1h_tokens, reasoning_tokens, status,
         estimated, tags, params)
       VALUES ('r1', 'a@example.com', now(), 'openai', 'm', '/v1/chat/completions', false, 'proxy', 1, 1, 0, 0, 0, 0, 200, false, '{}', '{}')`,
    );
    const byMember = await teamSummary(member, { groupBy: 'member' });
    expect(byMember.totals.requests).toBe(1);
    expect(byMember.groups).toEqual([
      expect.objectContaining({ key: 'a@example.com', requests: 1, inputTokens: 1 }),
    ]);
    const byDay = await teamSummary(member, { groupBy: 'day', since: '2000-01-01T00:00:00Z' });
    expect(byDay.groups[0]?.key).toMatch(/^\d{4}-\d{2}-\d{2}$/);
    await expect(member.query('DELETE FROM team_usage_records')).rejects.toMatchObject({ code: '42501' });
    await expect(member.query('UPDATE team_usage_records SET cost_usd = 0')).rejects.toMatchObject({
      code: '42501',
    });
    await expect(member.query('CREATE TABLE sneaky (x int)')).rejects.toMatchObject({ code: '42501' });
  } finally {
    await Promise.all([admin.end(), member.end()]);
  }
});

it('prints the same setup as SQL, without any password', () => {
  const script = teamInitScript({ database: 'team_log', role: 'llmdev_member' }, 'postgres_password');
  expect(script).toContain('CREATE ROLE "llmdev_member" LOGIN;');
  expect(script).toContain('\\password llmdev_member');
  expect(script).toContain('CREATE TABLE team_usage_records');
  expect(script).toContain('GRANT SELECT, INSERT ON "team_usage_records" TO "llmdev_member";');
  expect(teamNames({ url: 'postgres://u@h/db' } as TeamConfig)).toEqual({ role: 'u', database: 'db' });
});
