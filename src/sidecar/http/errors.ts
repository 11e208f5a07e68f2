/**
 * Errors in the format of the API the client speaks, so a stock SDK raises its usual exception
 * with our message: OpenAI `{error: {message, type, param, code}}`, Anthropic
 * `{type: "error", error: {type, message}}`. Our own routes (/v1/usage...) use the OpenAI shape.
 */
import type { ServerResponse } from 'node:http';

export type ErrorFormat = 'openai' | 'anthropic';

export type ErrorKind =
  | 'invalid_request'
  | 'authentication'
  | 'not_found'
  | 'misdirected'
  | 'method_not_allowed'
  | 'request_too_large'
  | 'upstream'
  | 'internal'
  | 'budget_exceeded'
  | 'budget_unavailable'
  | 'rate_limited'
  | 'loop_detected';

/** [OpenAI type, Anthropic type] per kind. */
const TYPES: Record<ErrorKind, [string, string]> = {
  invalid_request: ['invalid_request_error', 'invalid_request_error'],
  authentication: ['invalid_request_error', 'authentication_error'],
  not_found: ['invalid_request_error', 'not_found_error'],
  misdirected: ['invalid_request_error', 'invalid_request_error'],
  method_not_allowed: ['invalid_request_error', 'invalid_request_error'],
  request_too_large: ['invalid_request_error', 'request_too_large'],
  upstream: ['upstream_error', 'api_error'],
  internal: ['server_error', 'api_error'],
  budget_exceeded: ['budget_exceeded', 'budget_exceeded'],
  budget_unavailable: ['budget_unavailable', 'budget_unavailable'],
  rate_limited: ['rate_limit_exceeded', 'rate_limit_error'],
  loop_detected: ['loop_detected', 'loop_detected'],
};

export interface ApiError {
  status: number;
  kind: ErrorKind;
  message: string;
  /** OpenAI `code` (e.g. invalid_api_key). */
  code?: string;
  headers?: Record<string, string>;
  /** Extra top-level fields (e.g. field-level `issues` of an ingest). */
  details?: Record<string, unknown>;
}

export function errorBody(format: ErrorFormat, error: ApiError): string {
  const [openaiType, anthropicType] = TYPES[error.kind];
  const body =
    format === 'anthropic'
      ? { type: 'error', error: { type: anthropicType, message: error.message }, ...error.details }
      : {
          error: { message: error.message, type: openaiType, param: null, code: error.code ?? null },
          ...error.details,
        };
  return JSON.stringify(body);
}

export function sendError(res: ServerResponse, format: ErrorFormat, error: ApiError): void {
  sendJson(res, error.status, errorBody(format, error), error.headers);
}

export function sendJson(
  res: ServerResponse,
  status: number,
  body: string,
  headers: Record<string, string> = {},
): void {
  res.writeHead(status, {
    ...headers,
    'content-type': 'application/json',
    'content-length': Buffer.byteLength(body),
  });
  res.end(body);
}
