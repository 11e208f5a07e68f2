/**
 * Where `llmdev usage` gets its figures: the sidecar's usage API (`GET /v1/usage/summary`, with the
 * sidecar token), or usage.db itself, opened read-only, with the same queries the sidecar runs, so
 * both sources give the same numbers.
 */
import type { Database } from 'better-sqlite3';
import type { SidecarAccess } from '../../client/sidecar-api.js';
import { answerError, sidecarFetch } from '../../client/sidecar-api.js';
import { FileError } from '../../errors/index.js';
import { loadSqliteDriver } from '../../sidecar/store/driver.js';
import { MIGRATIONS } from '../../sidecar/store/migrations.js';
import { createUsageQueries, type GroupBy, type Summary } from '../../sidecar/store/queries.js';
import type { ReportSource, UsageReport } from './render.js';

export interface UsageQuery {
  /** ISO-8601 UTC bounds (already parsed); undefined: open. */
  since: string | undefined;
  until: string | undefined;
  groupBy: GroupBy | undefined;
}

/** The report from the sidecar's API; null when nothing answers at `access.url`. */
export async function reportFromApi(access: SidecarAccess, query: UsageQuery): Promise<UsageReport | null> {
  const params = new URLSearchParams();
  if (query.since) params.set('since', query.since);
  if (query.until) params.set('until', query.until);
  if (query.groupBy) params.set('group_by', query.groupBy);
  let response: Response;
  try {
    response = await sidecarFetch(access, `/v1/usage/summary?${params}`, {
      signal: AbortSignal.timeout(15_000),
    });
  } catch {
    return null; // connection refused, reset or timed out
  }
  if (!response.ok) throw await answerError(access, response, 'reading the usage summary');
  const summary = (await response.json()) as Summary;
  return report({ kind: 'api', location: access.url }, query, summary);
}

/** Reads `file` (a usage.db) read-only; `location` says where it is for the report's header. */
export async function reportFromDatabase(
  file: string,
  query: UsageQuery,
  location = file,
): Promise<UsageReport> {
  const BetterSqlite3 = await loadSqliteDriver();
  let db: Database;
  try {
    db = new BetterSqlite3(file, { readonly: true, fileMustExist: true });
  } catch (cause) {
    throw new FileError(`${file}: cannot open the usage database (${(cause as Error).message})`, {
      hint: 'Pass the usage.db of a sidecar data directory (--db), or start the sidecar (`llmdev up`).',
      cause,
    });
  }
  try {
    const version = db.pragma('user_version', { simple: true }) as number;
    const latest = MIGRATIONS.at(-1)?.version ?? 0;
    if (version === 0 || version > latest) {
      throw new FileError(
        version === 0
          ? `${file} is not an llmdev usage database`
          : `${file} has schema version ${version}, newer than this llmdev knows (${latest})`,
        { hint: version === 0 ? "Point --db at the sidecar's usage.db." : 'Upgrade llmdev.' },
      );
    }
    const summary = createUsageQueries(db).summary(query);
    return report({ kind: 'database', location }, query, summary);
  } finally {
    db.close();
  }
}

function report(source: ReportSource, query: UsageQuery, summary: Summary): UsageReport {
  return {
    source,
    since: query.since ?? null,
    until: query.until ?? null,
    groupBy: query.groupBy ?? null,
    totals: summary.totals,
    groups: summary.groups,
  };
}
