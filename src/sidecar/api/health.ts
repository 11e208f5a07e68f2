/**
 * `GET /healthz` (no auth: the Compose healthcheck calls it): database and provider modes, and in
 * team mode the replication state and backlog; no secrets. An unreachable team database does not
 * make the sidecar unhealthy: it keeps logging locally.
 */
import { LLMDEV_VERSION } from '../../meta/index.js';
import type { ReplicationStatus } from '../../team/replicator.js';
import type { Handler } from '../http/context.js';
import { sendJson } from '../http/errors.js';

export interface HealthOptions {
  databaseOk: () => boolean;
  providers: () => Record<string, string>;
  team?: (() => ReplicationStatus) | undefined;
}

export function healthHandler({ databaseOk, providers, team }: HealthOptions): Handler {
  return (ctx) => {
    const ok = databaseOk();
    const body = {
      status: ok ? 'ok' : 'error',
      version: LLMDEV_VERSION,
      database: ok ? 'ok' : 'error',
      providers: providers(),
      ...(team ? { team: team() } : {}),
    };
    sendJson(ctx.res, ok ? 200 : 503, JSON.stringify(body));
  };
}
