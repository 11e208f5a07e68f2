/** `GET /healthz` (no auth: the Compose healthcheck calls it): database and provider modes, no secrets. */
import { LLMDEV_VERSION } from '../../meta/index.js';
import type { Handler } from '../http/context.js';
import { sendJson } from '../http/errors.js';

export interface HealthOptions {
  databaseOk: () => boolean;
  providers: () => Record<string, string>;
}

export function healthHandler({ databaseOk, providers }: HealthOptions): Handler {
  return (ctx) => {
    const ok = databaseOk();
    const body = {
      status: ok ? 'ok' : 'error',
      version: LLMDEV_VERSION,
      database: ok ? 'ok' : 'error',
      providers: providers(),
    };
    sendJson(ctx.res, ok ? 200 : 503, JSON.stringify(body));
  };
}
