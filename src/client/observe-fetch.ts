/**
 * The `fetch` given to the SDKs in direct mode: calls the provider itself and reports each billed
 * call's usage, without delaying or failing it. A JSON answer is read from a clone after the SDK has
 * it; a stream passes through event by event while the SSE observer (the sidecar's, from src/usage)
 * collects its usage. Like the sidecar, an OpenAI chat/completions stream gets
 * `stream_options.include_usage` when the caller did not ask for it, and the extra usage chunk is
 * hidden from that caller. `x-llmdev-*` headers (tags, prompt) are taken off before the request
 * leaves and go into the record instead.
 */
import { performance } from 'node:perf_hooks';
import { redact } from '../redact/index.js';
import { type ApiKind, apiKindForPath } from '../usage/endpoints.js';
import { countTextTokens, estimateInputTokens, streamUsage } from '../usage/estimate.js';
import { extractResponse } from '../usage/extract.js';
import { pickParams } from '../usage/params.js';
import type { Provider, TokenUsage } from '../usage/record.js';
import { createStreamObserver, type StreamSummary } from '../usage/sse.js';
import type { UsageReport } from './reporter.js';
import { PROMPT_HEADER, parseTags, TAGS_HEADER } from './tags.js';

export interface ObservingFetchOptions {
  provider: Provider;
  report: (record: UsageReport) => void;
  fetch?: typeof globalThis.fetch;
  /** Monotonic ms, for latencies. */
  clock?: () => number;
  now?: () => Date;
  /** A failure of the observation itself: never thrown into the caller's request. */
  onError?: (error: unknown) => void;
  /** Values masked in recorded error messages (the provider key). */
  knownSecrets?: readonly string[];
}

type Json = Record<string, unknown>;

/** Streams whose usage only comes with `stream_options.include_usage` (as the sidecar does). */
const USAGE_OPT_IN: ReadonlySet<ApiKind> = new Set(['openai.chat', 'openai.completions']);
const MAX_ERROR = 4096;
const ZERO: TokenUsage = {
  inputTokens: 0,
  outputTokens: 0,
  cachedInputTokens: 0,
  cacheWriteTokens: 0,
  cacheWrite1hTokens: 0,
  reasoningTokens: 0,
};

interface Call {
  kind: ApiKind;
  endpoint: string;
  json: Json;
  ts: Date;
  started: number;
  tags: Record<string, string>;
  prompt: string | undefined;
  hideUsageChunk: boolean;
}

