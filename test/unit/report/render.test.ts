/** `llmdev usage` rendering: table, CSV and JSON from a usage summary (pure). */
import fc from 'fast-check';
import {
  describeReport,
  formatUsd,
  renderCsv,
  renderTable,
  reportJson,
  type UsageReport,
} from '../../../src/cli/report/render.js';
import type { UsageGroup, UsageTotals } from '../../../src/sidecar/store/queries.js';

const zero: UsageTotals = {
  requests: 0,
  inputTokens: 0,
  outputTokens: 0,
  cachedInputTokens: 0,
  cacheWriteTokens: 0,
  reasoningTokens: 0,
  costUsd: 0,
  savedUsd: 0,
  unpricedRequests: 0,
  estimatedRequests: 0,
  errorRequests: 0,
};

const group = (key: string | null, fields: Partial<UsageTotals>): UsageGroup => ({ ...zero, ...fields, key });

const sum = (groups: UsageGroup[]): UsageTotals => {
  const totals = { ...zero };
  for (const g of groups) for (const k of Object.keys(zero) as (keyof UsageTotals)[]) totals[k] += g[k];
  return totals;
};

const byModel = (groups: UsageGroup[]): UsageReport => ({
  source: { kind: 'api', location: 'http://127.0.0.1:4100' },
  since: '2025-06-01T00:00:00.000Z',
  until: null,
  groupBy: 'model',
  totals: sum(groups),
  groups,
});

const groups = [
  group('claude-sonnet-4-20250514', {
    requests: 3,
    inputTokens: 12_400,
    cachedInputTokens: 8000,
    outputTokens: 950,
    costUsd: 0.0516,
  }),
  group('gpt-4o-mini', {
    requests: 12,
    inputTokens: 3456,
    outputTokens: 789,
    reasoningTokens: 0,
    costUsd: 0.00099,
    estimatedRequests: 2,
  }),
  group('my-fine-tune', { requests: 2, inputTokens: 100, outputTokens: 50, unpricedRequests: 2 }),
];

describe('renderTable', () => {
  it('aligns a row per group under a header, then a TOTAL row and notes', () => {
    expect(renderTable(byModel(groups))).toBe(
      [
        'MODEL                     CALLS   INPUT  CACHED  OUTPUT  REASONING                  COST',
        'claude-sonnet-4-20250514      3  12,400   8,000     950          0               $0.0516',
        'gpt-4o-mini                  12   3,456       0     789          0             $0.000990',
        'my-fine-tune                  2     100       0      50          0              unpriced',
        '─'.repeat(88),
        'TOTAL                        17  15,956   8,000   1,789          0  $0.0526 + 2 unpriced',
        '',
        'Unpriced: 2 calls to models without a known price, not in COST; add their prices under pricing.overrides in llmdev.config.yaml.',
        'Estimated: 2 calls with token counts estimated by llmdev (mock provider, or no usage in the response).',
      ].join('\n'),
    );
  });

  it('never shows an unpriced group as $0, and partly priced ones with the unpriced count', () => {
    const table = renderTable(
      byModel([
        group('mystery', { requests: 4, unpricedRequests: 4 }),
        group('mixed', { requests: 3, unpricedRequests: 1, costUsd: 0.5 }),
      ]),
    );
    expect(table).toMatch(/^mystery +4 .* unpriced$/m);
    expect(table).toMatch(/^mixed +3 .* \$0\.5000 \+ 1 unpriced$/m);
    expect(table).not.toMatch(/^mystery.*\$0/m);
  });

  it('adds ERRORS, CACHE WRITE and SAVED columns only when there is something in them', () => {
    const plain = renderTable(byModel(groups));
    expect(plain).not.toMatch(/ERRORS|CACHE WRITE|SAVED/);
    const busy = renderTable(
      byModel([
        group('gpt-4o', { requests: 5, errorRequests: 1, cacheWriteTokens: 300, savedUsd: 0.25, costUsd: 1 }),
      ]),
    );
    expect(busy.split('\n')[0]).toMatch(
      /CALLS +ERRORS +INPUT +CACHED +CACHE WRITE +OUTPUT +REASONING +COST +SAVED$/,
    );
    expect(busy).toMatch(/\$0\.2500$/m);
  });

  it('names groups without a key, says when there were no calls, and warns that tags overlap', () => {
    const prompt: UsageReport = {
      ...byModel([
        group(null, { requests: 2, costUsd: 0.01 }),
        group('summarize@3', { requests: 1, costUsd: 0.02 }),
      ]),
      groupBy: 'prompt',
    };
    expect(renderTable(prompt)).toMatch(/^PROMPT .*\n\(no prompt\) /);
    const empty = renderTable({ ...byModel([]) });
    expect(empty).toBe(
      [
        'MODEL  CALLS  INPUT  CACHED  OUTPUT  REASONING   COST',
        'TOTAL      0      0       0       0          0  $0.00',
        '',
        'No calls in this period.',
      ].join('\n'),
    );
    const tags: UsageReport = {
      ...byModel([group('team=a', { requests: 1 }), group('run=1', { requests: 1 })]),
      groupBy: 'tag',
    };
    tags.totals = { ...zero, requests: 1 };
    expect(renderTable(tags)).toContain(
      'A call with several tags is counted under each; TOTAL counts it once.',
    );
  });

  const totalsArb = fc
    .record({
      requests: fc.nat(100_000),
      inputTokens: fc.nat(10 ** 9),
      outputTokens: fc.nat(10 ** 8),
      cachedInputTokens: fc.nat(10 ** 8),
      cacheWriteTokens: fc.nat(10 ** 6),
      reasoningTokens: fc.nat(10 ** 6),
      costUsd: fc.double({ min: 0, max: 100_000, noNaN: true }),
      savedUsd: fc.double({ min: 0, max: 1000, noNaN: true }),
      unpricedFraction: fc.double({ min: 0, max: 1, noNaN: true }),
      errorRequests: fc.nat(10),
    })
    .map(({ unpricedFraction, ...t }) => ({
      ...t,
      unpricedRequests: Math.floor(t.requests * unpricedFraction),
      estimatedRequests: 0,
    }));

  it('keeps every table line the same width, whatever the figures (property)', () => {
    fc.assert(
      fc.property(
        fc.array(fc.tuple(fc.string({ minLength: 1, maxLength: 40 }), totalsArb), { maxLength: 8 }),
        (rows) => {
          const report = byModel(rows.map(([key, totals]) => group(key.replace(/\s/g, '_'), totals)));
          const lines = renderTable(report).split('\n');
          const table = lines.slice(0, lines.indexOf('') === -1 ? undefined : lines.indexOf(''));
          return table.every((line) => line.length === (table[0] as string).length);
        },
      ),
    );
  });

  it('never prints a cost of $0 for a group whose calls are all unpriced (property)', () => {
    fc.assert(
      fc.property(fc.integer({ min: 1, max: 1000 }), (requests) => {
        const table = renderTable(byModel([group('m', { requests, unpricedRequests: requests })]));
        return !/\$0(\.0+)?\b/.test(table) && /^m .* unpriced$/m.test(table);
      }),
    );
  });
});

