/** Parses `ctx.body` as a JSON object into `ctx.json`; anything else is a 400 in the route's format. */
import type { Middleware } from '../context.js';
import { sendError } from '../errors.js';

export function parseJson(): Middleware {
  return (ctx, next) => {
    let value: unknown;
    try {
      value = JSON.parse(ctx.body.toString('utf8'));
    } catch (error) {
      const reason = ctx.body.length === 0 ? 'the request has no body' : (error as Error).message;
      sendError(ctx.res, ctx.format, {
        status: 400,
        kind: 'invalid_request',
        message: `Expected a JSON object as the request body: ${reason}`,
      });
      return;
    }
    if (value === null || typeof value !== 'object' || Array.isArray(value)) {
      sendError(ctx.res, ctx.format, {
        status: 400,
        kind: 'invalid_request',
        message: 'Expected a JSON object as the request body',
      });
      return;
    }
    ctx.json = value;
    return next();
  };
}