export function createObservingFetch(options: ObservingFetchOptions): typeof globalThis.fetch {
  const doFetch = options.fetch ?? globalThis.fetch;
  const clock = options.clock ?? (() => performance.now());
  const now = options.now ?? (() => new Date());
  const onError = options.onError ?? (() => {});
  const safely = (action: () => void) => {
    try {
      action();
    } catch (error) {
      onError(error);
    }
  };

  return async (input, init) => {
    const url = new URL(input instanceof Request ? input.url : String(input));
    const headers = new Headers(input instanceof Request ? input.headers : undefined);
    for (const [name, value] of new Headers(init?.headers)) headers.set(name, value);
    const tagsHeader = headers.get(TAGS_HEADER);
    const prompt = headers.get(PROMPT_HEADER) ?? undefined;
    for (const name of [...headers.keys()]) if (name.startsWith('x-llmdev-')) headers.delete(name);
    const method = init?.method ?? (input instanceof Request ? input.method : 'GET');
    const endpoint = endpointPath(url.pathname);
    const kind = apiKindForPath(method, endpoint);
    const json = kind === null ? null : parseBody(init?.body);
    if (kind === null || json === null) return doFetch(input, { ...init, headers });

    const injectUsage =
      json.stream === true &&
      USAGE_OPT_IN.has(kind) &&
      (json.stream_options as Json | undefined)?.include_usage !== true;
    const sent = injectUsage
      ? { ...json, stream_options: { ...(json.stream_options as Json | undefined), include_usage: true } }
      : json;
    const tags = tagsHeader === null ? {} : parseTags(tagsHeader);
    const call: Call = {
      kind,
      endpoint,
      json,
      ts: now(),
      started: clock(),
      tags: typeof tags === 'string' ? {} : { ...tags },
      prompt: prompt === '' ? undefined : prompt,
      hideUsageChunk: injectUsage,
    };
    const body = injectUsage ? JSON.stringify(sent) : init?.body;
    let response: Response;
    try {
      response = await doFetch(url, { ...init, headers, body: body ?? null });
    } catch (error) {
      // No answer: nothing was billed that we could know of; the failed attempt is still logged.
      safely(() => options.report(record(call, { status: init?.signal?.aborted ? 499 : 502, error })));
      throw error;
    }
    const ttfbMs = clock() - call.started;
    const isStream = (response.headers.get('content-type') ?? '').includes('text/event-stream');
    if (isStream && response.ok && response.body) {
      return observeStream(response, call, ttfbMs);
    }
    response
      .clone()
      .text()
      .then((text) => {
        const parsed = extractResponse(kind, parseJson(text));
        // A successful answer without usage (unusual): estimated, never a silent zero.
        const estimated = parsed.usage === null && response.ok;
        const usage = estimated
          ? {
              ...ZERO,
              inputTokens: estimateInputTokens(kind, json),
              outputTokens: countTextTokens(parsed.outputText, parsed.model ?? String(json.model ?? '')),
            }
          : (parsed.usage ?? ZERO);
        options.report(
          record(call, {
            status: response.status,
            usage,
            estimated,
            model: parsed.model,
            systemFingerprint: parsed.systemFingerprint,
            ttfbMs,
            error: response.ok ? undefined : errorText(text),
          }),
        );
      })
      .catch(onError);
    return response;
  };

  function observeStream(response: Response, call: Call, ttfbMs: number): Response {
    const observer = createStreamObserver(call.kind, { hideUsageOnlyChunk: call.hideUsageChunk });
    const reader = (response.body as ReadableStream<Uint8Array>).getReader();
    const encoder = new TextEncoder();
    let done = false;
    const finish = (interruption: unknown): string => {
      if (done) return '';
      done = true;
      const { tail, summary } = observer.end();
      safely(() => options.report(streamRecord(call, response.status, summary, ttfbMs, interruption)));
      return tail;
    };
    const body = new ReadableStream<Uint8Array>({
      // A pull must enqueue something (or end): the stream does not pull again on its own.
      async pull(controller) {
        for (;;) {
          let chunk: Awaited<ReturnType<typeof reader.read>>;
          try {
            chunk = await reader.read();
          } catch (error) {
            finish(error);
            controller.error(error);
            return;
          }
          if (chunk.done) {
            const tail = finish(null);
            if (tail) controller.enqueue(encoder.encode(tail));
            controller.close();
            return;
          }
          const events = observer.push(chunk.value);
          if (events) {
            controller.enqueue(encoder.encode(events));
            return;
          }
        }
      },
      cancel(reason) {
        finish(reason ?? 'the stream was cancelled');
        return reader.cancel(reason);
      },
    });
    const headers = new Headers(response.headers);
    headers.delete('content-length'); // the hidden usage chunk changes it
    return new Response(body, { status: response.status, statusText: response.statusText, headers });
  }

  function streamRecord(
    call: Call,
    status: number,
    summary: StreamSummary,
    ttfbMs: number,
    interruption: unknown,
  ): UsageReport {
    const { usage, estimated } = streamUsage(call.kind, call.json, summary);
    const broken = interruption !== null;
    return record(call, {
      status: broken ? 499 : status,
      usage,
      estimated,
      model: summary.model,
      systemFingerprint: summary.systemFingerprint,
      ttfbMs,
      error: broken ? interruption : (summary.error ?? undefined),
    });
  }

  function record(
    call: Call,
    outcome: {
      status: number;
      usage?: TokenUsage;
      estimated?: boolean;
      model?: string | null;
      systemFingerprint?: string | null;
      ttfbMs?: number;
      error?: unknown;
    },
  ): UsageReport {
    const requested = typeof call.json.model === 'string' && call.json.model !== '' ? call.json.model : null;
    const usage = outcome.usage ?? ZERO;
    return {
      ts: call.ts.toISOString(),
      provider: options.provider,
      model: requested ?? outcome.model ?? 'unknown',
      endpoint: call.endpoint,
      stream: call.json.stream === true,
      usage,
      latencyMs: round(clock() - call.started),
      ...(outcome.ttfbMs === undefined ? {} : { ttfbMs: round(outcome.ttfbMs) }),
      status: outcome.status,
      ...(outcome.error === undefined
        ? {}
        : { error: redact(describeError(outcome.error), options.knownSecrets ?? []) }),
      estimated: outcome.estimated ?? false,
      tags: call.tags,
      ...(call.prompt === undefined ? {} : { prompt: call.prompt }),
      params: pickParams(call.json),
      ...(outcome.systemFingerprint ? { systemFingerprint: outcome.systemFingerprint } : {}),
      ...(outcome.model ? { responseModel: outcome.model } : {}),
    };
  }
}

/** `/v1/chat/completions` from any base path (`/v1/…`, `/proxy/v1/…`). */
function endpointPath(pathname: string): string {
  const at = pathname.lastIndexOf('/v1/');
  return at === -1 ? pathname : pathname.slice(at);
}

/** The SDKs send JSON bodies as strings; anything else (uploads) is not a billed call we observe. */
function parseBody(body: unknown): Json | null {
  if (typeof body !== 'string') return null;
  const parsed = parseJson(body);
  return typeof parsed === 'object' && parsed !== null && !Array.isArray(parsed) ? (parsed as Json) : null;
}

function parseJson(text: string): unknown {
  try {
    return JSON.parse(text);
  } catch {
    return null;
  }
}

function errorText(text: string): string {
  const body = parseJson(text) as { error?: { message?: unknown } } | null;
  const message = typeof body?.error?.message === 'string' ? body.error.message : text;
  return message.slice(0, MAX_ERROR);
}

function describeError(error: unknown): string {
  if (typeof error === 'string') return error.slice(0, MAX_ERROR);
  const err = error as { message?: string; name?: string; cause?: { code?: string } } | null;
  const text = [err?.name, err?.message, err?.cause?.code].filter(Boolean).join(': ');
  return (text || 'request failed').slice(0, MAX_ERROR);
}

const round = (ms: number) => Math.round(ms * 1000) / 1000;
