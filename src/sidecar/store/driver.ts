/**
 * better-sqlite3 is an optional dependency: a native addon, so `npm install` may skip it where no
 * compiler is available (the workspace container). Only the sidecar and `llmdev usage --db` need it;
 * they load it through here to say what is missing instead of crashing on a module-not-found.
 */
import type BetterSqlite3 from 'better-sqlite3';
import { ToolError } from '../../errors/index.js';

export async function loadSqliteDriver(): Promise<typeof BetterSqlite3> {
  try {
    return (await import('better-sqlite3')).default;
  } catch (cause) {
    throw new ToolError(`better-sqlite3 cannot be loaded (${(cause as Error).message.split('\n')[0]})`, {
      hint: 'It is an optional native dependency: install it with a C++ toolchain present (`apt-get install -y python3 make g++ && npm install better-sqlite3`), or read usage through the running sidecar instead.',
      cause,
    });
  }
}
