/**
 * Reading the sidecar's usage API with the sidecar token: one stored call (record, request body,
 * answer text). Network failures and error answers become SidecarErrors that say what to check.
 */
import { SidecarError } from '../errors/index.js';
import type { UsageRecord } from '../usage/record.js';
import type { Secret } from './secret.js';

export interface SidecarAccess {
  /** e.g. http://127.0.0.1:4100 */
  url: string;
  token: Secret;
  fetch?: typeof globalThis.fetch;
}

export interface StoredCall {
  record: UsageRecord;
  /** The request body the client sent (JSON), or null when it was not stored. */
  requestBody: unknown;
  /** The answer's text (capped like bodies), or null when it was not stored. */
  responseText: string | null;
}

export async function sidecarFetch(
  access: SidecarAccess,
  path: string,
  init: RequestInit = {},
): Promise<Response> {
  const url = `${access.url.replace(/\/+$/, '')}${path}`;
  const headers = new Headers(init.headers);
  if (!headers.has('authorization') && !headers.has('x-api-key')) {
    headers.set('authorization', `Bearer ${access.token.reveal()}`);
  }
  try {
    return await (access.fetch ?? globalThis.fetch)(url, { ...init, headers });
  } catch (error) {
    const cause = (error as { cause?: { code?: string; message?: string } }).cause;
    const reason = cause?.code ?? cause?.message ?? (error as Error).message;
    throw new SidecarError(`cannot reach the llmdev sidecar at ${access.url} (${reason})`, {
      hint: 'Is it running? `llmdev status` shows it; `make up` (or `llmdev up`) starts it.',
      cause: error,
    });
  }
}

/** `GET /v1/usage/records/<id>`. */
export async function getStoredCall(access: SidecarAccess, id: string): Promise<StoredCall> {
  const response = await sidecarFetch(access, `/v1/usage/records/${encodeURIComponent(id)}`);
  if (response.status === 404) {
    throw new SidecarError(`no usage record ${id} in the sidecar at ${access.url}`, {
      hint: "A call's record id is its x-llmdev-request-id response header; GET /v1/usage/records lists them.",
    });
  }
  if (!response.ok) throw await answerError(access, response, `reading usage record ${id}`);
  return (await response.json()) as StoredCall;
}

export async function answerError(
  access: SidecarAccess,
  response: Response,
  doing: string,
): Promise<SidecarError> {
  const text = await response.text().catch(() => '');
  let message = text.slice(0, 500);
  try {
    const body = JSON.parse(text) as { error?: { message?: unknown } };
    if (typeof body.error?.message === 'string') message = body.error.message;
  } catch {
    // not JSON: keep the text
  }
  const hint =
    response.status === 401
      ? 'The sidecar token does not match: use the contents of .secrets/llmdev_token (LLMDEV_TOKEN_FILE).'
      : 'See the sidecar log: `llmdev logs usage-logger`.';
  return new SidecarError(
    `${doing}: the sidecar at ${access.url} answered HTTP ${response.status}: ${message}`,
    {
      hint,
    },
  );
}
