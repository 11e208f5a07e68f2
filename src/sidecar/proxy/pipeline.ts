/**
 * A proxied call, start to end: parse → (auth, done by middleware) → admit (guards) → forward to
 * the provider or the mock → extract usage → price → commit the record → finish the response →
 * settle guards. The client's response is completed only after its record is committed (group
 * commit keeps that cheap), so an acknowledged call is always in the log.
 */
import { pipeline as pump } from 'node:stream/promises';
import type { ProviderName } from '../../config/schema.js';
import type { PriceQuote } from '../../pricing/index.js';
import type { ApiKind } from '../../usage/endpoints.js';
import type { TokenUsage } from '../../usage/record.js';
import type { Handler, RequestContext } from '../http/context.js';
import { type ApiError, sendError } from '../http/errors.js';
import type { Method } from '../http/router.js';
import { withOutputCap } from '../limits/output-tokens.js';
import type { Logger } from '../log.js';
import { mockResponse } from '../mock/index.js';
import type { ProviderState, ProviderStates } from '../providers.js';
import type { RecordWriter } from '../store/writer.js';
import { type CallRequest, parseCallRequest } from './call-request.js';
import {
  interrupted,
  NO_USAGE,
  type Relay,
  type RelayContext,
  relayBuffered,
  relayStream,
} from './exchange.js';
import {
  type AdmissionResult,
  admit,
  type Guard,
  type GuardAnswer,
  type GuardedCall,
  type Settle,
} from './guards.js';
import { clientResponseHeaders } from './headers.js';
import { CallControl, isEventStream, type ProviderResponse } from './provider-response.js';
import { callRecord, capText, type ExchangeOutcome } from './record.js';
import type { UpstreamClient } from './upstream.js';

export interface ProxyRoute {
  method: Method;
  path: string;
  provider: ProviderName;
  /** The billed API; null for calls that are passed through unrecorded (models list, count_tokens). */
  kind: ApiKind | null;
  /** For a `/*` path: what its last segment must match (see router.ts). */
  segment?: RegExp;
}

export interface PipelineDeps {
  providers: () => ProviderStates;
  upstream: UpstreamClient;
  writer: RecordWriter;
  price: (provider: ProviderName, model: string, usage: TokenUsage, at: Date) => PriceQuote;
  guards: readonly Guard[];
  log: Logger;
  newId: () => string;
  now: () => Date;
  /** Monotonic milliseconds, for latencies. */
  clock: () => number;
  /** Largest request body stored for replay; null: bodies are not stored. */
  maxStoredBodyBytes: number | null;
  upstreamTimeoutSeconds: number;
}

/** Set on a response when the sidecar capped the call's output (a blocking budget, no cap of its own). */
export const OUTPUT_CAPPED_HEADER = 'x-llmdev-output-capped';

export class ClientClosedError extends Error {
  constructor() {
    super('the client closed the connection before the response ended');
    this.name = 'ClientClosedError';
  }
}

export class UpstreamTimeoutError extends Error {
  constructor(seconds: number) {
    super(`no complete answer from the provider within ${seconds} s (sidecar.upstreamTimeoutSeconds)`);
    this.name = 'UpstreamTimeoutError';
  }
}

/** Without guards there is nothing to await (the common case until budgets are configured). */
const NO_GUARDS: AdmissionResult = Object.freeze({ settles: [] });

export function proxyHandler(route: ProxyRoute, deps: PipelineDeps): Handler {
  const { kind } = route;
  return kind === null ? passThroughHandler(route, deps) : billedCallHandler(route, kind, deps);
}

/** Cancelled when the client leaves or the timeout passes; `done()` stops watching. */
function watchCall(ctx: RequestContext, deps: PipelineDeps): { control: CallControl; done: () => void } {
  const control = new CallControl();
  const onClose = () => {
    if (!ctx.res.writableEnded) control.cancel(new ClientClosedError());
  };
  ctx.res.once('close', onClose);
  const timer = setTimeout(
    () => control.cancel(new UpstreamTimeoutError(deps.upstreamTimeoutSeconds)),
    deps.upstreamTimeoutSeconds * 1000,
  );
  return {
    control,
    done: () => {
      clearTimeout(timer);
      ctx.res.off('close', onClose);
    },
  };
}

