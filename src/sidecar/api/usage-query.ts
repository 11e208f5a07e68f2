/**
 * `GET /v1/usage/summary?since=&until=&group_by=model|provider|day|tag|prompt&tag=KEY`,
 * `GET /v1/usage/records?limit=&cursor=&since=` (newest first; `nextCursor` pages to older records)
 * and `GET /v1/usage/records/<id>` (one record with its stored request and answer, for replay).
 */
import type { Handler, RequestContext } from '../http/context.js';
import { sendError, sendJson } from '../http/errors.js';
import { GROUP_BYS, type GroupBy, type RecordCursor, type UsageQueries } from '../store/queries.js';
import { type Parsed, parseTimeBound } from './time-range.js';

const DEFAULT_PAGE = 100;
const MAX_PAGE = 1000;

export function summaryHandler(queries: UsageQueries, now: () => Date): Handler {
  return (ctx) => {
    const params = new URLSearchParams(ctx.search);
    const since = optionalTime(ctx, params, 'since', now());
    const until = optionalTime(ctx, params, 'until', now());
    if (since === null || until === null) return;
    const groupBy = params.get('group_by') ?? undefined;
    if (groupBy !== undefined && !GROUP_BYS.includes(groupBy as GroupBy)) {
      badRequest(ctx, `group_by: expected one of ${GROUP_BYS.join(', ')}, got ${JSON.stringify(groupBy)}`);
      return;
    }
    const tagKey = params.get('tag') ?? undefined;
    const summary = queries.summary({ since, until, groupBy: groupBy as GroupBy | undefined, tagKey });
    sendJson(
      ctx.res,
      200,
      JSON.stringify({ since: since ?? null, until: until ?? null, groupBy: groupBy ?? null, ...summary }),
    );
  };
}

export function recordsHandler(queries: UsageQueries, now: () => Date): Handler {
  return (ctx) => {
    const params = new URLSearchParams(ctx.search);
    const since = optionalTime(ctx, params, 'since', now());
    if (since === null) return;
    const limitText = params.get('limit');
    const limit = limitText === null ? DEFAULT_PAGE : Number(limitText);
    if (!Number.isInteger(limit) || limit < 1 || limit > MAX_PAGE) {
      badRequest(
        ctx,
        `limit: expected a whole number from 1 to ${MAX_PAGE}, got ${JSON.stringify(limitText)}`,
      );
      return;
    }
    const cursorText = params.get('cursor');
    const cursor = cursorText === null ? undefined : decodeCursor(cursorText);
    if (cursor === null) {
      badRequest(ctx, 'cursor: not a cursor from a previous page (pass nextCursor back unchanged)');
      return;
    }
    const page = queries.records({ limit, since, cursor });
    sendJson(
      ctx.res,
      200,
      JSON.stringify({ records: page.records, nextCursor: page.next ? encodeCursor(page.next) : null }),
    );
  };
}

const RECORD_PATH = '/v1/usage/records/';

export function storedCallHandler(queries: UsageQueries): Handler {
  return (ctx) => {
    let id: string;
    try {
      id = decodeURIComponent(ctx.path.slice(RECORD_PATH.length));
    } catch {
      badRequest(ctx, `not a record id: ${JSON.stringify(ctx.path.slice(RECORD_PATH.length))}`);
      return;
    }
    const call = id === '' ? null : queries.storedCall(id);
    if (!call) {
      sendError(ctx.res, ctx.format, {
        status: 404,
        kind: 'not_found',
        message: `No usage record ${JSON.stringify(id)}`,
      });
      return;
    }
    sendJson(ctx.res, 200, JSON.stringify(call));
  };
}

export function encodeCursor(cursor: RecordCursor): string {
  return Buffer.from(`${cursor.ts}|${cursor.seq}`).toString('base64url');
}

export function decodeCursor(text: string): RecordCursor | null {
  const match = /^(\d{4}-[^|]+)\|(\d+)$/.exec(Buffer.from(text, 'base64url').toString('utf8'));
  return match ? { ts: match[1] as string, seq: Number(match[2]) } : null;
}

/** undefined: not given; null: invalid (a 400 was sent). */
function optionalTime(
  ctx: RequestContext,
  params: URLSearchParams,
  name: string,
  now: Date,
): string | undefined | null {
  const value = params.get(name);
  if (value === null || value === '') return undefined;
  const parsed: Parsed<string> = parseTimeBound(name, value, now);
  if (parsed.ok) return parsed.value;
  badRequest(ctx, parsed.message);
  return null;
}

function badRequest(ctx: RequestContext, message: string): void {
  sendError(ctx.res, ctx.format, { status: 400, kind: 'invalid_request', message });
}
