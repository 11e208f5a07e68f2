/**
 * Which billed API a request path is. Paths are the ones the stock SDKs send with
 * `OPENAI_BASE_URL=…/v1` and `ANTHROPIC_BASE_URL=…` (the Anthropic SDK adds `/v1` itself).
 */
import type { Provider } from './record.js';

export const API_KINDS = [
  'openai.chat',
  'openai.responses',
  'openai.embeddings',
  'openai.completions',
  'anthropic.messages',
] as const;
export type ApiKind = (typeof API_KINDS)[number];

const KIND_BY_PATH: ReadonlyMap<string, ApiKind> = new Map([
  ['/v1/chat/completions', 'openai.chat'],
  ['/v1/responses', 'openai.responses'],
  ['/v1/embeddings', 'openai.embeddings'],
  ['/v1/completions', 'openai.completions'],
  ['/v1/messages', 'anthropic.messages'],
]);

/**
 * The billed API a request goes to, or null when it is not a billed call (`GET /v1/models`,
 * `POST /v1/messages/count_tokens`, anything unknown). Ignores a query string and one trailing slash.
 */
export function apiKindForPath(method: string, path: string): ApiKind | null {
  if (method.toUpperCase() !== 'POST') return null;
  const query = path.indexOf('?');
  let bare = query === -1 ? path : path.slice(0, query);
  if (bare.length > 1 && bare.endsWith('/')) bare = bare.slice(0, -1);
  return KIND_BY_PATH.get(bare) ?? null;
}

export function providerOfKind(kind: ApiKind): Provider {
  return kind === 'anthropic.messages' ? 'anthropic' : 'openai';
}
