import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { parseConfig } from '../../../src/config/load.js';
import { BudgetLedger } from '../../../src/sidecar/budgets/ledger.js';
import { loadSpend } from '../../../src/sidecar/budgets/load-spend.js';
import { openUsageStore, type UsageStore } from '../../../src/sidecar/store/index.js';
import type { UsageRecord } from '../../../src/usage/record.js';
import { usageRecord } from '../../helpers/usage-record.js';

let dir: string;
let store: UsageStore;
beforeEach(() => {
  dir = mkdtempSync(join(tmpdir(), 'llmdev-budgets-'));
  store = openUsageStore(dir);
});
afterEach(async () => {
  await store.close();
  rmSync(dir, { recursive: true, force: true });
});

let n = 0;
function record(ts: string, costUsd: number | null, fields: Partial<UsageRecord> = {}): UsageRecord {
  n++;
  return usageRecord({ id: `rec-${n}`, ts, costUsd, ...fields });
}

it('loads each budget’s spend in its current window from usage.db, with the ledger’s matching rules', async () => {
  await store.writer.write(
    [
      record('2025-05-31T23:59:59.999Z', 10), // last month
      record('2025-06-01T00:00:00.000Z', 1),
      record('2025-06-14T12:00:00.000Z', 2, { model: 'gpt-4o-2024-08-06', tags: { team: 'search' } }),
      record('2025-06-15T00:00:00.000Z', 4, { provider: 'anthropic', model: 'claude-sonnet-4-5' }),
      record('2025-06-15T08:00:00.000Z', null, { model: 'unpriced' }),
      record('2025-06-16T00:00:00.000Z', 100), // tomorrow (a client clock ahead): not today's
    ].map((r) => ({ record: r })),
  );
  const { budgets } = parseConfig({
    text: JSON.stringify({
      project: { name: 'demo' },
      budgets: [
        { scope: 'total', period: 'month', limitUsd: 50 },
        { scope: 'total', period: 'day', limitUsd: 50 },
        { scope: 'total', period: 'total', limitUsd: 500 },
        { scope: 'provider', match: 'anthropic', period: 'day', limitUsd: 50 },
        { scope: 'model', match: 'gpt-4o', limitUsd: 50 },
        { scope: 'tag', match: 'team=search', limitUsd: 50 },
      ],
    }),
  });
  const now = Date.parse('2025-06-15T12:00:00Z');
  const ledger = new BudgetLedger(budgets, { now: () => now });
  loadSpend(ledger, budgets, store.queries, now);
  expect(ledger.statuses().map((s) => s.spentUsd)).toEqual([107, 4, 117, 4, 2, 2]);
});
