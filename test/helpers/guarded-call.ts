/** A GuardedCall as the pipeline builds it, for testing guards without a server. */
import type { IncomingHttpHeaders } from 'node:http';
import type { ProviderName } from '../../src/config/schema.js';
import { parseCallRequest } from '../../src/sidecar/proxy/call-request.js';
import type { GuardedCall } from '../../src/sidecar/proxy/guards.js';
import { type ApiKind, providerOfKind } from '../../src/usage/endpoints.js';

const ENDPOINTS: Record<ApiKind, string> = {
  'openai.chat': '/v1/chat/completions',
  'openai.responses': '/v1/responses',
  'openai.embeddings': '/v1/embeddings',
  'openai.completions': '/v1/completions',
  'anthropic.messages': '/v1/messages',
};

export function guardedCall(
  kind: ApiKind,
  json: Record<string, unknown>,
  options: { headers?: IncomingHttpHeaders; ts?: Date; id?: string; caller?: string } = {},
): GuardedCall {
  const headers = options.headers ?? {};
  const parsed = parseCallRequest(kind, json, Buffer.from(JSON.stringify(json)), headers);
  if (!parsed.ok) throw new Error(parsed.message);
  const provider: ProviderName = providerOfKind(kind);
  return {
    id: options.id ?? 'call-1',
    ts: options.ts ?? new Date('2025-06-15T12:00:00Z'),
    provider,
    mode: 'live',
    kind,
    endpoint: ENDPOINTS[kind],
    request: parsed.call,
    json,
    caller: options.caller ?? 'caller-1',
    headers,
  };
}