describe('renderCsv', () => {
  it('writes a header and a row per group with exact numbers, an empty cost when unpriced, no total row', () => {
    expect(renderCsv(byModel(groups))).toBe(
      [
        'model,requests,input_tokens,cached_input_tokens,cache_write_tokens,output_tokens,reasoning_tokens,cost_usd,unpriced_requests,saved_usd,estimated_requests,error_requests',
        'claude-sonnet-4-20250514,3,12400,8000,0,950,0,0.0516,0,0,0,0',
        'gpt-4o-mini,12,3456,0,0,789,0,0.00099,0,0,2,0',
        'my-fine-tune,2,100,0,0,50,0,,2,0,0,0',
        '',
      ].join('\r\n'),
    );
  });

  it('quotes fields with commas, quotes or line breaks (RFC 4180) and never writes exponents', () => {
    const csv = renderCsv({
      ...byModel([group('team="a,b"', { requests: 1, costUsd: 1.5e-8 })]),
      groupBy: 'tag',
    });
    expect(csv.split('\r\n')[1]).toBe('"team=""a,b""",1,0,0,0,0,0,0.000000015,0,0,0,0');
  });

  it('without grouping, writes one total row', () => {
    const csv = renderCsv({ ...byModel(groups), groupBy: null, groups: [] });
    expect(csv.split('\r\n')).toEqual([
      expect.stringMatching(/^total,requests,/),
      expect.stringMatching(/^total,17,15956,/),
      '',
    ]);
  });
});

describe('reportJson', () => {
  it('is the summary with the source and bounds, and costUsd null where every call is unpriced', () => {
    const json = reportJson(byModel(groups)) as {
      source: unknown;
      since: string;
      totals: { costUsd: number | null; unpricedRequests: number };
      groups: { key: string; costUsd: number | null }[];
    };
    expect(json.source).toEqual({ kind: 'api', location: 'http://127.0.0.1:4100' });
    expect(json.since).toBe('2025-06-01T00:00:00.000Z');
    expect(json.groups.map((g) => [g.key, g.costUsd])).toEqual([
      ['claude-sonnet-4-20250514', 0.0516],
      ['gpt-4o-mini', 0.00099],
      ['my-fine-tune', null],
    ]);
    expect(json.totals).toMatchObject({ costUsd: 0.05259, unpricedRequests: 2 });
  });
});

describe('formatUsd and describeReport', () => {
  it.each([
    [0, '$0.00'],
    [0.000021, '$0.000021'],
    [0.0123, '$0.0123'],
    [0.5, '$0.5000'],
    [1234.5, '$1,234.50'],
  ])('formatUsd(%p) = %p', (usd, text) => expect(formatUsd(usd)).toBe(text));

  it('says what the figures cover and where they came from', () => {
    const now = new Date('2025-06-08T10:30:00Z');
    expect(describeReport(byModel(groups), now)).toBe(
      'llmdev usage: 2025-06-01 00:00 → now (2025-06-08 10:30) UTC, by model; from the sidecar at http://127.0.0.1:4100',
    );
    expect(
      describeReport(
        {
          ...byModel(groups),
          source: { kind: 'database', location: '/tmp/usage.db' },
          until: '2025-06-02T00:00:00.000Z',
        },
        now,
      ),
    ).toBe('llmdev usage: 2025-06-01 00:00 → 2025-06-02 00:00 UTC, by model; read from /tmp/usage.db');
  });
});
