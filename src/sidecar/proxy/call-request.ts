/**
 * What the sidecar needs from a proxied request before forwarding it: model, stream flag, the
 * sampling parameters kept for reproducibility, tags and prompt version from `x-llmdev-*` headers,
 * and the body to send upstream (the client's bytes unchanged, except that an OpenAI stream gets
 * `stream_options.include_usage` so usage can be recorded). Pure.
 */
import type { IncomingHttpHeaders } from 'node:http';
import type { ApiKind } from '../../usage/endpoints.js';
import { pickParams } from '../../usage/params.js';
import type { RequestParams } from '../../usage/record.js';
import { guardedFieldProblem } from '../limits/guarded-fields.js';

type Json = Record<string, unknown>;

export interface CallRequest {
  /** The model the client asked for; '' when the body names none. */
  model: string;
  stream: boolean;
  params: RequestParams;
  tags: Record<string, string>;
  promptName: string | null;
  promptVersion: string | null;
  /** The body to send upstream, and its bytes. */
  upstreamJson: Json;
  upstreamBody: Buffer;
  /** The client did not ask for OpenAI's usage chunk: we asked for it, so we hide it. */
  hideUsageChunk: boolean;
}

export type ParsedCall = { ok: true; call: CallRequest } | { ok: false; message: string };

const MAX_TAGS = 32;
const TAG_KEY = /^[A-Za-z0-9_.:/-]{1,64}$/;
const PROMPT = /^([^@\s]{1,128})@([^@\s]{1,128})$/;
/** Streams whose usage comes only with `stream_options.include_usage`. */
const USAGE_OPT_IN: ReadonlySet<ApiKind> = new Set(['openai.chat', 'openai.completions']);

export function parseCallRequest(
  kind: ApiKind,
  json: Json,
  body: Buffer,
  headers: IncomingHttpHeaders,
): ParsedCall {
  const wrongType = guardedFieldProblem(json);
  if (wrongType !== null) return { ok: false, message: wrongType };
  const tags = parseTags(headers['x-llmdev-tags']);
  if (typeof tags === 'string') return { ok: false, message: tags };
  const promptHeader = headers['x-llmdev-prompt'];
  let promptName: string | null = null;
  let promptVersion: string | null = null;
  if (typeof promptHeader === 'string' && promptHeader !== '') {
    const match = PROMPT.exec(promptHeader.trim());
    if (!match) {
      return {
        ok: false,
        message: `x-llmdev-prompt: expected name@version, got ${JSON.stringify(promptHeader)}`,
      };
    }
    promptName = match[1] as string;
    promptVersion = match[2] as string;
  }
  const stream = json.stream === true;
  const streamOptions = json.stream_options as Json | undefined;
  const injectUsage = stream && USAGE_OPT_IN.has(kind) && streamOptions?.include_usage !== true;
  const upstreamJson = injectUsage
    ? { ...json, stream_options: { ...streamOptions, include_usage: true } }
    : json;
  const upstreamBody = injectUsage ? withUsageRequested(body, json, upstreamJson) : body;
  return {
    ok: true,
    call: {
      model: typeof json.model === 'string' ? json.model : '',
      stream,
      params: pickParams(json),
      tags,
      promptName,
      promptVersion,
      upstreamJson,
      upstreamBody,
      hideUsageChunk: injectUsage,
    },
  };
}

const INCLUDE_USAGE = Buffer.from('"stream_options":{"include_usage":true},');
const OPENING_BRACE = 0x7b;

/**
 * The upstream bytes of a stream we ask usage for. Without stream_options in the body (what SDKs
 * send), `"stream_options":{"include_usage":true},` goes right after the opening brace of the
 * client's bytes: no re-serialisation of a long chat history on every streamed call. The body
 * parsed as a JSON object (so its first `{` opens it) and has `stream: true` (so a key follows).
 * Options to merge into are rare: then the merged object is serialised.
 */
function withUsageRequested(body: Buffer, json: Json, upstreamJson: Json): Buffer {
  const brace = body.indexOf(OPENING_BRACE);
  if (Object.hasOwn(json, 'stream_options') || brace === -1) return Buffer.from(JSON.stringify(upstreamJson));
  return Buffer.concat([body.subarray(0, brace + 1), INCLUDE_USAGE, body.subarray(brace + 1)]);
}

/** `k=v,k2=v2` → map, or an error message. */
export function parseTags(header: string | string[] | undefined): Record<string, string> | string {
  const tags: Record<string, string> = {};
  if (header === undefined || header === '') return tags;
  const text = Array.isArray(header) ? header.join(',') : header;
  for (const pair of text.split(',')) {
    if (pair.trim() === '') continue;
    const eq = pair.indexOf('=');
    const key = eq === -1 ? '' : pair.slice(0, eq).trim();
    const value = eq === -1 ? '' : pair.slice(eq + 1).trim();
    if (!TAG_KEY.test(key) || value.length > 256) {
      return `x-llmdev-tags: expected key=value pairs separated by commas (keys of letters, digits, _.:/-), got ${JSON.stringify(pair.trim())}`;
    }
    tags[key] = value;
  }
  if (Object.keys(tags).length > MAX_TAGS) return `x-llmdev-tags: at most ${MAX_TAGS} tags`;
  return tags;
}