function classify(provider: ProviderName, cause: unknown): { status: number; message: string } {
  if (cause instanceof ClientClosedError) return { status: 499, message: cause.message };
  if (cause instanceof UpstreamTimeoutError) return { status: 504, message: cause.message };
  const error = cause as NodeJS.ErrnoException | null;
  const reason = error?.code ?? error?.message ?? 'connection closed';
  return { status: 502, message: `the ${provider} API connection failed: ${reason}` };
}

function send(
  route: ProxyRoute,
  provider: ProviderState,
  ctx: RequestContext,
  deps: PipelineDeps,
  request: {
    id: string;
    now: Date;
    json: Record<string, unknown>;
    body: Buffer | null;
    control: CallControl;
  },
): Promise<ProviderResponse> | ProviderResponse {
  if (provider.mode === 'mock') {
    const { id, now, json, control } = request;
    return mockResponse({
      provider: route.provider,
      kind: route.kind,
      path: route.path,
      body: json,
      id,
      now,
      control,
    });
  }
  return deps.upstream.send({
    provider,
    method: route.method,
    path: route.path,
    search: ctx.search,
    headers: ctx.req.headers,
    body: request.body,
    control: request.control,
  });
}

function billedCallHandler(route: ProxyRoute, kind: ApiKind, deps: PipelineDeps): Handler {
  return async (ctx) => {
    const started = deps.clock();
    const ts = deps.now();
    const json = ctx.json as Record<string, unknown>;
    const parsed = parseCallRequest(kind, json, ctx.body, ctx.req.headers);
    if (!parsed.ok) {
      sendError(ctx.res, ctx.format, { status: 400, kind: 'invalid_request', message: parsed.message });
      return;
    }
    const provider = deps.providers()[route.provider];
    const call: GuardedCall = {
      id: deps.newId(),
      ts,
      provider: route.provider,
      mode: provider.mode,
      kind,
      endpoint: route.path,
      request: parsed.call,
      json,
      caller: ctx.caller,
      headers: ctx.req.headers,
    };
    const headers: Record<string, string> = {
      'x-llmdev-request-id': call.id,
      'x-llmdev-provider': provider.mode === 'mock' ? 'mock' : provider.name,
    };
    const admission = deps.guards.length === 0 ? NO_GUARDS : await admit(deps.guards, call);
    if ('rejected' in admission) {
      const { rejected } = admission;
      await refuse(
        route,
        call,
        ctx,
        deps,
        { ...rejected, headers: { ...rejected.headers, ...headers } },
        started,
      );
      return;
    }
    if ('answer' in admission) {
      await answer(route, call, ctx, deps, admission.answer, headers, started);
      return;
    }
    Object.assign(headers, admission.headers);
    const upstream = capOutput(kind, parsed.call, admission.outputCap, headers);
    let settled = false;
    const settleAll: Settle = (record, response) => {
      if (settled) return;
      settled = true;
      for (const settle of admission.settles) settle(record, response);
    };
    // Whatever happens from here (even a throw), nothing a guard reserved outlives the response.
    if (admission.settles.length > 0) ctx.res.once('close', () => settleAll(null));

    const watch = watchCall(ctx, deps);
    const relayContext: RelayContext = {
      res: ctx.res,
      format: ctx.format,
      kind,
      requestJson: upstream.json,
      hideUsageChunk: parsed.call.hideUsageChunk,
      headers,
      control: watch.control,
      started,
      clock: deps.clock,
      interruption: (cause) => classify(route.provider, cause),
      capture: admission.capture === true,
    };
    let relay: Relay;
    try {
      const response = await send(route, provider, ctx, deps, {
        id: call.id,
        now: ts,
        json: upstream.json,
        body: upstream.body,
        control: watch.control,
      });
      const streaming = isEventStream(response) && response.status < 300;
      relay = await (streaming ? relayStream : relayBuffered)(relayContext, response);
    } catch (error) {
      relay = interrupted(relayContext, watch.control.reason ?? error, deps.clock() - started);
    }
    watch.done();

    const { outcome } = relay;
    if (provider.mode === 'mock') outcome.estimated = true; // js-tiktoken counts, not a provider's
    const quote = deps.price(route.provider, outcome.responseModel ?? call.request.model, outcome.usage, ts);
    const record = callRecord(call, route.path, outcome, quote);
    const keep = deps.maxStoredBodyBytes;
    try {
      await deps.writer.write([
        {
          record,
          requestBody: storedRequestBody(ctx, deps),
          responseText:
            keep === null || outcome.outputText === '' ? undefined : capText(outcome.outputText, keep),
        },
      ]);
    } catch (error) {
      deps.log.error('usage record not stored; failing the call', { id: call.id, error });
      settleAll(null);
      if (ctx.res.headersSent) ctx.res.destroy();
      else {
        sendError(ctx.res, ctx.format, {
          status: 500,
          kind: 'internal',
          message: 'The llmdev sidecar could not store the usage record of this call (see its log)',
          headers,
        });
      }
      return;
    }
    relay.finish(quote.costUsd);
    settleAll(record, relay.captured ?? undefined);
    if (record.status >= 400) {
      deps.log.warn('call failed', {
        id: call.id,
        endpoint: route.path,
        model: record.model,
        status: record.status,
        error: record.error,
      });
    } else if (deps.log.enabled('debug')) {
      deps.log.debug('call', {
        id: call.id,
        endpoint: route.path,
        model: record.model,
        usage: record.usage,
        costUsd: record.costUsd,
      });
    }
  };
}

