/**
 * Limits of the sidecar's HTTP server, tight because its clients are local (the workspace, the
 * host's browser, the Compose healthcheck): a client must send its headers within 10 s and its
 * whole request within 60 s, an idle kept-alive connection is closed after 5 s, and the checks run
 * every second (Node's default, 30 s, let a silent connection live 40 s). Responses are not timed
 * here: a model may think for minutes before its first byte (sidecar.upstreamTimeoutSeconds).
 * At most `sidecar.maxConnections` connections are held; more are dropped by node:http, and the
 * drops are logged (at most one line per 10 s, with their count, so a flood cannot flood the log).
 */
import type { Server, ServerOptions } from 'node:http';
import type { Logger } from '../log.js';

export const SERVER_OPTIONS = {
  headersTimeout: 10_000,
  requestTimeout: 60_000,
  keepAliveTimeout: 5_000,
  connectionsCheckingInterval: 1_000,
} as const satisfies ServerOptions;

const DROP_LOG_EVERY_MS = 10_000;

export function capConnections(
  server: Server,
  maxConnections: number,
  log: Logger,
  now: () => number = Date.now,
): void {
  server.maxConnections = maxConnections;
  let dropped = 0;
  let loggedAt = Number.NEGATIVE_INFINITY;
  server.on('drop', () => {
    dropped++;
    const at = now();
    if (at - loggedAt < DROP_LOG_EVERY_MS) return;
    log.warn('connection cap reached: refusing new connections', {
      maxConnections,
      dropped,
      hint: 'a client is holding many connections open; raise sidecar.maxConnections if this load is intended',
    });
    loggedAt = at;
    dropped = 0;
  });
}
