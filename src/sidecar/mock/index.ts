/**
 * The built-in mock provider: answers in each API's exact wire format (JSON or SSE), with
 * deterministic text and js-tiktoken token counts, so everything works with no API key. It returns
 * a ProviderResponse like upstream does, so the rest of the pipeline (usage extraction, hiding the
 * usage chunk, pricing, recording) runs exactly as it will live. Requests missing a field the real
 * API requires get the real API's 400, so such bugs show before going live.
 */
import { Readable } from 'node:stream';
import type { ProviderName } from '../../config/schema.js';
import type { ApiKind } from '../../usage/endpoints.js';
import { countTextTokens, estimateInputTokens } from '../../usage/estimate.js';
import { errorBody } from '../http/errors.js';
import type { CallControl, ProviderResponse } from '../proxy/provider-response.js';
import { anthropicMessage, anthropicModelInfo, anthropicModelsList, anthropicStream } from './anthropic.js';
import * as openai from './openai.js';
import { mockReplyText } from './reply.js';

type Json = Record<string, unknown>;

export interface MockRequest {
  provider: ProviderName;
  /** The billed API, or null for the models list and `POST /v1/messages/count_tokens`. */
  kind: ApiKind | null;
  path: string;
  body: Json;
  /** The llmdev request id, used in the mock's response ids. */
  id: string;
  now: Date;
  control: CallControl;
}

/** The unbilled calls: count_tokens, and the models list or one model, in the provider's format. */
function unbilledReply(provider: ProviderName, path: string, body: Json, now: Date): Json {
  if (path === '/v1/messages/count_tokens')
    return { input_tokens: estimateInputTokens('anthropic.messages', body) };
  const created = Math.floor(now.getTime() / 1000);
  const modelId = path.startsWith('/v1/models/')
    ? decodeURIComponent(path.slice('/v1/models/'.length))
    : null;
  if (provider === 'anthropic') return modelId ? anthropicModelInfo(modelId, now) : anthropicModelsList(now);
  return modelId ? openai.modelInfo(modelId, created) : openai.modelsList(created);
}

const REQUIRED: Record<ApiKind, string[]> = {
  'openai.chat': ['model', 'messages'],
  'openai.responses': ['model'],
  'openai.embeddings': ['model', 'input'],
  'openai.completions': ['model', 'prompt'],
  'anthropic.messages': ['model', 'max_tokens', 'messages'],
};

export function mockResponse({
  provider,
  kind,
  path,
  body,
  id,
  now,
  control,
}: MockRequest): ProviderResponse {
  const created = Math.floor(now.getTime() / 1000);
  const anthropic = provider === 'anthropic';
  const headers = { [anthropic ? 'request-id' : 'x-request-id']: `mock_${id}` };
  if (kind === null) {
    const json = unbilledReply(provider, path, body, now);
    return jsonResponse(200, headers, JSON.stringify(json), control);
  }
  const missing = REQUIRED[kind].find((field) => body[field] === undefined);
  if (missing) {
    const message = `${missing}: Field required (llmdev mock provider; the real API rejects this too)`;
    const error = errorBody(anthropic ? 'anthropic' : 'openai', {
      status: 400,
      kind: 'invalid_request',
      message,
    });
    return jsonResponse(400, headers, error, control);
  }
  const model = String(body.model);
  const text = kind === 'openai.embeddings' ? '' : mockReplyText(kind, body);
  const turn: openai.MockTurn = {
    id: id.replaceAll('-', '').slice(0, 24),
    model,
    created,
    text,
    inputTokens: estimateInputTokens(kind, body),
    outputTokens: countTextTokens(text, model),
  };
  const includeUsage = (body.stream_options as Json | undefined)?.include_usage === true;
  if (body.stream === true && kind !== 'openai.embeddings') {
    const events =
      kind === 'openai.chat'
        ? openai.chatStream(turn, includeUsage)
        : kind === 'openai.completions'
          ? openai.completionStream(turn, includeUsage)
          : kind === 'openai.responses'
            ? openai.responseStream(turn, body)
            : anthropicStream(turn);
    return readableResponse(
      200,
      { ...headers, 'content-type': 'text/event-stream; charset=utf-8', 'cache-control': 'no-cache' },
      events.map((event) => Buffer.from(event)),
      control,
    );
  }
  const json =
    kind === 'openai.chat'
      ? openai.chatCompletion(turn)
      : kind === 'openai.completions'
        ? openai.completion(turn)
        : kind === 'openai.responses'
          ? openai.response(turn, body)
          : kind === 'openai.embeddings'
            ? openai.embeddings(turn, body)
            : anthropicMessage(turn);
  return jsonResponse(200, headers, JSON.stringify(json), control);
}

function jsonResponse(
  status: number,
  headers: Record<string, string>,
  text: string,
  control: CallControl,
): ProviderResponse {
  const bytes = Buffer.from(text);
  return readableResponse(
    status,
    { ...headers, 'content-type': 'application/json', 'content-length': String(bytes.length) },
    [bytes],
    control,
  );
}

function readableResponse(
  status: number,
  headers: Record<string, string>,
  chunks: Buffer[],
  control: CallControl,
): ProviderResponse {
  const body = Readable.from(chunks);
  control.onCancel = (reason) => body.destroy(reason);
  if (control.reason) body.destroy(control.reason);
  return { status, headers, body };
}
