/**
 * Team mode in the sidecar: the outbox trigger in usage.db (on with `team:`, off without), and the
 * replicator that moves queued records to the team's PostgreSQL, woken by each local commit. A
 * team database that is down, unreachable or refusing the password never stops local work: the
 * failure is logged with its fix, shown by /healthz, `llmdev status` and /metrics, and retried.
 */
import type { Config, TeamConfig } from '../config/schema.js';
import { createTeamPool, describeServer, readTeamPassword, teamError } from '../team/connect.js';
import { resolveMember } from '../team/member.js';
import { migrateTeam } from '../team/migrations.js';
import { createReplicator, type Replicator } from '../team/replicator.js';
import type { Logger } from './log.js';
import type { UsageStore } from './store/index.js';
import { openOutbox, setOutboxTrigger } from './store/outbox.js';

export interface TeamMode {
  replicator: Replicator;
  /** The password in use, for log redaction. */
  secrets(): string[];
}

export interface TeamModeOptions {
  config: Config;
  store: UsageStore;
  secretsDir: string;
  log: Logger;
  /** Retry delays after a failure (tests shorten them). */
  retryMs?: { min: number; max: number };
}

/** null without `team:` (and the outbox trigger is removed, so nothing queues up for nobody). */
export function startTeamMode(options: TeamModeOptions): TeamMode | null {
  const { config, store, log } = options;
  const team: TeamConfig | undefined = config.team;
  setOutboxTrigger(store.db, team !== undefined);
  if (!team) return null;
  const member = resolveMember(team);
  let password: string | undefined;
  const connect = async () => {
    password = await readTeamPassword(team, options.secretsDir);
    const pool = createTeamPool(team, password, {
      max: 2,
      applicationName: `llmdev sidecar (${member})`,
      onIdleError: (error) => log.debug('team database connection closed', { error: error.message }),
    });
    try {
      await migrateTeam(pool, team);
      return pool;
    } catch (error) {
      await pool.end().catch(() => undefined);
      throw teamError(error, team);
    }
  };
  const replicator = createReplicator({
    source: openOutbox(store.db, { withBodies: team.shareBodies }),
    connect,
    server: describeServer(team.url),
    member,
    shareBodies: team.shareBodies,
    log,
    ...(options.retryMs ? { retryMs: options.retryMs } : {}),
  });
  store.writer.onCommit(() => replicator.wake());
  return { replicator, secrets: () => (password ? [password] : []) };
}
