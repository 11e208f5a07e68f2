/**
 * The sidecar assembled: secrets and provider modes, usage.db, the routes with their middleware,
 * the HTTP server. `reload()` re-reads the secret files (SIGHUP: key rotation without a restart);
 * `close()` stops accepting, lets in-flight calls finish (and record), then closes the database.
 */
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { performance } from 'node:perf_hooks';
import type { Config } from '../config/schema.js';
import { SIDECAR_SERVICE } from '../config/services.js';
import { createPricer } from '../pricing/index.js';
import { redact } from '../redact/index.js';
import { healthHandler } from './api/health.js';
import { ingestHandler } from './api/ingest.js';
import { recordsHandler, storedCallHandler, summaryHandler } from './api/usage-query.js';
import { budgetsHandler } from './budgets/api.js';
import type { BudgetStatus } from './budgets/ledger.js';
import { createDashboard } from './dashboard/index.js';
import { answerClientError } from './http/client-error.js';
import { chain, type Handler, type Middleware } from './http/context.js';
import { allowedHostNames, requireAllowedHost } from './http/host-allow.js';
import { parseJson } from './http/middleware/parse-json.js';
import { readBody } from './http/middleware/read-body.js';
import { digestToken, requireToken } from './http/middleware/require-token.js';
import { createRouter, formatForPath, type Route } from './http/router.js';
import { capConnections, SERVER_OPTIONS } from './http/server-limits.js';
import { uuidv7 } from './ids.js';
import { createGuardrails } from './limits/guardrails.js';
import { createLogger, type Logger } from './log.js';
import { describeProviders, type ProviderStates, resolveProviders } from './providers.js';
import type { Guard } from './proxy/guards.js';
import { proxyHandler } from './proxy/pipeline.js';
import { PROXY_ROUTES } from './proxy/routes.js';
import { createUpstreamClient } from './proxy/upstream.js';
import { readSidecarSecrets, type SidecarSecrets, secretValues } from './secrets.js';
import { openUsageStore, type UsageStore } from './store/index.js';
import { createJsonlMirror } from './store/jsonl-mirror.js';
import { retentionCutoff } from './store/retention.js';
import { startTeamMode, type TeamMode } from './team.js';
import { startTeamBudgets } from './team-budgets.js';
import { startTelemetry } from './telemetry/index.js';
import { createCommitObservers } from './telemetry/observers.js';

export interface SidecarOptions {
  config: Config;
  dataDir: string;
  secretsDir: string;
  log?: Logger;
  /** Admission guards run before each billed call is forwarded; default: the configured guardrails. */
  guards?: readonly Guard[];
  now?: () => Date;
  newId?: () => string;
  /** Team replication retry delays after a failure (tests shorten them). */
  teamRetryMs?: { min: number; max: number };
  /** How long `close()` waits for in-flight calls before cutting them (default 8 s: `docker stop` kills after 10). */
  drainTimeoutMs?: number;
}

export interface Sidecar {
  server: Server;
  store: UsageStore;
  log: Logger;
  providers(): ProviderStates;
  /** Team mode's replication (null without `team:`). */
  team: TeamMode | null;
  /** Each budget's spent, reserved and remaining now (GET /v1/budgets). */
  budgets(): BudgetStatus[];
  listen(port: number, host: string): Promise<AddressInfo>;
  /** Re-reads the token and provider keys; on error the previous ones stay in use. */
  reload(): Promise<void>;
  close(): Promise<void>;
}

const DAY_MS = 86_400_000;

