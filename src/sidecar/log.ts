/**
 * The sidecar's logger: one JSON object per line on stdout (Docker collects it). Every line goes
 * through src/redact with the secrets currently loaded, so a key can never reach the log, whatever
 * a caller passes in a field.
 */
import { redact } from '../redact/index.js';

export type LogLevel = 'debug' | 'info' | 'warn' | 'error';
export type LogFields = Record<string, unknown>;

export interface Logger {
  debug(message: string, fields?: LogFields): void;
  info(message: string, fields?: LogFields): void;
  warn(message: string, fields?: LogFields): void;
  error(message: string, fields?: LogFields): void;
  enabled(level: LogLevel): boolean;
}

const RANK: Record<LogLevel, number> = { debug: 10, info: 20, warn: 30, error: 40 };

export interface LoggerOptions {
  level: LogLevel;
  /** The secret values to mask; called per line so rotated keys are covered at once. */
  secrets?: () => Iterable<string>;
  write?: (line: string) => void;
  now?: () => Date;
}

export function createLogger({
  level,
  secrets = () => [],
  write = (line) => process.stdout.write(line),
  now = () => new Date(),
}: LoggerOptions): Logger {
  const threshold = RANK[level];
  const log = (lineLevel: LogLevel, msg: string, fields?: LogFields) => {
    if (RANK[lineLevel] < threshold) return;
    const line = JSON.stringify({ ts: now().toISOString(), level: lineLevel, msg, ...fields }, errorAware);
    write(`${redact(line, secrets())}\n`);
  };
  return {
    debug: (msg, fields) => log('debug', msg, fields),
    info: (msg, fields) => log('info', msg, fields),
    warn: (msg, fields) => log('warn', msg, fields),
    error: (msg, fields) => log('error', msg, fields),
    enabled: (lineLevel) => RANK[lineLevel] >= threshold,
  };
}

/** Errors serialize to {} by default; keep what helps (message, code, stack). */
function errorAware(_key: string, value: unknown): unknown {
  if (!(value instanceof Error)) return value;
  const { code } = value as NodeJS.ErrnoException;
  return { name: value.name, message: value.message, ...(code ? { code } : {}), stack: value.stack };
}
