/**
 * Managed blocks inside files the user owns (.gitignore, .dockerignore, README.md): llmdev
 * replaces only the lines between its markers and keeps everything else.
 */

export interface Markers {
  /** A line starting with this opens the block. */
  start: string;
  /** This exact line closes it. */
  end: string;
}

export const IGNORE_MARKERS: Markers = { start: '# >>> llmdev', end: '# <<< llmdev <<<' };

export function ignoreBlockStart(configFile: string): string {
  return `# >>> llmdev (generated from ${configFile}) >>>`;
}

export type BlockLocation =
  | { found: 'none' }
  | { found: 'unterminated'; start: number }
  | { found: 'block'; start: number; end: number };

/** Where the block is, as line indices (end = the closing marker's line). */
export function locateBlock(text: string, markers: Markers): BlockLocation {
  const lines = text.split('\n');
  const start = lines.findIndex((line) => line.startsWith(markers.start));
  if (start === -1) return { found: 'none' };
  const end = lines.findIndex((line, i) => i > start && line === markers.end);
  return end === -1 ? { found: 'unterminated', start } : { found: 'block', start, end };
}

/** The block's text (markers included, newline-terminated), or undefined. */
export function extractBlock(text: string, markers: Markers): string | undefined {
  const location = locateBlock(text, markers);
  if (location.found !== 'block') return undefined;
  return `${text
    .split('\n')
    .slice(location.start, location.end + 1)
    .join('\n')}\n`;
}

/**
 * `text` with its block replaced by `block` (markers included, newline-terminated), or with `block`
 * appended after a blank line when it has none. An unterminated block is replaced to the end.
 */
export function mergeBlock(text: string | undefined, block: string, markers: Markers): string {
  if (text === undefined || text === '') return block;
  const location = locateBlock(text, markers);
  if (location.found === 'none') {
    const base = text.endsWith('\n') ? text : `${text}\n`;
    return `${base}\n${block}`;
  }
  const lines = text.split('\n');
  const end = location.found === 'block' ? location.end + 1 : lines.length;
  const before = lines.slice(0, location.start).join('\n');
  const after = lines.slice(end).join('\n');
  return (before ? `${before}\n` : '') + block + after;
}
