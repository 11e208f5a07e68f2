/**
 * `llmdev replay RECORD_ID [--model M] [--json] [--dir D]`: re-sends a recorded request through the
 * sidecar (tagged replay_of=RECORD_ID) and prints the old and the new call side by side.
 */
import { resolve } from 'node:path';
import { Command } from 'commander';
import type { CallView, ReplayResult } from '../../client/replay.js';
import { emit, emitJson, say } from '../output.js';

interface ReplayFlags {
  model?: string;
  json?: boolean;
  dir: string;
}

export function replayCommand(): Command {
  return new Command('replay')
    .description(
      're-send a recorded call through the sidecar and compare old and new answers, tokens and cost',
    )
    .argument('<record-id>', 'the usage record: its x-llmdev-request-id, or an id from GET /v1/usage/records')
    .option('--model <model>', 'send it to another model')
    .option('--json', 'both calls as JSON on stdout')
    .option('--dir <dir>', 'project folder (where llmdev.config.yaml is), when run on the host', '.')
    .action(async (id: string, flags: ReplayFlags) => {
      const [{ resolveSidecarAccess }, { replayCall }] = await Promise.all([
        import('../../client/sidecar-access.js'),
        import('../../client/replay.js'),
      ]);
      const access = await resolveSidecarAccess(resolve(flags.dir));
      say(`replaying ${id} through ${access.url}${flags.model ? ` with ${flags.model}` : ''}...`);
      const result = await replayCall(access, id, { model: flags.model });
      if (flags.json) emitJson(result);
      else emit(formatReplay(result, process.stdout.columns || 100));
    });
}

const LABEL = 16;
const GAP = ' │ ';

/** Aligned side-by-side columns: the facts of both calls, then both answers wrapped. Pure. */
export function formatReplay({ original, replay }: ReplayResult, width: number): string {
  const column = Math.max(20, Math.floor((width - LABEL - GAP.length) / 2));
  const row = (label: string, left: string, right: string) =>
    `${label.padEnd(LABEL)}${left.padEnd(column)}${GAP}${right}`.trimEnd();
  const facts: [string, (call: CallView) => string][] = [
    ['record', (c) => c.id],
    ['model', (c) => c.model],
    ['response model', (c) => c.responseModel ?? '-'],
    ['status', (c) => String(c.status)],
    ['input tokens', (c) => tokens(c.usage.inputTokens, c.estimated)],
    ['cached input', (c) => tokens(c.usage.cachedInputTokens, false)],
    ['output tokens', (c) => tokens(c.usage.outputTokens, c.estimated)],
    ['cost', (c) => usd(c.costUsd)],
    ['latency', (c) => ms(c.latencyMs)],
    ['first byte', (c) => ms(c.ttfbMs)],
    ['fingerprint', (c) => c.systemFingerprint ?? '-'],
  ];
  const lines = [
    row('', 'original', 'replay'),
    ...facts.map(([label, value]) => row(label, clip(value(original), column), value(replay))),
    '',
  ];
  const left = wrap(original.text ?? '(answer not stored)', column);
  const right = wrap(replay.text ?? '(answer not stored)', column);
  for (let i = 0; i < Math.max(left.length, right.length); i++) {
    lines.push(row(i === 0 ? 'answer' : '', left[i] ?? '', right[i] ?? ''));
  }
  return lines.join('\n');
}

function tokens(count: number, estimated: boolean): string {
  return `${count.toLocaleString('en-US')}${estimated ? ' (estimated)' : ''}`;
}

function usd(cost: number | null): string {
  if (cost === null) return 'unpriced';
  return `$${cost.toFixed(cost < 1 ? 6 : 4)}`;
}

function ms(value: number | null): string {
  return value === null ? '-' : `${Math.round(value).toLocaleString('en-US')} ms`;
}

function clip(text: string, width: number): string {
  return text.length <= width ? text : `${text.slice(0, width - 1)}…`;
}

/** Word-wrapped lines of at most `width` characters; words longer than that are cut. */
export function wrap(text: string, width: number): string[] {
  const lines: string[] = [];
  for (const paragraph of text.split('\n')) {
    let line = '';
    for (const word of paragraph.split(/\s+/).filter(Boolean)) {
      for (let piece = word; piece.length > 0; piece = piece.slice(width)) {
        const part = piece.slice(0, width);
        if (line === '') line = part;
        else if (line.length + 1 + part.length <= width) line += ` ${part}`;
        else {
          lines.push(line);
          line = part;
        }
      }
    }
    lines.push(line);
  }
  return lines;
}
