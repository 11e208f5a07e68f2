/**
 * `llmdev usage` output, as pure functions of a usage summary: an aligned table with a total row and
 * notes, CSV and JSON. Calls whose model has no price are never shown as $0: a group whose calls
 * are all unpriced shows "unpriced" (CSV: an empty cost; JSON: `costUsd: null`), and a partly priced
 * one shows its priced cost plus the count of unpriced calls left out of it.
 */
import type { GroupBy, UsageGroup, UsageTotals } from '../../sidecar/store/queries.js';

/** What rows a report has: the local log's groupings, and `member` for the team's (`--team`). */
export type ReportGroupBy = GroupBy | 'member';

export interface ReportSource {
  /** `api`: the sidecar's usage API; `database`: usage.db read directly (sidecar down, or --db); `team`: the team's PostgreSQL. */
  kind: 'api' | 'database' | 'team';
  /** The sidecar URL, or the database file (or where it was copied from). */
  location: string;
}

export interface UsageReport {
  source: ReportSource;
  /** ISO-8601 UTC bounds; null: open. */
  since: string | null;
  until: string | null;
  groupBy: ReportGroupBy | null;
  totals: UsageTotals;
  groups: UsageGroup[];
}

const KEY_HEADERS: Record<ReportGroupBy, string> = {
  member: 'MEMBER',
  model: 'MODEL',
  provider: 'PROVIDER',
  day: 'DAY (UTC)',
  tag: 'TAG',
  prompt: 'PROMPT',
};

const NO_KEY: Record<ReportGroupBy, string> = {
  member: '(none)',
  model: '(no model)',
  provider: '(none)',
  day: '(none)',
  tag: '(no tags)',
  prompt: '(no prompt)',
};

const integer = new Intl.NumberFormat('en-US');

/** Dollars with enough decimals that small costs do not read as zero. */
export function formatUsd(usd: number): string {
  if (usd === 0) return '$0.00';
  const digits = usd < 0.01 ? 6 : usd < 1 ? 4 : 2;
  return `$${usd.toLocaleString('en-US', { minimumFractionDigits: digits, maximumFractionDigits: digits })}`;
}

/** null when every call is unpriced (there is no cost to show, not a cost of 0). */
export function knownCost(totals: UsageTotals): number | null {
  return totals.requests > 0 && totals.unpricedRequests === totals.requests ? null : totals.costUsd;
}

function costCell(totals: UsageTotals): string {
  const cost = knownCost(totals);
  if (cost === null) return 'unpriced';
  return totals.unpricedRequests > 0
    ? `${formatUsd(cost)} + ${integer.format(totals.unpricedRequests)} unpriced`
    : formatUsd(cost);
}

interface Column {
  header: string;
  value: (row: UsageTotals) => string;
  /** Shown only when some row has a value (e.g. no SAVED column without cache hits). */
  optional?: (totals: UsageTotals) => boolean;
}

const COLUMNS: readonly Column[] = [
  { header: 'CALLS', value: (t) => integer.format(t.requests) },
  { header: 'ERRORS', value: (t) => integer.format(t.errorRequests), optional: (t) => t.errorRequests > 0 },
  { header: 'INPUT', value: (t) => integer.format(t.inputTokens) },
  { header: 'CACHED', value: (t) => integer.format(t.cachedInputTokens) },
  {
    header: 'CACHE WRITE',
    value: (t) => integer.format(t.cacheWriteTokens),
    optional: (t) => t.cacheWriteTokens > 0,
  },
  { header: 'OUTPUT', value: (t) => integer.format(t.outputTokens) },
  { header: 'REASONING', value: (t) => integer.format(t.reasoningTokens) },
  { header: 'COST', value: costCell },
  { header: 'SAVED', value: (t) => formatUsd(t.savedUsd), optional: (t) => t.savedUsd > 0 },
];

/** The aligned table (stdout): a row per group, a TOTAL row, and notes that qualify the figures. */
export function renderTable(report: UsageReport): string {
  const groupBy = report.groupBy;
  const columns = COLUMNS.filter((column) => !column.optional || column.optional(report.totals));
  const rows = report.groups.map((group) => [
    group.key ?? (groupBy ? NO_KEY[groupBy] : ''),
    ...columns.map((column) => column.value(group)),
  ]);
  const header = [groupBy ? KEY_HEADERS[groupBy] : '', ...columns.map((column) => column.header)];
  const total = ['TOTAL', ...columns.map((column) => column.value(report.totals))];
  const widths = header.map((cell, i) =>
    Math.max(cell.length, total[i]?.length ?? 0, ...rows.map((row) => row[i]?.length ?? 0)),
  );
  const line = (cells: string[]) =>
    cells
      .map((cell, i) => (i === 0 ? cell.padEnd(widths[i] ?? 0) : cell.padStart(widths[i] ?? 0)))
      .join('  ')
      .trimEnd();
  const rule = '─'.repeat(widths.reduce((sum, width) => sum + width, 0) + 2 * (widths.length - 1));
  const lines = [line(header), ...rows.map(line)];
  if (rows.length > 0) lines.push(rule);
  lines.push(line(total));
  return [...lines, ...notes(report)].join('\n');
}

