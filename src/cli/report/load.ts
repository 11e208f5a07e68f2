/**
 * Which source `llmdev usage` reads: `--db FILE` when given; else the sidecar's API (in the
 * workspace through LLMDEV_URL and LLMDEV_TOKEN_FILE, on the host through the published port and
 * .secrets/<tokenSecret>); and when the sidecar does not answer on the host, a copy of usage.db
 * taken from its Docker volume. The report says which one it used.
 */
import { resolve } from 'node:path';
import { resolveSidecarAccess } from '../../client/sidecar-access.js';
import { SidecarError } from '../../errors/index.js';
import type { UsageReport } from './render.js';
import { reportFromApi, reportFromDatabase, type UsageQuery } from './sources.js';

export interface LoadOptions {
  dir: string;
  db?: string | undefined;
  env?: Readonly<Record<string, string | undefined>>;
  /** Progress notes for the user (stderr). */
  say: (line: string) => void;
}

export async function loadUsageReport(query: UsageQuery, options: LoadOptions): Promise<UsageReport> {
  const { dir, env = process.env, say } = options;
  if (options.db !== undefined) return reportFromDatabase(resolve(options.db), query);
  const access = await resolveSidecarAccess(dir, env);
  const report = await reportFromApi(access, query);
  if (report) return report;
  if (env.LLMDEV_URL) {
    throw new SidecarError(`cannot reach the llmdev sidecar at ${access.url}`, {
      hint: "Its usage.db is in the sidecar's volume, out of the workspace's reach: start the sidecar (on the host: `llmdev up`), or run `llmdev usage` on the host, which reads the volume while the sidecar is down.",
    });
  }
  say(`llmdev: nothing answers at ${access.url}; reading usage.db from the sidecar's Docker volume`);
  const { copyDatabaseFromVolume } = await import('./volume-copy.js');
  const copy = await copyDatabaseFromVolume(dir);
  try {
    return await reportFromDatabase(copy.file, query, `a copy of ${copy.origin}`);
  } finally {
    await copy.remove();
  }
}
