/** Feeding a whole byte stream through a scanner. */
import { createStreamScanner, type Match, type ScanRules } from './matcher.js';

/** Scans `stream` to its end; resolves with the number of bytes read. */
export async function scanStream(
  stream: AsyncIterable<Buffer | Uint8Array | string> | Iterable<Buffer>,
  rules: ScanRules,
  lines: boolean,
  onMatch: (match: Match) => void,
): Promise<number> {
  const scanner = createStreamScanner(rules, { lines, onMatch });
  let bytes = 0;
  for await (const chunk of stream) {
    const buffer =
      typeof chunk === 'string'
        ? Buffer.from(chunk)
        : Buffer.from(chunk.buffer, chunk.byteOffset, chunk.byteLength);
    bytes += buffer.length;
    scanner.push(buffer);
  }
  scanner.end();
  return bytes;
}
