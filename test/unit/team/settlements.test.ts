import type { TeamWindow } from '../../../src/team/budgets/match.js';
import { type SettledRecord, Settlements } from '../../../src/team/budgets/settlements.js';

const WINDOWS: TeamWindow[] = [{ index: 0, budget: 'team:day', subject: '', start: 0, end: 86_400_000 }];
const record = (id: string, costUsd: number | null): SettledRecord => ({
  id,
  costUsd,
  ts: '2026-12-03T10:00:00.000Z',
  provider: 'openai',
  model: 'gpt-4o',
  tags: {},
});

function setup(fail = { count: 0 }) {
  const sent: [string, number][] = [];
  const settlements = new Settlements({
    books: {
      settle: async (callId, _windows, costUsd) => {
        if (fail.count-- > 0) throw new Error('ECONNREFUSED');
        sent.push([callId, costUsd]);
      },
    },
    graceMs: 50,
    retryMs: 10,
    maxRetryMs: 40,
    onError: () => undefined,
  });
  return { settlements, sent };
}

describe('Settlements', () => {
  it('settles once with the committed cost, whichever of settle and the commit listener comes first', async () => {
    const { settlements, sent } = setup();
    settlements.open('a', WINDOWS);
    settlements.open('b', WINDOWS);
    settlements.settle('a', record('a', 0.5));
    settlements.committed([record('a', 0.5)]);
    settlements.settle('b', null); // the client hung up: its record comes after
    settlements.committed([record('b', 0.25), record('not-ours', 9)]);
    await settlements.drain(1000);
    expect(sent).toEqual([
      ['a', 0.5],
      ['b', 0.25],
    ]);
  });

  it('settles at $0 a call whose record never comes, after the grace period', async () => {
    const { settlements, sent } = setup();
    settlements.open('lost', WINDOWS);
    settlements.settle('lost', null);
    await new Promise((resolve) => setTimeout(resolve, 80));
    expect(sent).toEqual([['lost', 0]]);
  });

  it('keeps failed settlements and retries them until they land', async () => {
    const fail = { count: 3 };
    const { settlements, sent } = setup(fail);
    settlements.open('a', WINDOWS);
    settlements.committed([record('a', 0.1)]);
    expect(settlements.backlog).toBe(1);
    await settlements.drain(2000);
    expect(sent).toEqual([['a', 0.1]]);
    expect(settlements.backlog).toBe(0);
  });

  it('abandons a call that will not run at $0 (its reserve may have landed)', async () => {
    const { settlements, sent } = setup();
    settlements.abandon('refused', WINDOWS);
    await settlements.drain(1000);
    expect(sent).toEqual([['refused', 0]]);
  });
});
