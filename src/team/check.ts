/**
 * `llmdev doctor`'s team check, from the host: the password file, the connection and the schema
 * version, each failure with the fix. Never throws (a doctor check that cannot run fails).
 */
import type { TeamConfig } from '../config/schema.js';
import { LlmdevError } from '../errors/index.js';
import type { Finding } from '../secrets/check.js';
import { createTeamPool, describeServer, readTeamPassword, type TeamPool, teamError } from './connect.js';
import { LATEST_TEAM_VERSION, teamSchemaVersion } from './migrations.js';

const CHECK = 'team database';

export async function teamCheck(team: TeamConfig, secretsDir: string): Promise<Finding> {
  let pool: TeamPool | undefined;
  try {
    pool = createTeamPool(team, await readTeamPassword(team, secretsDir), {
      max: 1,
      applicationName: 'llmdev doctor',
    });
    const version = await teamSchemaVersion(pool);
    const schema =
      version >= LATEST_TEAM_VERSION
        ? `schema at version ${version}`
        : `schema at version ${version}; the sidecar migrates it to ${LATEST_TEAM_VERSION} when it starts`;
    return { check: CHECK, ok: true, detail: `${describeServer(team.url)}: ${schema}` };
  } catch (error) {
    // A missing password file keeps its own error and fix; pg and socket errors get explained.
    const explained = error instanceof LlmdevError ? error : teamError(error, team);
    return { check: CHECK, ok: false, detail: explained.message, fix: explained.hint ?? 'See docs/team.md.' };
  } finally {
    await pool?.end();
  }
}
