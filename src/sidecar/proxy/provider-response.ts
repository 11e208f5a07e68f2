/** A provider's answer as the pipeline consumes it, whether it came from upstream or the mock. */
import type { IncomingHttpHeaders } from 'node:http';
import type { Readable } from 'node:stream';

export interface ProviderResponse {
  status: number;
  headers: IncomingHttpHeaders;
  /** Ends early ('close' without 'end') when the call is cancelled. */
  body: Readable;
}

export function isEventStream(response: ProviderResponse): boolean {
  return String(response.headers['content-type'] ?? '').startsWith('text/event-stream');
}

/**
 * Cancellation of one call (client gone, timeout): lighter than an AbortController per request.
 * Whoever holds the in-flight request or stream registers `onCancel`; `reason` says why it ended.
 */
export class CallControl {
  reason: Error | null = null;
  onCancel: ((reason: Error) => void) | null = null;

  cancel(reason: Error): void {
    if (this.reason) return;
    this.reason = reason;
    this.onCancel?.(reason);
  }
}
