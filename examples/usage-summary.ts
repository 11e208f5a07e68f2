/**
 * Reading the usage log from code: the sidecar's summary API (`GET /v1/usage/summary`) grouped by
 * model and by prompt version, for the last hour. `llmdev usage` prints the same from the host.
 * Run: `tsx examples/usage-summary.ts [since]`, e.g. `tsx examples/usage-summary.ts 7d`.
 */
import { loadConfig } from 'llmdev/client';

interface Group {
  key: string | null;
  requests: number;
  inputTokens: number;
  outputTokens: number;
  costUsd: number;
  unpricedRequests: number;
}

const settings = loadConfig();
const since = process.argv[2] ?? '1h';

async function summary(groupBy: string): Promise<{ totals: Group; groups: Group[] }> {
  const url = `${settings.sidecarUrl}/v1/usage/summary?group_by=${groupBy}&since=${since}`;
  const response = await fetch(url, { headers: { authorization: `Bearer ${settings.token?.reveal()}` } });
  if (!response.ok) throw new Error(`${url}: HTTP ${response.status} ${await response.text()}`);
  return (await response.json()) as { totals: Group; groups: Group[] };
}

function table(title: string, rows: Group[]): string {
  const cells = rows.map((g) => [
    g.key ?? '(none)',
    String(g.requests),
    g.inputTokens.toLocaleString('en-US'),
    g.outputTokens.toLocaleString('en-US'),
    `$${g.costUsd.toFixed(6)}${g.unpricedRequests > 0 ? ` (+${g.unpricedRequests} unpriced)` : ''}`,
  ]);
  const head = [title, 'calls', 'input', 'output', 'cost'];
  const widths = head.map((h, i) => Math.max(h.length, ...cells.map((row) => (row[i] as string).length)));
  const line = (row: string[]) =>
    row
      .map((cell, i) => (i === 0 ? cell.padEnd(widths[i] as number) : cell.padStart(widths[i] as number)))
      .join('  ');
  return [line(head), ...cells.map(line)].join('\n');
}

const byModel = await summary('model');
const byPrompt = await summary('prompt');
console.log(`usage since ${since}\n`);
console.log(table('model', [...byModel.groups, { ...byModel.totals, key: 'total' }]));
console.log(`\n${table('prompt', byPrompt.groups)}`);
