/**
 * HTTP over a bare TCP socket, for requests no HTTP client would send (bad framing, odd methods,
 * huge headers, raw paths such as `/v1/../x`): the bytes go out as given, and the answer is parsed
 * by hand (status line, headers, a content-length or chunked body).
 */
import { connect } from 'node:net';

export interface RawResponse {
  status: number;
  headers: Record<string, string>;
  body: Buffer;
}

export interface RawExchange {
  response: RawResponse | undefined;
  /** The server closed the connection without answering. */
  closedWithoutAnswer: boolean;
  /** Neither an answer nor a close within the timeout. */
  timedOut: boolean;
}

export function rawExchange(
  port: number,
  request: Buffer,
  options: { timeoutMs?: number; endAfterWrite?: boolean; headersSuffice?: boolean } = {},
): Promise<RawExchange> {
  return new Promise((resolve) => {
    const socket = connect(port, '127.0.0.1');
    const chunks: Buffer[] = [];
    let settled = false;
    const finish = (timedOut: boolean) => {
      if (settled) return;
      settled = true;
      clearTimeout(timer);
      socket.destroy();
      const response = parseResponse(Buffer.concat(chunks));
      resolve({ response, closedWithoutAnswer: !response && !timedOut, timedOut: timedOut && !response });
    };
    const timer = setTimeout(() => finish(true), options.timeoutMs ?? 10_000);
    socket.on('data', (chunk: Buffer) => {
      chunks.push(chunk);
      // A live event stream (GET /v1/events) never ends by itself: its headers are the answer.
      if (options.headersSuffice && parseHead(Buffer.concat(chunks))) finish(false);
    });
    socket.on('error', () => finish(false));
    socket.on('close', () => finish(false));
    socket.write(request, () => {
      if (options.endAfterWrite) socket.end();
    });
  });
}

interface Head {
  status: number;
  headers: Record<string, string>;
  bodyStart: number;
}

function parseHead(data: Buffer): Head | undefined {
  const end = data.indexOf('\r\n\r\n');
  if (end === -1) return undefined;
  const lines = data.toString('latin1', 0, end).split('\r\n');
  const status = Number(/^HTTP\/1\.[01] (\d{3})/.exec(lines[0] ?? '')?.[1]);
  if (!Number.isInteger(status)) return undefined;
  const headers: Record<string, string> = {};
  for (const line of lines.slice(1)) {
    const colon = line.indexOf(':');
    if (colon > 0) headers[line.slice(0, colon).trim().toLowerCase()] = line.slice(colon + 1).trim();
  }
  return { status, headers, bodyStart: end + 4 };
}

function dechunk(body: Buffer): Buffer {
  const parts: Buffer[] = [];
  let at = 0;
  for (;;) {
    const lineEnd = body.indexOf('\r\n', at);
    if (lineEnd === -1) break;
    const size = Number.parseInt(body.toString('latin1', at, lineEnd), 16);
    if (!Number.isFinite(size) || size === 0) break;
    parts.push(body.subarray(lineEnd + 2, lineEnd + 2 + size));
    at = lineEnd + 2 + size + 2;
  }
  return Buffer.concat(parts);
}

export function parseResponse(data: Buffer): RawResponse | undefined {
  const head = parseHead(data);
  if (!head) return undefined;
  const raw = data.subarray(head.bodyStart);
  const length = head.headers['content-length'];
  const body =
    head.headers['transfer-encoding'] === 'chunked'
      ? dechunk(raw)
      : length === undefined
        ? raw
        : raw.subarray(0, Number(length));
  return { status: head.status, headers: head.headers, body };
}
