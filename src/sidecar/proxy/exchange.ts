/**
 * Relaying a provider's response to the client while reading its usage. A stream goes through
 * event by event as it arrives (the usage-only chunk hidden when the client did not ask for it);
 * anything else (JSON, errors) is small and buffered. Either way the response is not completed
 * here: the caller commits the record first, then calls `finish`.
 */
import type { ServerResponse } from 'node:http';
import type { Readable } from 'node:stream';
import type { ApiKind } from '../../usage/endpoints.js';
import { streamUsage } from '../../usage/estimate.js';
import { extractResponse } from '../../usage/extract.js';
import type { StreamSummary } from '../../usage/sse.js';
import { createStreamObserver } from '../../usage/sse.js';
import { type ErrorFormat, sendError } from '../http/errors.js';
import type { CapturedResponse } from './guards.js';
import { clientResponseHeaders, upstreamRequestId } from './headers.js';
import type { CallControl, ProviderResponse } from './provider-response.js';
import type { ExchangeOutcome } from './record.js';

export interface Relay {
  outcome: ExchangeOutcome;
  /** Completes the client's response after the record is committed (cost header when known). */
  finish(costUsd: number | null): void;
  /** The bytes the client got, when capture was asked for and the exchange completed (2xx or not). */
  captured?: CapturedResponse | null;
}

export interface RelayContext {
  res: ServerResponse;
  format: ErrorFormat;
  kind: ApiKind;
  /** The body as sent upstream (for estimating input tokens). */
  requestJson: unknown;
  hideUsageChunk: boolean;
  /** Our response headers (request id, provider). */
  headers: Record<string, string>;
  control: CallControl;
  started: number;
  clock: () => number;
  /** Turns why the exchange broke off (cancel reason or error) into a status and message. */
  interruption: (cause: unknown) => { status: number; message: string };
  /** Keep a copy of the body sent to the client (the response cache stores it). */
  capture?: boolean;
}

/** How reading a body went: it ended normally, or broke off (with the error, if any). */
interface Consumed {
  ended: boolean;
  failure: unknown;
  /** Milliseconds from the call's start to the first body byte. */
  ttfb: number | null;
}

/** Feeds each chunk of `body` to `onChunk`; resolves once the body is closed, however it ended. */
function consume(body: Readable, ctx: RelayContext, onChunk: (chunk: Buffer) => void): Promise<Consumed> {
  const state: Consumed = { ended: false, failure: null, ttfb: null };
  body.on('data', (chunk: Buffer) => {
    state.ttfb ??= ctx.clock() - ctx.started;
    onChunk(chunk);
  });
  body.once('end', () => {
    state.ended = true;
  });
  body.on('error', (error) => {
    state.failure ??= error;
  });
  return new Promise((resolve) => body.once('close', () => resolve(state)));
}

export async function relayStream(ctx: RelayContext, response: ProviderResponse): Promise<Relay> {
  const { res } = ctx;
  const { body } = response;
  const observer = createStreamObserver(ctx.kind, { hideUsageOnlyChunk: ctx.hideUsageChunk });
  res.writeHead(response.status, clientResponseHeaders(response.headers, ctx.headers));
  const resume = () => body.resume();
  const sent: string[] | null = ctx.capture ? [] : null;
  const { ended, failure, ttfb } = await consume(body, ctx, (chunk) => {
    const events = observer.push(chunk);
    if (events.length === 0) return;
    sent?.push(events);
    if (!res.write(events)) {
      body.pause(); // the client reads slower than the provider writes
      res.once('drain', resume);
    }
  });
  res.off('drain', resume);
  const { tail, summary } = observer.end();
  const broken = !ended || ctx.control.reason !== null;
  if (!broken && tail.length > 0) {
    res.write(tail);
    sent?.push(tail);
  }
  const { usage, estimated } = streamUsage(ctx.kind, ctx.requestJson, summary);
  const interruption = broken ? ctx.interruption(ctx.control.reason ?? failure) : null;
  return {
    outcome: {
      status: interruption?.status ?? response.status,
      usage,
      estimated,
      responseModel: summary.model,
      systemFingerprint: summary.systemFingerprint,
      outputText: summary.outputText,
      upstreamRequestId: upstreamRequestId(response.headers),
      error: interruption?.message ?? summary.error,
      latencyMs: ctx.clock() - ctx.started,
      ttfbMs: ttfb,
    },
    // A stream that broke off is cut for the client too, so its SDK reports an error.
    finish: () => (broken ? res.destroy() : res.end()),
    captured: sent && !broken ? captured(response, Buffer.from(sent.join(''))) : null,
  };
}

