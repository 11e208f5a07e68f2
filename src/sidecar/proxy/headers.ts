/**
 * Headers across the proxy. Upstream: the client's headers (anthropic-version, anthropic-beta,
 * openai-organization, user agents...) minus hop-by-hop ones, the client's credentials and every
 * `x-llmdev-*` header, plus the real key. Back to the client: the provider's headers minus
 * hop-by-hop ones and cookies, plus ours. Pure.
 */
import type { IncomingHttpHeaders, OutgoingHttpHeaders } from 'node:http';
import type { LiveProvider } from '../providers.js';

const DROPPED_REQUEST_HEADERS: ReadonlySet<string> = new Set([
  'host',
  'connection',
  'keep-alive',
  'proxy-connection',
  'proxy-authorization',
  'te',
  'trailer',
  'transfer-encoding',
  'upgrade',
  'expect',
  'content-length',
  // the client's credentials (the sidecar token): replaced by the real key
  'authorization',
  'x-api-key',
  'api-key',
  'cookie',
  // we read the body to extract usage: ask for it uncompressed
  'accept-encoding',
]);

const DROPPED_RESPONSE_HEADERS: ReadonlySet<string> = new Set([
  'connection',
  'keep-alive',
  'proxy-connection',
  'transfer-encoding',
  'trailer',
  'upgrade',
  'content-length',
  'set-cookie',
]);

export function upstreamRequestHeaders(
  incoming: IncomingHttpHeaders,
  provider: LiveProvider,
  bodyLength: number | null,
): OutgoingHttpHeaders {
  const out: OutgoingHttpHeaders = {};
  for (const name in incoming) {
    if (DROPPED_REQUEST_HEADERS.has(name) || name.startsWith('x-llmdev-')) continue;
    out[name] = incoming[name];
  }
  if (bodyLength !== null) out['content-length'] = bodyLength;
  out['accept-encoding'] = 'identity';
  if (provider.name === 'anthropic') out['x-api-key'] = provider.key;
  else out.authorization = `Bearer ${provider.key}`;
  return out;
}

export function clientResponseHeaders(
  upstream: IncomingHttpHeaders,
  ours: Record<string, string>,
): OutgoingHttpHeaders {
  const out: OutgoingHttpHeaders = {};
  for (const name in upstream) {
    if (DROPPED_RESPONSE_HEADERS.has(name)) continue;
    out[name] = upstream[name];
  }
  return Object.assign(out, ours);
}

/** The provider's id for the request (OpenAI `x-request-id`, Anthropic `request-id`). */
export function upstreamRequestId(headers: IncomingHttpHeaders): string | null {
  const id = headers['x-request-id'] ?? headers['request-id'];
  return typeof id === 'string' ? id : null;
}
