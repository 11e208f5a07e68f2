/** The provider API routes the sidecar proxies: what the stock OpenAI and Anthropic SDKs call. */
import { apiKindForPath } from '../../usage/endpoints.js';
import type { ProxyRoute } from './pipeline.js';

const route = (method: ProxyRoute['method'], path: string, provider: ProxyRoute['provider']): ProxyRoute => ({
  method,
  path,
  provider,
  kind: apiKindForPath(method, path),
});

export const PROXY_ROUTES: readonly ProxyRoute[] = [
  route('POST', '/v1/chat/completions', 'openai'),
  route('POST', '/v1/responses', 'openai'),
  route('POST', '/v1/embeddings', 'openai'),
  route('POST', '/v1/completions', 'openai'),
  // Both APIs list models here; an Anthropic client's requests go to Anthropic (see pipeline.ts).
  route('GET', '/v1/models', 'openai'),
  route('GET', '/v1/models/*', 'openai'),
  route('POST', '/v1/messages', 'anthropic'),
  route('POST', '/v1/messages/count_tokens', 'anthropic'),
];
