/**
 * Every route but /healthz needs the sidecar access token, as `Authorization: Bearer <token>`
 * (OpenAI SDK) or `x-api-key: <token>` (Anthropic SDK). Compared as SHA-256 digests with
 * timingSafeEqual, so neither the value nor its length leaks through timing. The token that matched
 * names the caller (`ctx.caller`, its digest): per-caller state (rate-limit buckets) is keyed by
 * it, never by a raw header a client can vary at will.
 */
import { createHash, timingSafeEqual } from 'node:crypto';
import type { IncomingHttpHeaders } from 'node:http';
import type { Middleware } from '../context.js';
import { sendError } from '../errors.js';

export interface RequireTokenOptions {
  /** SHA-256 digest of the current token; a function so a SIGHUP reload takes effect at once. */
  tokenDigest: () => Buffer;
  /** Tells the client how to send the token, e.g. "Set OPENAI_API_KEY to ...". */
  howToSet: string;
}

export function digestToken(token: string): Buffer {
  return createHash('sha256').update(token).digest();
}

export function requireToken({ tokenDigest, howToSet }: RequireTokenOptions): Middleware {
  return (ctx, next) => {
    const presented = presentedTokens(ctx.req.headers);
    const expected = tokenDigest();
    let matched: Buffer | null = null;
    // Check every credential presented (no early exit), e.g. an SDK sending both headers.
    for (const token of presented) {
      const digest = digestToken(token);
      if (timingSafeEqual(digest, expected) && matched === null) matched = digest;
    }
    if (matched !== null) {
      ctx.caller = matched.toString('base64url');
      return next();
    }
    const problem =
      presented.length === 0
        ? 'No llmdev sidecar access token in the request (Authorization: Bearer or x-api-key).'
        : 'The llmdev sidecar access token in the request is not valid.';
    sendError(ctx.res, ctx.format, {
      status: 401,
      kind: 'authentication',
      code: 'invalid_api_key',
      message: `${problem} ${howToSet}`,
    });
  };
}

function presentedTokens(headers: IncomingHttpHeaders): string[] {
  const tokens: string[] = [];
  const authorization = headers.authorization;
  if (authorization && /^bearer /i.test(authorization)) tokens.push(authorization.slice(7).trim());
  const apiKey = headers['x-api-key'];
  if (typeof apiKey === 'string' && apiKey.length > 0) tokens.push(apiKey.trim());
  return tokens;
}