export async function createSidecar(options: SidecarOptions): Promise<Sidecar> {
  const { config, dataDir, secretsDir } = options;
  const now = options.now ?? (() => new Date());
  const newId = options.newId ?? (() => uuidv7());
  let secrets: SidecarSecrets = await readSidecarSecrets(config, secretsDir);
  let providers = resolveProviders(config, secrets);
  let tokenDigest = digestToken(secrets.token);
  let team: TeamMode | null = null;
  let teamPassword: string[] = [];
  const allSecrets = () => [...secretValues(secrets), ...(team?.secrets() ?? []), ...teamPassword];
  const log = options.log ?? createLogger({ level: config.sidecar.logLevel, secrets: allSecrets });
  let knownSecrets = secretValues(secrets); // redaction runs on every stored string: not rebuilt per call
  const redactText = (text: string) => redact(text, knownSecrets);

  const store = openUsageStore(dataDir, {
    redact: redactText,
    onListenerError: (error) => log.error('after-commit listener failed', { error }),
    onCheckpointError: (message) => log.error('WAL checkpoint failed', { error: message }),
  });
  team = startTeamMode({
    config,
    store,
    secretsDir,
    log,
    ...(options.teamRetryMs ? { retryMs: options.teamRetryMs } : {}),
  });
  if (config.sidecar.jsonlMirror) {
    const mirror = createJsonlMirror(dataDir, (error) => log.error('JSONL mirror write failed', { error }));
    store.writer.onCommit((records) => mirror.append(records));
  }
  // Metrics, OTLP spans and the dashboard's live view see each committed record, off the commit path.
  const observers = createCommitObservers((error) => log.error('usage record observer failed', { error }));
  store.writer.onCommit(observers.onCommit);
  const pricer = createPricer(config.pricing.overrides);
  // Budgets (spend loaded from usage.db), rate limit, loop detection, output cap, response cache.
  const guardrails = createGuardrails({ config, store, pricer, log, now, redact: redactText });
  // Team budgets on the team's Postgres (with team.budgets): after the local ones, which cost no round trip.
  const teamBudgets = await startTeamBudgets({ config, secretsDir, store, pricer, log, now });
  if (teamBudgets) teamPassword = [teamBudgets.password];
  const upstream = createUpstreamClient();

  const tokenFile = `/run/secrets/${config.sidecar.tokenSecret}`;
  const auth = (howToSet: string) => requireToken({ tokenDigest: () => tokenDigest, howToSet });
  const workspaceKey = (variable: string) =>
    auth(
      `In the workspace, ${variable} must be the sidecar token (the contents of ${tokenFile}); the workspace shell sets it, so open a new terminal or export ${variable}="$(cat ${tokenFile})".`,
    );
  const authFor: Record<'openai' | 'anthropic', Middleware> = {
    openai: workspaceKey('OPENAI_API_KEY'),
    anthropic: workspaceKey('ANTHROPIC_API_KEY'),
  };
  const apiAuth = auth(
    `Send the sidecar token (the contents of ${tokenFile}, named by LLMDEV_TOKEN_FILE) as Authorization: Bearer <token>.`,
  );
  const telemetry = await startTelemetry({
    config,
    log,
    observers,
    budgets: () => guardrails.budgets.statuses(),
    cacheStats: () => guardrails.cache.stats(),
    ...(team ? { team: () => (team as TeamMode).replicator.status() } : {}),
  });
  const dashboard = createDashboard({ queries: store.queries, now, auth: apiAuth });
  observers.add(dashboard.publish);
  const body = readBody({ maxBytes: config.sidecar.maxRequestBytes });
  const json = parseJson();

  let inFlight = 0;
  let drained: (() => void) | null = null;
  const tracked =
    (handler: Handler): Handler =>
    async (ctx) => {
      inFlight++;
      try {
        await handler(ctx);
      } finally {
        if (--inFlight === 0) drained?.();
      }
    };

  const pipelineDeps = {
    providers: () => providers,
    upstream,
    writer: store.writer,
    price: pricer.price,
    guards: options.guards ?? [...guardrails.guards, ...(teamBudgets ? [teamBudgets.guard] : [])],
    log,
    newId,
    now,
    clock: () => performance.now(),
    maxStoredBodyBytes: config.sidecar.storeBodies ? config.sidecar.maxStoredBodyBytes : null,
    upstreamTimeoutSeconds: config.sidecar.upstreamTimeoutSeconds,
  };
  const routes: Route[] = [
    ...PROXY_ROUTES.map((proxied): Route => {
      const middleware =
        proxied.method === 'POST' ? [authFor[proxied.provider], body, json] : [authFor[proxied.provider]];
      return {
        method: proxied.method,
        path: proxied.path,
        format: formatForPath(proxied.path),
        handler: chain(middleware, tracked(proxyHandler(proxied, pipelineDeps))),
        ...(proxied.segment && { segment: proxied.segment }),
      };
    }),
    {
      method: 'POST',
      path: '/v1/usage',
      format: 'openai',
      handler: chain(
        [apiAuth, body, json],
        tracked(
          ingestHandler({
            writer: store.writer,
            // Like proxied calls: priced by the model the provider says it used, when known.
            price: (record, at) =>
              pricer.price(record.provider, record.responseModel ?? record.model, record.usage, at),
            newId,
            now,
          }),
        ),
      ),
    },
    {
      method: 'GET',
      path: '/v1/usage/summary',
      format: 'openai',
      handler: chain([apiAuth], summaryHandler(store.queries, now)),
    },
    {
      method: 'GET',
      path: '/v1/usage/records',
      format: 'openai',
      handler: chain([apiAuth], recordsHandler(store.queries, now)),
    },
    {
      method: 'GET',
      path: '/v1/usage/records/*',
      format: 'openai',
      handler: chain([apiAuth], storedCallHandler(store.queries)),
    },
    {
      method: 'GET',
      path: '/v1/budgets',
      format: 'openai',
      handler: chain([apiAuth], budgetsHandler(guardrails.budgets, now)),
    },
    {
      method: 'GET',
      path: '/healthz',
      format: 'openai',
      handler: healthHandler({
        databaseOk: store.check,
        providers: () => describeProviders(providers),
        team: team ? () => (team as TeamMode).replicator.status() : undefined,
      }),
    },
  ];
  routes.push(...dashboard.routes, ...telemetry.routes);
  const router = createRouter(routes, (error) => log.error('request failed', { error }));
  const hosts = allowedHostNames(SIDECAR_SERVICE, config.sidecar.allowedHosts);
  const server = createServer(SERVER_OPTIONS, requireAllowedHost(hosts, router));
  server.on('clientError', answerClientError);
  capConnections(server, config.sidecar.maxConnections, log);

  const purge = async () => {
    const deleted = await store.purge(retentionCutoff(now(), config.sidecar.retentionDays));
    if (deleted > 0)
      log.info('retention: deleted old usage records', {
        deleted,
        retentionDays: config.sidecar.retentionDays,
      });
  };
  await purge();
  const retention = setInterval(
    () => purge().catch((error) => log.error('retention failed', { error })),
    DAY_MS,
  );
  retention.unref();

  return {
    server,
    store,
    log,
    team,
    providers: () => providers,
    budgets: () => guardrails.budgets.statuses(),
    listen: (port, host) =>
      new Promise((resolve, reject) => {
        server.once('error', reject);
        server.listen(port, host, () => {
          server.off('error', reject);
          resolve(server.address() as AddressInfo);
        });
      }),
    async reload() {
      const next = await readSidecarSecrets(config, secretsDir);
      const nextProviders = resolveProviders(config, next);
      secrets = next;
      knownSecrets = secretValues(next);
      providers = nextProviders;
      tokenDigest = digestToken(next.token);
    },
    async close() {
      clearInterval(retention);
      dashboard.close();
      const closed = new Promise<void>((resolve) => server.close(() => resolve()));
      server.closeIdleConnections();
      if (inFlight > 0) {
        const idle = new Promise<void>((resolve) => {
          drained = resolve;
        });
        const timeout = new Promise<boolean>((resolve) =>
          setTimeout(() => resolve(true), options.drainTimeoutMs ?? 8_000).unref(),
        );
        if (await Promise.race([idle.then(() => false), timeout])) {
          log.warn('shutdown: cutting calls still in flight', { inFlight });
          server.closeAllConnections();
          await Promise.race([idle, new Promise((resolve) => setTimeout(resolve, 2000).unref())]);
        }
      }
      server.closeAllConnections();
      await closed;
      upstream.close();
      await team?.replicator.close();
      await teamBudgets?.close(2000);
      await store.close();
      observers.drain();
      await telemetry.close();
    },
  };
}