/** The request body as stored for replay (the store redacts it), only when bodies are kept and it is small enough. */
function storedRequestBody(ctx: RequestContext, deps: PipelineDeps): string | undefined {
  const keep = deps.maxStoredBodyBytes !== null && ctx.body.length <= deps.maxStoredBodyBytes;
  return keep ? ctx.body.toString('utf8') : undefined;
}

const NOT_BILLED: PriceQuote = Object.freeze({ costUsd: 0, pricingSource: null, resolvedModel: null });

/** Commits the record of a call a guard refused or answered; on failure answers 500 and returns false. */
async function commitGuarded(
  ctx: RequestContext,
  deps: PipelineDeps,
  record: ReturnType<typeof callRecord>,
  headers: Record<string, string>,
): Promise<boolean> {
  try {
    await deps.writer.write([{ record, requestBody: storedRequestBody(ctx, deps) }]);
    return true;
  } catch (error) {
    deps.log.error('usage record not stored; failing the call', { id: record.id, error });
    sendError(ctx.res, ctx.format, {
      status: 500,
      kind: 'internal',
      message: 'The llmdev sidecar could not store the usage record of this call (see its log)',
      headers,
    });
    return false;
  }
}

/** The body sent upstream: the guards' output cap set when the request had none (and a header says so). */
function capOutput(
  kind: ApiKind,
  request: CallRequest,
  outputCap: number | undefined,
  headers: Record<string, string>,
): { json: Record<string, unknown>; body: Buffer } {
  if (outputCap === undefined) return { json: request.upstreamJson, body: request.upstreamBody };
  headers[OUTPUT_CAPPED_HEADER] = String(outputCap);
  const json = withOutputCap(kind, request.upstreamJson, outputCap);
  return { json, body: Buffer.from(JSON.stringify(json)) };
}

