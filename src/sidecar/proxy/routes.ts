/** The provider API routes the sidecar proxies: what the stock OpenAI and Anthropic SDKs call. */
import { apiKindForPath } from '../../usage/endpoints.js';
import type { ProxyRoute } from './pipeline.js';

/**
 * Model ids as both providers spell them (`gpt-4.1`, `ft:gpt-4o-mini:org::id`, `claude-sonnet-4-5`):
 * no `%`, `/` or leading dot, so no encoded slash or dot-segment is ever forwarded with the real key.
 */
export const MODEL_ID = /^[A-Za-z0-9][A-Za-z0-9._:-]{0,255}$/;

const route = (
  method: ProxyRoute['method'],
  path: string,
  provider: ProxyRoute['provider'],
  segment?: RegExp,
): ProxyRoute => ({
  method,
  path,
  provider,
  kind: apiKindForPath(method, path),
  ...(segment && { segment }),
});

export const PROXY_ROUTES: readonly ProxyRoute[] = [
  route('POST', '/v1/chat/completions', 'openai'),
  route('POST', '/v1/responses', 'openai'),
  route('POST', '/v1/embeddings', 'openai'),
  route('POST', '/v1/completions', 'openai'),
  // Both APIs list models here; an Anthropic client's requests go to Anthropic (see pipeline.ts).
  route('GET', '/v1/models', 'openai'),
  route('GET', '/v1/models/*', 'openai', MODEL_ID),
  route('POST', '/v1/messages', 'anthropic'),
  route('POST', '/v1/messages/count_tokens', 'anthropic'),
];
