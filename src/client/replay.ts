/**
 * Replaying a recorded call: fetch its stored request from the sidecar, send it again through the
 * sidecar (same endpoint, tags and prompt version, plus `replay_of=<id>`; optionally another model),
 * and put the old and the new call side by side: answer text, tokens, cost, latency, fingerprint.
 */
import { SidecarError } from '../errors/index.js';
import { apiKindForPath } from '../usage/endpoints.js';
import { extractResponse } from '../usage/extract.js';
import type { TokenUsage, UsageRecord } from '../usage/record.js';
import { createStreamObserver } from '../usage/sse.js';
import {
  answerError,
  getStoredCall,
  type SidecarAccess,
  type StoredCall,
  sidecarFetch,
} from './sidecar-api.js';
import { formatTags, PROMPT_HEADER, TAGS_HEADER } from './tags.js';

export interface CallView {
  id: string;
  ts: string;
  provider: string;
  model: string;
  /** The model the provider said it used (e.g. a dated snapshot); null when unknown. */
  responseModel: string | null;
  stream: boolean;
  status: number;
  /** The answer's text; null when it was not stored. */
  text: string | null;
  usage: TokenUsage;
  estimated: boolean;
  costUsd: number | null;
  latencyMs: number | null;
  ttfbMs: number | null;
  systemFingerprint: string | null;
  prompt: string | null;
  params: Record<string, unknown>;
}

export interface ReplayResult {
  original: CallView;
  replay: CallView;
}

/** Anthropic's API version header, which the stock SDK would send. */
const ANTHROPIC_VERSION = '2023-06-01';

export async function replayCall(
  access: SidecarAccess,
  id: string,
  options: { model?: string | undefined } = {},
): Promise<ReplayResult> {
  const original = await getStoredCall(access, id);
  const { record } = original;
  const body = requestBodyOf(original);
  const kind = apiKindForPath('POST', record.endpoint);
  if (kind === null) {
    throw new SidecarError(`record ${id} is a ${record.endpoint} call, which cannot be replayed`, {
      hint: 'Replay works for chat/completions, responses, completions, embeddings and messages calls.',
    });
  }
  const headers: Record<string, string> = {
    'content-type': 'application/json',
    [TAGS_HEADER]: formatTags({ ...record.tags, replay_of: record.id }),
  };
  if (record.promptName !== null && record.promptVersion !== null) {
    headers[PROMPT_HEADER] = `${record.promptName}@${record.promptVersion}`;
  }
  if (record.provider === 'anthropic') headers['anthropic-version'] = ANTHROPIC_VERSION;
  const sent = options.model === undefined ? body : { ...body, model: options.model };
  const response = await sidecarFetch(access, record.endpoint, {
    method: 'POST',
    headers,
    body: JSON.stringify(sent),
  });
  const newId = response.headers.get('x-llmdev-request-id');
  if (newId === null) throw await answerError(access, response, `replaying ${id}`);
  const text = await answerText(kind, response);
  const replayed = await getStoredCall(access, newId);
  return { original: view(original, original.responseText), replay: view(replayed, text) };
}

function requestBodyOf({ record, requestBody }: StoredCall): Record<string, unknown> {
  if (typeof requestBody === 'object' && requestBody !== null && !Array.isArray(requestBody)) {
    return requestBody as Record<string, unknown>;
  }
  if (record.source === 'ingest') {
    throw new SidecarError(
      `record ${record.id} was reported by a direct-mode client; its request was never stored`,
      {
        hint: 'Only calls made through the sidecar (providers.X.route: proxy, the default) can be replayed.',
      },
    );
  }
  throw new SidecarError(`the request of record ${record.id} was not stored, so it cannot be replayed`, {
    hint: 'Turn on sidecar.storeBodies in llmdev.config.yaml (on by default) and make the call again; requests larger than sidecar.maxStoredBodyBytes are not stored either.',
  });
}

/** The answer's text from a JSON or SSE response (an error's message for a failed call). */
async function answerText(
  kind: NonNullable<ReturnType<typeof apiKindForPath>>,
  response: Response,
): Promise<string> {
  const isStream = (response.headers.get('content-type') ?? '').includes('text/event-stream');
  if (isStream && response.body) {
    const observer = createStreamObserver(kind, { hideUsageOnlyChunk: false });
    for await (const chunk of response.body) observer.push(chunk);
    const { summary } = observer.end();
    return summary.outputText || (summary.error ?? '');
  }
  const raw = await response.text();
  let json: unknown = null;
  try {
    json = JSON.parse(raw);
  } catch {
    return raw;
  }
  if (!response.ok) {
    const message = (json as { error?: { message?: unknown } } | null)?.error?.message;
    return typeof message === 'string' ? message : raw;
  }
  return extractResponse(kind, json).outputText;
}

function view({ record }: { record: UsageRecord }, text: string | null): CallView {
  return {
    id: record.id,
    ts: record.ts,
    provider: record.provider,
    model: record.model,
    // `?? null`: a sidecar older than the field sends none.
    responseModel: record.responseModel ?? null,
    stream: record.stream,
    status: record.status,
    text,
    usage: record.usage,
    estimated: record.estimated,
    costUsd: record.costUsd,
    latencyMs: record.latencyMs,
    ttfbMs: record.ttfbMs,
    systemFingerprint: record.systemFingerprint,
    prompt: record.promptName === null ? null : `${record.promptName}@${record.promptVersion}`,
    params: record.params,
  };
}
