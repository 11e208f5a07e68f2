/**
 * The team's usage summary, from the shared log in PostgreSQL: the same totals and groupings as the
 * local log's (src/sidecar/store/queries.ts), plus one row per member. Bodies are never read here.
 */
import type { GroupBy, Summary, UsageGroup, UsageTotals } from '../sidecar/store/queries.js';
import type { TeamPool } from './connect.js';

export type TeamGroupBy = GroupBy | 'member';

export interface TeamSummaryQuery {
  since?: string | undefined;
  until?: string | undefined;
  groupBy?: TeamGroupBy | undefined;
}

const AGGREGATES = `
  count(*)::float8 AS "requests",
  coalesce(sum(input_tokens), 0)::float8 AS "inputTokens",
  coalesce(sum(output_tokens), 0)::float8 AS "outputTokens",
  coalesce(sum(cached_input_tokens), 0)::float8 AS "cachedInputTokens",
  coalesce(sum(cache_write_tokens), 0)::float8 AS "cacheWriteTokens",
  coalesce(sum(reasoning_tokens), 0)::float8 AS "reasoningTokens",
  coalesce(sum(cost_usd), 0)::float8 AS "costUsd",
  coalesce(sum(saved_usd), 0)::float8 AS "savedUsd",
  (count(*) FILTER (WHERE cost_usd IS NULL))::float8 AS "unpricedRequests",
  (count(*) FILTER (WHERE estimated))::float8 AS "estimatedRequests",
  (count(*) FILTER (WHERE status >= 400))::float8 AS "errorRequests"`;

/** The group key of each grouping, as SQL over team_usage_records (t) and its tags (tag). */
const KEYS: Record<TeamGroupBy, { key: string; from: string }> = {
  member: { key: 'member', from: 'team_usage_records t' },
  model: { key: 'model', from: 'team_usage_records t' },
  provider: { key: 'provider', from: 'team_usage_records t' },
  day: { key: `to_char(ts AT TIME ZONE 'UTC', 'YYYY-MM-DD')`, from: 'team_usage_records t' },
  tag: {
    key: `tag.key || '=' || tag.value`,
    from: 'team_usage_records t LEFT JOIN LATERAL jsonb_each_text(t.tags) tag ON true',
  },
  prompt: {
    key: `CASE WHEN prompt_name IS NULL THEN NULL ELSE prompt_name || '@' || coalesce(prompt_version, '') END`,
    from: 'team_usage_records t',
  },
};

export async function teamSummary(pool: TeamPool, query: TeamSummaryQuery): Promise<Summary> {
  const range = 'WHERE ts >= $1::timestamptz AND ts < $2::timestamptz';
  const bounds = [query.since ?? '-infinity', query.until ?? 'infinity'];
  const totals = await pool.query<UsageTotals>(
    `SELECT ${AGGREGATES} FROM team_usage_records ${range}`,
    bounds,
  );
  let groups: UsageGroup[] = [];
  if (query.groupBy) {
    const { key, from } = KEYS[query.groupBy];
    const result = await pool.query<UsageGroup>(
      `SELECT ${key} AS "key", ${AGGREGATES} FROM ${from} ${range} GROUP BY 1 ORDER BY "costUsd" DESC, "requests" DESC`,
      bounds,
    );
    groups = result.rows;
  }
  return { totals: totals.rows[0] as UsageTotals, groups };
}
