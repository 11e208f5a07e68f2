/**
 * Incremental Server-Sent Events framing that keeps each event's ORIGINAL text, so a proxy can
 * forward upstream bytes unchanged (or drop one event) while still reading the fields.
 *
 * Bytes may be split anywhere: mid-UTF-8 sequence, mid-line, between the CR and LF of a CRLF.
 * Event boundaries depend only on the content, never on the chunking, so any split of the same
 * bytes yields the same events and the same concatenated output. An event is handed over as soon
 * as its terminating blank line arrives; nothing beyond the current event is buffered.
 */

/** The fields of one event that we read (`id` and `retry` are forwarded but not parsed). */
export interface SseFields {
  /** The `event:` field, or null. */
  event: string | null;
  /** The `data:` lines joined by `\n`, or null when the event had none (comments, keep-alives). */
  data: string | null;
}

/** Decides, per complete event, whether its text is forwarded (true) or dropped (false). */
export type SseEventHandler = (fields: SseFields) => boolean;

export interface SseFramer {
  /** Feeds upstream bytes; returns the text of the events completed by them, to forward now. */
  push(chunk: Uint8Array): string;
  /** Flushes at end of stream: the unterminated last event (if any) is handled and returned. */
  end(): string;
}

const LF = 10;
const CR = 13;
const BOM = 0xfeff;

/** Index of the first CR or LF in `text` from `from` on, or -1 (a regex would allocate a match per line). */
function lineBreak(text: string, from: number): number {
  for (let i = from; i < text.length; i++) {
    const code = text.charCodeAt(i);
    if (code === LF || code === CR) return i;
  }
  return -1;
}

export function createSseFramer(onEvent: SseEventHandler): SseFramer {
  // ignoreBOM keeps a leading BOM in the forwarded text; it is skipped only when parsing.
  const decoder = new TextDecoder('utf-8', { ignoreBOM: true });
  let buffer = ''; // text of the current, incomplete event
  let lineStart = 0; // start of the first unparsed line in `buffer`
  let searchFrom = 0; // where to resume looking for a line ending
  let firstLine = true;
  let eventName: string | null = null;
  let dataLines: string[] = [];
  // An event ended with a CR that was the last char we had: if the next char is LF, that LF is the
  // rest of its CRLF terminator and shares its fate (forwarded or dropped).
  let danglingLf: boolean | null = null;

  function parseLine(line: string): void {
    if (firstLine) {
      firstLine = false;
      if (line.charCodeAt(0) === BOM) line = line.slice(1);
    }
    if (line.length === 0 || line.charCodeAt(0) === 58 /* ':' comment */) return;
    const colon = line.indexOf(':');
    const field = colon === -1 ? line : line.slice(0, colon);
    let value = colon === -1 ? '' : line.slice(colon + 1);
    if (value.charCodeAt(0) === 32) value = value.slice(1);
    if (field === 'data') dataLines.push(value);
    else if (field === 'event') eventName = value;
  }

  function dispatch(): boolean {
    const fields: SseFields = { event: eventName, data: dataLines.length > 0 ? dataLines.join('\n') : null };
    eventName = null;
    dataLines = [];
    return onEvent(fields);
  }

  function feed(text: string): string {
    let out = '';
    if (text.length === 0) return out;
    if (danglingLf !== null) {
      if (text.charCodeAt(0) === LF) {
        if (danglingLf) out += '\n';
        text = text.slice(1);
      }
      danglingLf = null;
    }
    buffer += text;
    for (;;) {
      const at = lineBreak(buffer, searchFrom);
      if (at === -1) {
        searchFrom = buffer.length;
        break;
      }
      let next = at + 1;
      let endsWithLoneCr = false;
      if (buffer.charCodeAt(at) === CR) {
        if (at + 1 < buffer.length) {
          if (buffer.charCodeAt(at + 1) === LF) next = at + 2;
        } else if (at === lineStart) {
          endsWithLoneCr = true; // a blank line: the event is complete whatever follows
        } else {
          searchFrom = at; // CR or CRLF? wait for the next char
          break;
        }
      }
      if (at === lineStart) {
        firstLine = false;
        const forward = dispatch();
        if (forward) out += buffer.slice(0, next);
        if (endsWithLoneCr) danglingLf = forward;
        buffer = buffer.slice(next);
        lineStart = 0;
        searchFrom = 0;
      } else {
        parseLine(buffer.slice(lineStart, at));
        lineStart = next;
        searchFrom = next;
      }
    }
    return out;
  }

  return {
    push(chunk) {
      return feed(decoder.decode(chunk, { stream: true }));
    },
    end() {
      let out = feed(decoder.decode());
      if (buffer.length > 0) {
        // The stream stopped inside an event: read what it has, then hand over its text as is.
        for (const line of buffer.slice(lineStart).split(/\r\n|\r|\n/)) parseLine(line);
        if (dispatch()) out += buffer;
        buffer = '';
      }
      return out;
    },
  };
}
