/**
 * The upstream HTTP client: node:http/https with keep-alive agents (a warm connection saves the
 * TCP and TLS handshakes on every call), cancelled through the call's CallControl.
 * A request that fails because the provider closed an idle kept-alive socket just as we reused
 * it is retried once (Node's documented pattern: nothing reached the provider). Closed while we
 * were still writing, that shows as EPIPE rather than ECONNRESET (a large body on a stale socket);
 * either way, only a reused socket that produced no response is retried.
 */
import {
  Agent as HttpAgent,
  request as httpRequest,
  type IncomingHttpHeaders,
  type IncomingMessage,
} from 'node:http';
import { Agent as HttpsAgent, request as httpsRequest } from 'node:https';
import type { LiveProvider } from '../providers.js';
import { upstreamRequestHeaders } from './headers.js';
import type { CallControl, ProviderResponse } from './provider-response.js';

export interface UpstreamCall {
  provider: LiveProvider;
  method: string;
  /** The sidecar path, e.g. `/v1/chat/completions`, and its query string. */
  path: string;
  search: string;
  headers: IncomingHttpHeaders;
  body: Buffer | null;
  control: CallControl;
}

export interface UpstreamClient {
  /** Resolves when the response headers arrive; rejects if no response came. */
  send(call: UpstreamCall): Promise<ProviderResponse>;
  close(): void;
}

/** How a kept-alive socket the provider had already closed fails when reused. */
const STALE_SOCKET: ReadonlySet<string> = new Set(['ECONNRESET', 'EPIPE']);

export function createUpstreamClient(): UpstreamClient {
  const options = {
    keepAlive: true,
    maxSockets: Number.POSITIVE_INFINITY,
    maxFreeSockets: 256,
    scheduling: 'lifo',
  } as const;
  const httpAgent = new HttpAgent(options);
  const httpsAgent = new HttpsAgent(options);

  const attempt = (call: UpstreamCall, retried: boolean): Promise<ProviderResponse> =>
    new Promise((resolve, reject) => {
      const { provider, control } = call;
      if (control.reason) {
        reject(control.reason);
        return;
      }
      const base = provider.baseUrl;
      const https = base.protocol === 'https:';
      const basePath = base.pathname === '/' ? '' : base.pathname;
      // OpenAI base URLs include the version (`.../v1`), Anthropic's do not.
      const rest = provider.name === 'openai' ? call.path.slice(3) : call.path;
      const req = (https ? httpsRequest : httpRequest)({
        agent: https ? httpsAgent : httpAgent,
        protocol: base.protocol,
        hostname: base.hostname,
        port: base.port || (https ? 443 : 80),
        method: call.method,
        path: basePath + rest + call.search,
        headers: upstreamRequestHeaders(call.headers, provider, call.body?.length ?? null),
      });
      control.onCancel = (reason) => req.destroy(reason);
      let responded = false;
      req.once('response', (res: IncomingMessage) => {
        responded = true;
        resolve({ status: res.statusCode ?? 502, headers: res.headers, body: res });
      });
      req.on('error', (error: NodeJS.ErrnoException) => {
        if (responded) return; // the response body reports it
        if (!retried && req.reusedSocket && STALE_SOCKET.has(error.code ?? '') && !control.reason) {
          resolve(attempt(call, true));
        } else reject(error);
      });
      req.end(call.body ?? undefined);
    });

  return {
    send: (call) => attempt(call, false),
    close() {
      httpAgent.destroy();
      httpsAgent.destroy();
    },
  };
}
