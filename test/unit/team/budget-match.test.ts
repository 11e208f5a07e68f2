import { parseConfig } from '../../../src/config/load.js';
import { teamWindows } from '../../../src/team/budgets/match.js';

const team = (budgets: unknown[]) => {
  const config = parseConfig({
    text: JSON.stringify({
      project: { name: 't' },
      team: { url: 'postgres://u@h/d', member: 'a@x', budgets },
    }),
  });
  return config.team?.budgets ?? [];
};
const AT = Date.parse('2026-12-03T10:00:00Z');
const subject = { member: 'ann@x', model: 'gpt-4o-2024-08-06', tags: { team: 'exp' } };

describe('teamWindows', () => {
  it('books a call in the window of each budget it counts for', () => {
    const budgets = team([
      { scope: 'team', period: 'day', limitUsd: 5 },
      { scope: 'member', period: 'month', limitUsd: 1 },
      { scope: 'member', match: 'bob@x', limitUsd: 1 },
      { scope: 'model', match: 'gpt-4o', period: 'total', limitUsd: 1 },
      { scope: 'tag', match: 'team=exp', period: 'day', limitUsd: 1 },
      { scope: 'tag', match: 'team=other', period: 'day', limitUsd: 1 },
    ]);
    expect(teamWindows(budgets, subject, AT)).toEqual([
      {
        index: 0,
        budget: 'team:day',
        subject: '',
        start: Date.parse('2026-12-03'),
        end: Date.parse('2026-12-04'),
      },
      {
        index: 1,
        budget: 'member:each:month',
        subject: 'ann@x',
        start: Date.parse('2026-12-01'),
        end: Date.parse('2027-01-01'),
      },
      { index: 3, budget: 'model:gpt-4o:total', subject: '', start: 0, end: null },
      {
        index: 4,
        budget: 'tag:team=exp:day',
        subject: '',
        start: Date.parse('2026-12-03'),
        end: Date.parse('2026-12-04'),
      },
    ]);
  });

  it('refuses two team budgets with one name (they would share rows) and a match on scope team', () => {
    expect(() =>
      team([
        { scope: 'team', period: 'day', limitUsd: 1 },
        { scope: 'team', period: 'day', limitUsd: 2 },
      ]),
    ).toThrow(/team\.budgets\[1\]\.name: "team:day" is already the name of another team budget/);
    expect(() => team([{ scope: 'team', match: 'x', limitUsd: 1 }])).toThrow(
      /team\.budgets\[0\]\.match: is not used/,
    );
    expect(() => team([{ scope: 'model', limitUsd: 1 }])).toThrow(/team\.budgets\[0\]\.match: is required/);
  });
});
