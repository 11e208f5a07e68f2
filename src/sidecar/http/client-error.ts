/**
 * Requests node:http cannot parse (bad request line, unknown method, malformed chunked body,
 * headers over the 16 KiB limit, headers or body too slow) never reach the router. Node's default
 * answer has an empty body; this one says what was wrong in the usual JSON error shape, so every
 * answer of the sidecar is JSON, then closes the connection (the parser's state is lost).
 */
import type { Duplex } from 'node:stream';
import { errorBody } from './errors.js';

const ANSWERS: Record<string, [number, string, string]> = {
  HPE_HEADER_OVERFLOW: [
    431,
    'Request Header Fields Too Large',
    'Request headers are larger than the sidecar accepts (16 KiB in all)',
  ],
  ERR_HTTP_REQUEST_TIMEOUT: [408, 'Request Timeout', 'The request was not received in time'],
  ERR_HTTP_HEADERS_TIMEOUT: [408, 'Request Timeout', 'The request headers were not received in time'],
};

export function answerClientError(error: Error & { code?: string }, socket: Duplex): void {
  if (error.code === 'ECONNRESET' || !socket.writable) {
    socket.destroy(); // nobody left to answer
    return;
  }
  if (((socket as Duplex & { bytesWritten?: number }).bytesWritten ?? 0) > 0) {
    // The handler already answered (a GET does not wait for a body): let that answer out, then close.
    socket.end();
    return;
  }
  const [status, reason, message] = ANSWERS[error.code ?? ''] ?? [
    400,
    'Bad Request',
    `Malformed HTTP request (${error.code ?? 'parse error'})`,
  ];
  const body = errorBody('openai', { status, kind: 'invalid_request', message });
  socket.end(
    `HTTP/1.1 ${status} ${reason}\r\ncontent-type: application/json\r\ncontent-length: ${Buffer.byteLength(body)}\r\nconnection: close\r\n\r\n${body}`,
  );
}
