/**
 * `GET /v1/events` (token required): a Server-Sent Events stream of committed usage records, one
 * `record` event each, for the dashboard's live view. Each batch is serialized once whatever the
 * number of listeners, and nothing at all is done while none listens. A listener that stops
 * reading is cut once a megabyte waits for it (its page reconnects and reloads), so a stalled
 * browser tab cannot make the sidecar buffer without bound; a comment line every 20 s keeps idle
 * connections open through proxies.
 */
import type { ServerResponse } from 'node:http';
import type { UsageRecord } from '../../usage/record.js';
import type { Handler } from '../http/context.js';
import { sendError } from '../http/errors.js';

export interface EventHubOptions {
  maxClients?: number;
  heartbeatMs?: number;
  /** Bytes waiting for one listener before it is cut. */
  maxBufferedBytes?: number;
}

export interface EventHub {
  handler: Handler;
  publish(records: readonly UsageRecord[]): void;
  listeners(): number;
  /** Ends every stream (shutdown). */
  close(): void;
}

export function createEventHub({
  maxClients = 32,
  heartbeatMs = 20_000,
  maxBufferedBytes = 1 << 20,
}: EventHubOptions = {}): EventHub {
  const clients = new Set<ServerResponse>();
  let heartbeat: NodeJS.Timeout | null = null;

  const broadcast = (text: string) => {
    for (const res of clients) {
      if (res.writableLength > maxBufferedBytes) {
        clients.delete(res);
        res.destroy();
      } else res.write(text);
    }
  };

  const remove = (res: ServerResponse) => {
    clients.delete(res);
    if (clients.size === 0 && heartbeat !== null) {
      clearInterval(heartbeat);
      heartbeat = null;
    }
  };

  return {
    handler(ctx) {
      if (clients.size >= maxClients) {
        sendError(ctx.res, ctx.format, {
          status: 503,
          kind: 'internal',
          message: `Too many live dashboard connections (${maxClients}); close other dashboard tabs`,
          headers: { 'retry-after': '10' },
        });
        return;
      }
      const { res } = ctx;
      res.writeHead(200, {
        'content-type': 'text/event-stream; charset=utf-8',
        'cache-control': 'no-store, no-transform',
        'x-accel-buffering': 'no',
        connection: 'keep-alive',
      });
      res.write('retry: 3000\nevent: ready\ndata: {}\n\n');
      clients.add(res);
      res.once('close', () => remove(res));
      heartbeat ??= setInterval(() => broadcast(': ping\n\n'), heartbeatMs).unref();
    },
    publish(records) {
      if (clients.size === 0) return;
      let text = '';
      for (const record of records) text += `event: record\ndata: ${JSON.stringify(record)}\n\n`;
      broadcast(text);
    },
    listeners: () => clients.size,
    close() {
      for (const res of clients) res.end();
      clients.clear();
      if (heartbeat !== null) clearInterval(heartbeat);
      heartbeat = null;
    },
  };
}
