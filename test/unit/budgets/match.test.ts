import { parseConfig } from '../../../src/config/load.js';
import type { Budget } from '../../../src/config/schema.js';
import { budgetMatches, budgetName, modelMatches } from '../../../src/sidecar/budgets/match.js';

function budget(fields: Record<string, unknown>): Budget {
  const text = JSON.stringify({ project: { name: 'demo' }, budgets: [{ limitUsd: 1, ...fields }] });
  return parseConfig({ text }).budgets[0] as Budget;
}

const call = (provider: string, model: string, tags: Record<string, string> = {}) => ({
  provider,
  model,
  tags,
});

describe('budgetMatches', () => {
  it('total counts every call', () => {
    expect(budgetMatches(budget({ scope: 'total' }), call('anthropic', 'claude-x'))).toBe(true);
  });

  it('provider counts that provider only', () => {
    const openai = budget({ scope: 'provider', match: 'openai' });
    expect(budgetMatches(openai, call('openai', 'gpt-4o'))).toBe(true);
    expect(budgetMatches(openai, call('anthropic', 'claude-sonnet-4-5'))).toBe(false);
  });

  it('model counts the model and its dated snapshots, not longer names', () => {
    const gpt4o = budget({ scope: 'model', match: 'gpt-4o' });
    expect(budgetMatches(gpt4o, call('openai', 'gpt-4o'))).toBe(true);
    expect(budgetMatches(gpt4o, call('openai', 'GPT-4o'))).toBe(true);
    expect(budgetMatches(gpt4o, call('openai', 'gpt-4o-2024-08-06'))).toBe(true);
    expect(budgetMatches(gpt4o, call('openai', 'gpt-4o-mini'))).toBe(false);
    expect(budgetMatches(gpt4o, call('openai', 'gpt-4o-mini-2024-07-18'))).toBe(false);
    expect(modelMatches('claude-sonnet-4', 'claude-sonnet-4-20250514')).toBe(true);
    expect(modelMatches('claude-sonnet-4', 'claude-sonnet-4-5')).toBe(false);
  });

  it('tag counts calls carrying key=value', () => {
    const feature = budget({ scope: 'tag', match: 'feature=search' });
    expect(budgetMatches(feature, call('openai', 'gpt-4o', { feature: 'search' }))).toBe(true);
    expect(budgetMatches(feature, call('openai', 'gpt-4o', { feature: 'chat' }))).toBe(false);
    expect(budgetMatches(feature, call('openai', 'gpt-4o'))).toBe(false);
  });
});

describe('budgetName', () => {
  it('is the name, else scope:match:period', () => {
    expect(budgetName(budget({ scope: 'total', name: 'daily', period: 'day' }))).toBe('daily');
    expect(budgetName(budget({ scope: 'total', period: 'day' }))).toBe('total:day');
    expect(budgetName(budget({ scope: 'model', match: 'gpt-4o' }))).toBe('model:gpt-4o:month');
    expect(budgetName(budget({ scope: 'tag', match: 'team=a', period: 'total' }))).toBe('tag:team=a:total');
  });
});
