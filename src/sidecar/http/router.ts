/**
 * The tiny router: exact paths (no patterns, no decoding, so nothing can reach outside the listed
 * routes), one handler per method. A route path ending in `/*` takes exactly one more segment
 * (`/v1/usage/records/*`), which its handler reads from `ctx.path`; a route can require that segment
 * to match its `segment` pattern (ids forwarded to a provider: no dot-segments, no encoded slashes),
 * else 400. Unknown paths get 404, known
 * paths with another method 405, and a handler that throws gets a 500 in the route's error format,
 * never a hung socket.
 */
import type { IncomingHttpHeaders, IncomingMessage, ServerResponse } from 'node:http';
import type { Handler, RequestContext } from './context.js';
import { type ErrorFormat, sendError } from './errors.js';

export type Method = 'GET' | 'POST';

export interface Route {
  method: Method;
  path: string;
  format: ErrorFormat;
  handler: Handler;
  /** For a `/*` route: what its one extra segment must match (else 400). */
  segment?: RegExp;
}

export type RequestListener = (req: IncomingMessage, res: ServerResponse) => void;

const EMPTY = Buffer.alloc(0);

export function createRouter(routes: readonly Route[], onError: (error: unknown) => void): RequestListener {
  const table = new Map<string, Map<string, Route>>();
  for (const route of routes) {
    const methods = table.get(route.path) ?? new Map<string, Route>();
    methods.set(route.method, route);
    table.set(route.path, methods);
  }

  return (req, res) => {
    const url = req.url ?? '/';
    const query = url.indexOf('?');
    const path = query === -1 ? url : url.slice(0, query);
    const search = query === -1 ? '' : url.slice(query);
    const methods = table.get(path) ?? table.get(`${path.slice(0, path.lastIndexOf('/') + 1)}*`);
    const format = formatFor(path, req.headers);
    if (!methods) {
      sendError(res, format, {
        status: 404,
        kind: 'not_found',
        message: `No route ${path} on the llmdev sidecar`,
      });
      return;
    }
    const route = methods.get(req.method ?? '');
    if (!route) {
      const allow = [...methods.keys()].join(', ');
      sendError(res, format, {
        status: 405,
        kind: 'method_not_allowed',
        message: `${req.method} ${path} is not supported; use ${allow}`,
        headers: { allow },
      });
      return;
    }
    if (route.segment && !route.segment.test(path.slice(path.lastIndexOf('/') + 1))) {
      sendError(res, format, {
        status: 400,
        kind: 'invalid_request',
        message: `Not a valid id in ${path.slice(0, 200)}: expected ${route.segment.source}`,
      });
      return;
    }
    const ctx: RequestContext = {
      req,
      res,
      path,
      search,
      format: req.headers['anthropic-version'] === undefined ? route.format : 'anthropic',
      body: EMPTY,
      json: undefined,
      caller: '',
    };
    let result: Promise<void> | void;
    try {
      result = route.handler(ctx);
    } catch (error) {
      failed(ctx, error, onError);
      return;
    }
    if (result) result.catch((error: unknown) => failed(ctx, error, onError));
  };
}

function failed(ctx: RequestContext, error: unknown, onError: (error: unknown) => void): void {
  onError(error);
  if (ctx.res.headersSent) {
    ctx.res.destroy();
    return;
  }
  sendError(ctx.res, ctx.format, {
    status: 500,
    kind: 'internal',
    message: 'Internal error in the llmdev sidecar (see its log)',
  });
}

/** Anthropic's paths answer in Anthropic's error format, everything else in OpenAI's. */
export function formatForPath(path: string): ErrorFormat {
  return path.startsWith('/v1/messages') ? 'anthropic' : 'openai';
}

/** Paths both APIs share (`/v1/models`) are told apart by the header every Anthropic client sends. */
function formatFor(path: string, headers: IncomingHttpHeaders): ErrorFormat {
  return headers['anthropic-version'] === undefined ? formatForPath(path) : 'anthropic';
}
