/**
 * Calls a client makes to the sidecar, over raw node:http (the load must cost less CPU than the
 * server under test): proxied OpenAI and Anthropic calls, streaming or not, and usage ingests. A
 * call counts as acknowledged only when its response ENDED with a 2xx status; the SDKs do the
 * same (they read a stream to the HTTP end, past `[DONE]` and `message_stop`).
 */
import { type Agent, request } from 'node:http';
import { performance } from 'node:perf_hooks';
import { TOKEN } from './sidecar-process.js';

export const CALL_KINDS = ['chat', 'chat-stream', 'messages', 'messages-stream', 'responses-stream'] as const;
export type CallKind = (typeof CALL_KINDS)[number];

/** Path and body of a call; `n` makes each body unique (identical repeats are a loop to llmdev). */
function callFor(kind: CallKind, n: number): { path: string; body: string } {
  const messages = [{ role: 'user', content: `Say hello (${n})` }];
  switch (kind) {
    case 'chat':
    case 'chat-stream':
      return {
        path: '/v1/chat/completions',
        body: JSON.stringify({
          model: 'gpt-4o-mini',
          messages,
          ...(kind === 'chat-stream' ? { stream: true } : {}),
        }),
      };
    case 'messages':
    case 'messages-stream':
      return {
        path: '/v1/messages',
        body: JSON.stringify({
          model: 'claude-sonnet-4-20250514',
          max_tokens: 100,
          messages,
          ...(kind === 'messages-stream' ? { stream: true } : {}),
        }),
      };
    case 'responses-stream':
      return {
        path: '/v1/responses',
        body: JSON.stringify({ model: 'gpt-4o-mini', stream: true, input: `Say hello (${n})` }),
      };
  }
}

let sequence = 0;

export interface Outcome {
  status: number;
  /** The response ended normally (all of the body, or the whole stream). */
  ended: boolean;
  /** x-llmdev-request-id */
  id: string | undefined;
  body: string;
  /** Milliseconds to the first body byte and to the end. */
  ttfbMs: number;
  latencyMs: number;
}

export function send(
  url: string,
  agent: Agent | undefined,
  path: string,
  body: string,
  headers: Record<string, string> = {},
): Promise<Outcome> {
  return new Promise((resolve) => {
    const started = performance.now();
    const outcome: Outcome = { status: 0, ended: false, id: undefined, body: '', ttfbMs: -1, latencyMs: -1 };
    let settled = false;
    const done = () => {
      if (settled) return;
      settled = true;
      outcome.latencyMs = performance.now() - started;
      resolve(outcome);
    };
    const req = request(`${url}${path}`, {
      method: 'POST',
      agent,
      headers: {
        authorization: `Bearer ${TOKEN}`,
        'content-type': 'application/json',
        'content-length': Buffer.byteLength(body),
        ...headers,
      },
    });
    req.on('response', (res) => {
      outcome.status = res.statusCode ?? 0;
      const id = res.headers['x-llmdev-request-id'];
      outcome.id = typeof id === 'string' ? id : undefined;
      const chunks: Buffer[] = [];
      res.on('data', (chunk: Buffer) => {
        if (outcome.ttfbMs < 0) outcome.ttfbMs = performance.now() - started;
        chunks.push(chunk);
      });
      res.on('end', () => {
        outcome.ended = !res.aborted && res.complete;
        outcome.body = Buffer.concat(chunks).toString();
        done();
      });
      res.on('error', done);
      res.on('aborted', done);
    });
    req.on('error', done);
    req.end(body);
  });
}

export function proxiedCall(
  url: string,
  agent: Agent | undefined,
  kind: CallKind,
  headers?: Record<string, string>,
): Promise<Outcome> {
  const { path, body } = callFor(kind, sequence++);
  return send(url, agent, path, body, headers);
}

export function ingestRecord(id: string): Record<string, unknown> {
  return {
    id,
    provider: 'openai',
    model: 'gpt-4o-mini',
    usage: { inputTokens: 120, outputTokens: 30 },
    latencyMs: 12,
    tags: { source: 'reliability' },
  };
}

export const ingest = (url: string, agent: Agent | undefined, ids: readonly string[]) =>
  send(url, agent, '/v1/usage', JSON.stringify({ records: ids.map(ingestRecord) }));

/** A 2xx response that ended: the client was told the call (or ingest) succeeded. */
export const acknowledged = (outcome: Outcome) =>
  outcome.ended && outcome.status >= 200 && outcome.status < 300;