/** A call a guard refused (budget, rate limit, loop, output cap): recorded with its error, cost 0. */
async function refuse(
  route: ProxyRoute,
  call: GuardedCall,
  ctx: RequestContext,
  deps: PipelineDeps,
  rejected: ApiError,
  started: number,
): Promise<void> {
  const outcome: ExchangeOutcome = {
    status: rejected.status,
    usage: NO_USAGE,
    estimated: false,
    responseModel: null,
    systemFingerprint: null,
    outputText: '',
    upstreamRequestId: null,
    error: rejected.message,
    latencyMs: deps.clock() - started,
    ttfbMs: null,
  };
  const record = callRecord(call, route.path, outcome, NOT_BILLED);
  if (!(await commitGuarded(ctx, deps, record, rejected.headers ?? {}))) return;
  sendError(ctx.res, ctx.format, rejected);
  // A runaway client can be refused thousands of times a second: the rate limiter's refusals stay quiet.
  deps.log[rejected.kind === 'rate_limited' ? 'debug' : 'warn']('call refused', {
    id: call.id,
    endpoint: route.path,
    model: record.model,
    status: record.status,
    error: record.error,
  });
}

/** A call a guard answered itself (a cache hit): recorded with its source, cost 0 and what it saved. */
async function answer(
  route: ProxyRoute,
  call: GuardedCall,
  ctx: RequestContext,
  deps: PipelineDeps,
  reply: GuardAnswer,
  headers: Record<string, string>,
  started: number,
): Promise<void> {
  const latencyMs = deps.clock() - started;
  const outcome: ExchangeOutcome = {
    status: reply.status,
    usage: reply.usage,
    estimated: reply.estimated,
    responseModel: reply.responseModel,
    systemFingerprint: reply.systemFingerprint,
    outputText: '',
    upstreamRequestId: null,
    error: null,
    latencyMs,
    ttfbMs: latencyMs,
  };
  const record = {
    ...callRecord(call, route.path, outcome, NOT_BILLED),
    source: reply.source,
    savedUsd: reply.savedUsd,
  };
  const out: Record<string, string> = { ...headers, ...reply.headers };
  if (!(await commitGuarded(ctx, deps, record, out))) return;
  if (!reply.contentType.startsWith('text/event-stream')) out['x-llmdev-cost-usd'] = (0).toFixed(8);
  ctx.res.writeHead(reply.status, {
    ...out,
    'content-type': reply.contentType,
    'content-length': reply.body.length,
  });
  ctx.res.end(reply.body);
}

/** Models list and count_tokens: forwarded (or mocked) as they are, not billed, not recorded. */
/**
 * Unbilled calls, passed through unrecorded. `/v1/models[/id]` exists in both APIs: a request in
 * Anthropic's format (its SDK always sends `anthropic-version`) goes to Anthropic.
 */
function passThroughHandler(shared: ProxyRoute, deps: PipelineDeps): Handler {
  return async (ctx) => {
    const route: ProxyRoute = {
      ...shared,
      path: ctx.path,
      provider:
        shared.path.startsWith('/v1/models') && ctx.format === 'anthropic' ? 'anthropic' : shared.provider,
    };
    const provider = deps.providers()[route.provider];
    const id = deps.newId();
    const headers = {
      'x-llmdev-request-id': id,
      'x-llmdev-provider': provider.mode === 'mock' ? 'mock' : provider.name,
    };
    const watch = watchCall(ctx, deps);
    try {
      const response = await send(route, provider, ctx, deps, {
        id,
        now: deps.now(),
        json: (ctx.json as Record<string, unknown> | undefined) ?? {},
        body: route.method === 'POST' ? ctx.body : null,
        control: watch.control,
      });
      ctx.res.writeHead(response.status, clientResponseHeaders(response.headers, headers));
      await pump(response.body, ctx.res);
    } catch (error) {
      const broken = classify(route.provider, watch.control.reason ?? error);
      if (ctx.res.headersSent || broken.status === 499) ctx.res.destroy();
      else
        sendError(ctx.res, ctx.format, {
          status: broken.status,
          kind: 'upstream',
          message: broken.message,
          headers,
        });
    } finally {
      watch.done();
    }
  };
}
