/** `llmdev doctor`'s team check against a real PostgreSQL: a pass with the schema version, each failure with its fix. */
import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { jest } from '@jest/globals';
import { parseConfig } from '../../../src/config/load.js';
import type { TeamConfig } from '../../../src/config/schema.js';
import { teamCheck } from '../../../src/team/check.js';
import { createTeamPool, describeServer } from '../../../src/team/connect.js';
import { LATEST_TEAM_VERSION, migrateTeam } from '../../../src/team/migrations.js';
import { type PrivatePostgres, startPostgres } from '../../helpers/postgres.js';

jest.setTimeout(120_000);

let postgres: PrivatePostgres;
let secrets: string;
beforeAll(async () => {
  postgres = await startPostgres();
  secrets = await mkdtemp(join(tmpdir(), 'llmdev-doctor-team-'));
});
afterAll(async () => {
  await postgres.close();
  await rm(secrets, { recursive: true, force: true });
});

const teamFor = (url: string): TeamConfig => {
  const { team } = parseConfig({
    text: `project: {name: t}\nteam: {url: "${url}", member: a@example.com}\n`,
  });
  if (!team) throw new Error('no team section');
  return team;
};

it('passes with the schema version, and says when the sidecar will migrate it', async () => {
  const url = await postgres.createTeamDatabase('doctor_ok', 'pw-doctor');
  const team = teamFor(url);
  await writeFile(join(secrets, team.passwordSecret), 'pw-doctor\n');
  const fresh = await teamCheck(team, secrets);
  expect(fresh).toMatchObject({ check: 'team database', ok: true });
  expect(fresh.detail).toContain(`the sidecar migrates it to ${LATEST_TEAM_VERSION}`);

  const pool = createTeamPool(team, 'pw-doctor');
  await migrateTeam(pool, team).finally(() => pool.end());
  expect(await teamCheck(team, secrets)).toEqual({
    check: 'team database',
    ok: true,
    detail: `${describeServer(url)}: schema at version ${LATEST_TEAM_VERSION}`,
  });
});

it('fails with a fix for a missing password file and for a wrong password, never showing the password', async () => {
  const url = await postgres.createTeamDatabase('doctor_bad', 'pw-right');
  const team = teamFor(url);
  await rm(join(secrets, team.passwordSecret), { force: true });
  const missing = await teamCheck(team, secrets);
  expect(missing.ok).toBe(false);
  expect(missing.detail).toMatch(/password file is missing/);
  expect(missing.fix).toContain(`llmdev secrets set ${team.passwordSecret}`);

  await writeFile(join(secrets, team.passwordSecret), 'pw-wrong-secret');
  const wrong = await teamCheck(team, secrets);
  expect(wrong.ok).toBe(false);
  expect(wrong.fix).toBeTruthy();
  expect(JSON.stringify(wrong)).not.toContain('pw-wrong-secret');
});