export async function relayBuffered(ctx: RelayContext, response: ProviderResponse): Promise<Relay> {
  const chunks: Buffer[] = [];
  let size = 0;
  const { ended, failure, ttfb } = await consume(response.body, ctx, (chunk) => {
    chunks.push(chunk);
    size += chunk.length;
  });
  const latencyMs = ctx.clock() - ctx.started;
  const requestId = upstreamRequestId(response.headers);
  if (!ended || ctx.control.reason) {
    const relay = interrupted(ctx, ctx.control.reason ?? failure, latencyMs);
    relay.outcome.upstreamRequestId = requestId;
    relay.outcome.ttfbMs = ttfb;
    return relay;
  }
  const bytes = chunks.length === 1 ? (chunks[0] as Buffer) : Buffer.concat(chunks, size);
  const parsed = parseJson(bytes);
  const ok = response.status < 400;
  const extracted = ok ? extractResponse(ctx.kind, parsed) : null;
  const { usage, estimated } = extracted
    ? streamUsage(ctx.kind, ctx.requestJson, completeSummary(extracted))
    : { usage: NO_USAGE, estimated: false };
  return {
    outcome: {
      status: response.status,
      usage,
      estimated,
      responseModel: extracted?.model ?? null,
      systemFingerprint: extracted?.systemFingerprint ?? null,
      outputText: extracted?.outputText ?? '',
      upstreamRequestId: requestId,
      error: ok ? null : providerErrorMessage(parsed, bytes),
      latencyMs,
      ttfbMs: ttfb,
    },
    finish(costUsd) {
      const headers = clientResponseHeaders(response.headers, ctx.headers);
      if (costUsd !== null) headers['x-llmdev-cost-usd'] = costUsd.toFixed(8);
      headers['content-length'] = bytes.length;
      ctx.res.writeHead(response.status, headers);
      ctx.res.end(bytes);
    },
    captured: ctx.capture ? captured(response, bytes) : null,
  };
}

function captured(response: ProviderResponse, body: Buffer): CapturedResponse {
  return { status: response.status, contentType: String(response.headers['content-type'] ?? ''), body };
}

export const NO_USAGE = {
  inputTokens: 0,
  outputTokens: 0,
  cachedInputTokens: 0,
  cacheWriteTokens: 0,
  cacheWrite1hTokens: 0,
  reasoningTokens: 0,
} as const;

/**
 * The exchange broke off before a complete response: the client went away (nothing to send), or
 * the provider failed (the client gets an error in its API's format). Input tokens are estimated
 * when the client left, since the provider may have started (and billed) the work; a provider that
 * failed is assumed not to bill.
 */
export function interrupted(ctx: RelayContext, cause: unknown, latencyMs: number): Relay {
  const broken = ctx.interruption(cause);
  const clientGone = broken.status === CLIENT_CLOSED;
  const usage = clientGone
    ? streamUsage(ctx.kind, ctx.requestJson, completeSummary({ model: null, usage: null, outputText: '' }))
        .usage
    : NO_USAGE;
  return {
    outcome: {
      status: broken.status,
      usage,
      estimated: clientGone,
      responseModel: null,
      systemFingerprint: null,
      outputText: '',
      upstreamRequestId: null,
      error: broken.message,
      latencyMs,
      ttfbMs: null,
    },
    finish: () => {
      if (clientGone) ctx.res.destroy();
      else
        sendError(ctx.res, ctx.format, {
          status: broken.status,
          kind: 'upstream',
          message: broken.message,
          headers: ctx.headers,
        });
    },
  };
}

/** nginx's "client closed request": recorded when the client left before the response ended. */
const CLIENT_CLOSED = 499;

function completeSummary(extracted: {
  model: string | null;
  usage: StreamSummary['usage'];
  outputText: string;
  systemFingerprint?: string | null;
  responseId?: string | null;
}): StreamSummary {
  return {
    usage: extracted.usage,
    partialUsage: null,
    model: extracted.model,
    systemFingerprint: extracted.systemFingerprint ?? null,
    responseId: extracted.responseId ?? null,
    outputText: extracted.outputText,
    extraOutputText: '',
    sawTerminalEvent: true,
    error: null,
  };
}

function parseJson(bytes: Buffer): unknown {
  try {
    return JSON.parse(bytes.toString('utf8'));
  } catch {
    return null;
  }
}

/** `error.message` of either provider's error body, else the start of the body text. */
function providerErrorMessage(parsed: unknown, bytes: Buffer): string {
  const error = (parsed as { error?: { message?: unknown } } | null)?.error;
  if (typeof error?.message === 'string') return error.message;
  const text = bytes.toString('utf8', 0, Math.min(bytes.length, 500)).trim();
  return text || 'error without a body';
}
