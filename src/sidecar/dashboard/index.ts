/**
 * The dashboard's routes. The page and its assets need no token (they hold no data and no secret);
 * the data behind them does: the page asks for the sidecar token once, keeps it in the browser's
 * session storage and sends it as an Authorization header, to the same usage API as `llmdev usage`
 * plus two routes of its own, `GET /v1/usage/series` (the chart) and `GET /v1/events` (live
 * records). Nothing here needs a cookie, so no other site can make the browser use the token
 * (no CSRF), and the token never appears in a URL, a history entry or a log line.
 */
import type { UsageRecord } from '../../usage/record.js';
import { chain, type Middleware } from '../http/context.js';
import type { Route } from '../http/router.js';
import type { UsageQueries } from '../store/queries.js';
import { assetHandler, webAssets } from './assets.js';
import { createEventHub } from './events.js';
import { seriesHandler } from './series.js';

export interface DashboardOptions {
  queries: UsageQueries;
  now: () => Date;
  /** The sidecar-token middleware of the usage API. */
  auth: Middleware;
}

export interface Dashboard {
  routes: Route[];
  /** Pushes committed records to the live listeners. */
  publish(records: readonly UsageRecord[]): void;
  /** Ends the live streams (shutdown). */
  close(): void;
}

export function createDashboard({ queries, now, auth }: DashboardOptions): Dashboard {
  const events = createEventHub();
  const routes: Route[] = webAssets().map((served) => ({
    method: 'GET',
    path: served.path,
    format: 'openai',
    handler: assetHandler(served),
  }));
  routes.push(
    { method: 'GET', path: '/v1/events', format: 'openai', handler: chain([auth], events.handler) },
    {
      method: 'GET',
      path: '/v1/usage/series',
      format: 'openai',
      handler: chain([auth], seriesHandler(queries, now)),
    },
  );
  return { routes, publish: events.publish, close: events.close };
}
