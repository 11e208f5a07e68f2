/**
 * Team budgets wired into the sidecar (only with `team:` and at least one team budget): a pool on
 * the team's Postgres, the schema migrated in the background (a call before that is treated as
 * Postgres unreachable, per team.whenUnreachable), and the settlements fed by every commit.
 */
import { performance } from 'node:perf_hooks';
import type { Config } from '../config/schema.js';
import type { Pricer } from '../pricing/index.js';
import { createTeamBudgets, type TeamBudgets } from '../team/budgets/index.js';
import { createTeamPool, readTeamPassword } from '../team/connect.js';
import { resolveMember } from '../team/member.js';
import { migrateTeam } from '../team/migrations.js';
import type { Logger } from './log.js';
import type { UsageStore } from './store/index.js';

export interface SidecarTeamBudgets extends TeamBudgets {
  /** The team database password, for log redaction. */
  password: string;
}

export interface SidecarTeamBudgetsOptions {
  config: Pick<Config, 'team' | 'limits'>;
  secretsDir: string;
  store: Pick<UsageStore, 'writer'>;
  pricer: Pick<Pricer, 'maxCostUsd'>;
  log: Logger;
  now: () => Date;
}

export async function startTeamBudgets(
  options: SidecarTeamBudgetsOptions,
): Promise<SidecarTeamBudgets | null> {
  const { config, log } = options;
  const team = config.team;
  if (!team || team.budgets.length === 0) return null;
  const member = resolveMember(team);
  const password = await readTeamPassword(team, options.secretsDir);
  const pool = createTeamPool(team, password, {
    // Reservations of concurrent calls wait on one row lock in Postgres; more connections only queue there.
    max: 8,
    connectTimeoutMs: 2000,
    applicationName: `llmdev sidecar budgets (${member})`,
    onIdleError: (error) => log.debug('team database connection closed', { error: error.message }),
  });
  let migrated: Promise<unknown> | null = null;
  const migrate = () => {
    migrated ??= migrateTeam(pool, team).catch((error: unknown) => {
      migrated = null; // tried again by the next call
      throw error;
    });
    return migrated;
  };
  migrate().catch((error: unknown) => log.warn('team database not ready for team budgets', { error }));
  const budgets = createTeamBudgets({
    team,
    member,
    db: {
      query: async (text, values) => {
        await migrate();
        return pool.query(text, values);
      },
    },
    pricer: options.pricer,
    limits: config.limits,
    now: () => options.now().getTime(),
    clock: () => performance.now(),
    warn: (message, fields) => log.warn(message, fields),
  });
  options.store.writer.onCommit((records) => budgets.committed(records));
  return {
    ...budgets,
    password,
    async close(timeoutMs) {
      await budgets.close(timeoutMs);
      await pool.end().catch(() => undefined);
    },
  };
}
