/** `llmdev usage --team`: the report from the team's PostgreSQL, with the password from .secrets/ on the host. */
import { loadConfig } from '../../config/load.js';
import { UsageError } from '../../errors/index.js';
import { secretsDir } from '../../secrets/store.js';
import { createTeamPool, describeServer, readTeamPassword, teamError } from '../../team/connect.js';
import { type TeamGroupBy, teamSummary } from '../../team/report.js';
import type { UsageReport } from './render.js';

export interface TeamReportQuery {
  since: string | undefined;
  until: string | undefined;
  groupBy: TeamGroupBy | undefined;
}

export async function reportFromTeam(dir: string, query: TeamReportQuery): Promise<UsageReport> {
  const { config } = await loadConfig({ dir });
  const team = config.team;
  if (!team) {
    throw new UsageError('--team: llmdev.config.yaml has no team: section', {
      hint: 'Team mode needs `team: {url: postgres://USER@HOST/DATABASE}` (see docs/team.md).',
    });
  }
  const pool = createTeamPool(team, await readTeamPassword(team, secretsDir(dir)), { max: 1 });
  try {
    const summary = await teamSummary(pool, query).catch((error: unknown) => {
      throw teamError(error, team);
    });
    return {
      source: { kind: 'team', location: describeServer(team.url) },
      since: query.since ?? null,
      until: query.until ?? null,
      groupBy: query.groupBy ?? null,
      totals: summary.totals,
      groups: summary.groups,
    };
  } finally {
    await pool.end();
  }
}