function notes(report: UsageReport): string[] {
  const { totals } = report;
  const out: string[] = [];
  if (totals.requests === 0) out.push('No calls in this period.');
  if (totals.unpricedRequests > 0) {
    out.push(
      `Unpriced: ${plural(totals.unpricedRequests, 'call')} to models without a known price, not in COST; ` +
        'add their prices under pricing.overrides in llmdev.config.yaml.',
    );
  }
  if (totals.estimatedRequests > 0) {
    out.push(
      `Estimated: ${plural(totals.estimatedRequests, 'call')} with token counts estimated by llmdev ` +
        '(mock provider, or no usage in the response).',
    );
  }
  if (report.groupBy === 'tag' && report.groups.length > 0) {
    out.push('A call with several tags is counted under each; TOTAL counts it once.');
  }
  return out.length > 0 ? ['', ...out] : [];
}

function plural(count: number, noun: string): string {
  return `${integer.format(count)} ${noun}${count === 1 ? '' : 's'}`;
}

const CSV_FIELDS = [
  ['requests', 'requests'],
  ['input_tokens', 'inputTokens'],
  ['cached_input_tokens', 'cachedInputTokens'],
  ['cache_write_tokens', 'cacheWriteTokens'],
  ['output_tokens', 'outputTokens'],
  ['reasoning_tokens', 'reasoningTokens'],
  ['cost_usd', 'costUsd'],
  ['unpriced_requests', 'unpricedRequests'],
  ['saved_usd', 'savedUsd'],
  ['estimated_requests', 'estimatedRequests'],
  ['error_requests', 'errorRequests'],
] as const satisfies readonly (readonly [string, keyof UsageTotals])[];

/**
 * CSV (RFC 4180) for scripts: a header, then a row per group (or one `total` row without
 * grouping). No total row under groups: summing the rows must not count anything twice.
 */
export function renderCsv(report: UsageReport): string {
  const keyHeader = report.groupBy ?? 'total';
  const rows: [string, UsageTotals][] = report.groupBy
    ? report.groups.map((group) => [group.key ?? '', group])
    : [['total', report.totals]];
  const lines = [
    [keyHeader, ...CSV_FIELDS.map(([name]) => name)],
    ...rows.map(([key, totals]) => [
      key,
      ...CSV_FIELDS.map(([, field]) => {
        if (field === 'costUsd') {
          const cost = knownCost(totals);
          return cost === null ? '' : decimal(cost);
        }
        return field === 'savedUsd' ? decimal(totals.savedUsd) : String(totals[field]);
      }),
    ]),
  ];
  return `${lines.map((cells) => cells.map(csvCell).join(',')).join('\r\n')}\r\n`;
}

function csvCell(value: string): string {
  return /[",\r\n]/.test(value) ? `"${value.replaceAll('"', '""')}"` : value;
}

/** Plain decimal notation (no exponent), up to 10 places. */
function decimal(value: number): string {
  return value.toFixed(10).replace(/\.?0+$/, '');
}

/** The report as JSON for scripts: `costUsd` is null where every call is unpriced. */
export function reportJson(report: UsageReport): unknown {
  const withKnownCost = <T extends UsageTotals>(totals: T) => ({ ...totals, costUsd: knownCost(totals) });
  return {
    source: report.source,
    since: report.since,
    until: report.until,
    groupBy: report.groupBy,
    totals: withKnownCost(report.totals),
    groups: report.groups.map(withKnownCost),
  };
}

/** One line for stderr: what the figures cover and where they came from. */
export function describeReport(report: UsageReport, now: Date): string {
  const from = report.since ? humanTime(report.since) : 'the first record';
  const to = report.until ? humanTime(report.until) : `now (${humanTime(now.toISOString())})`;
  const by = report.groupBy ? `, by ${report.groupBy}` : '';
  const source =
    report.source.kind === 'api'
      ? `from the sidecar at ${report.source.location}`
      : report.source.kind === 'team'
        ? `from the team database ${report.source.location}`
        : `read from ${report.source.location}`;
  return `llmdev usage: ${from} → ${to} UTC${by}; ${source}`;
}

function humanTime(iso: string): string {
  return iso.slice(0, 16).replace('T', ' ');
}
