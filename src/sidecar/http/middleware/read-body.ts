/**
 * Reads the request body into `ctx.body`, refusing more than `maxBytes` with 413 (before reading
 * when Content-Length says so, else as soon as the count passes it). A client that goes away
 * mid-body just ends the request: there is no one to answer.
 */
import type { Middleware } from '../context.js';
import { sendError } from '../errors.js';

export interface ReadBodyOptions {
  maxBytes: number;
}

export function readBody({ maxBytes }: ReadBodyOptions): Middleware {
  const tooLarge = {
    status: 413,
    kind: 'request_too_large',
    message: `Request body larger than ${maxBytes} bytes (sidecar.maxRequestBytes in llmdev.config.yaml)`,
    headers: { connection: 'close' },
  } as const;
  return (ctx, next) => {
    const declared = Number(ctx.req.headers['content-length'] ?? 0);
    if (declared > maxBytes) {
      sendError(ctx.res, ctx.format, tooLarge);
      return;
    }
    return new Promise<boolean>((resolve) => {
      const chunks: Buffer[] = [];
      let size = 0;
      const { req } = ctx;
      const onData = (chunk: Buffer) => {
        size += chunk.length;
        if (size > maxBytes) {
          req.off('data', onData);
          req.resume();
          sendError(ctx.res, ctx.format, tooLarge);
          resolve(false);
          return;
        }
        chunks.push(chunk);
      };
      req.on('data', onData);
      req.once('end', () => {
        ctx.body = chunks.length === 1 ? (chunks[0] as Buffer) : Buffer.concat(chunks, size);
        resolve(true);
      });
      req.once('error', () => resolve(false));
      req.once('close', () => resolve(false));
    }).then((complete) => (complete && !ctx.res.writableEnded ? next() : undefined));
  };
}
