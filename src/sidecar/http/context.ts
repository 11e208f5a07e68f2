/** What a handler gets for one request; middleware fills `body` and `json` as it runs. */
import type { IncomingMessage, ServerResponse } from 'node:http';
import type { ErrorFormat } from './errors.js';

export interface RequestContext {
  req: IncomingMessage;
  res: ServerResponse;
  /** Path without the query string, e.g. `/v1/messages`. */
  path: string;
  /** The query string with its `?`, or ''. */
  search: string;
  /** The error format of the API this route belongs to. */
  format: ErrorFormat;
  /** The request body (readBody middleware); empty until read. */
  body: Buffer;
  /** The parsed JSON body (parseJson middleware); undefined until parsed. */
  json: unknown;
  /** Who is calling: the digest of the access token that matched (requireToken); '' until then. */
  caller: string;
}

export type Handler = (ctx: RequestContext) => Promise<void> | void;
export type Middleware = (ctx: RequestContext, next: () => Promise<void>) => Promise<void> | void;

/** One handler from a middleware chain and a final handler. */
export function chain(middleware: readonly Middleware[], handler: Handler): Handler {
  return middleware.reduceRight<Handler>(
    (next, layer) => (ctx) => layer(ctx, async () => next(ctx)),
    handler,
  );
}
