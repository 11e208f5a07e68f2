import {
  budgetKey,
  budgetLevel,
  crossedLevel,
  type DescribedBudget,
  exceededMessage,
  formatUsd,
  remainingUsd,
  tightest,
  unpricedMessage,
  warningText,
  wouldExceed,
} from '../../../src/sidecar/budgets/figures.js';

const daily: DescribedBudget = {
  index: 2,
  name: 'daily',
  period: 'day',
  limitUsd: 5,
  spentUsd: 4.2,
  reservedUsd: 0.5,
  resetsAt: '2025-06-16T00:00:00.000Z',
};

describe('budget figures', () => {
  it('remaining = limit - spent - reserved, never below 0', () => {
    expect(remainingUsd({ limitUsd: 5, spentUsd: 4, reservedUsd: 0.5 })).toBeCloseTo(0.5, 12);
    expect(remainingUsd({ limitUsd: 5, spentUsd: 6, reservedUsd: 0 })).toBe(0);
  });

  it('a reservation fits while spent + reserved + it stays within the limit (exactly equal fits)', () => {
    const figures = { limitUsd: 1, spentUsd: 0.7, reservedUsd: 0.2 };
    expect(wouldExceed(figures, 0.1)).toBe(false);
    expect(wouldExceed(figures, 0.1000001)).toBe(true);
    // 0.1 + 0.2 + 0.7 is 1.0000000000000002 in floats: still fits.
    expect(wouldExceed({ limitUsd: 1, spentUsd: 0.1, reservedUsd: 0.2 }, 0.7)).toBe(false);
  });

  it('levels: ok, warning from warnAt, exceeded at the limit; each crossed once', () => {
    const budget = { limitUsd: 10, warnAt: 0.8 };
    expect(budgetLevel(budget, 7.99)).toBe('ok');
    expect(budgetLevel(budget, 8)).toBe('warning');
    expect(budgetLevel(budget, 10)).toBe('exceeded');
    expect(crossedLevel(budget, 7, 8.5)).toBe('warning');
    expect(crossedLevel(budget, 8.5, 9)).toBeNull();
    expect(crossedLevel(budget, 9, 10.5)).toBe('exceeded');
    expect(crossedLevel(budget, 7, 11)).toBe('exceeded');
    expect(crossedLevel(budget, 11, 12)).toBeNull();
  });

  it('tightest is the one with the least remaining', () => {
    const list = [
      { name: 'a', remainingUsd: 3 },
      { name: 'b', remainingUsd: 0.25 },
      { name: 'c', remainingUsd: 1 },
    ];
    expect(tightest(list)?.name).toBe('b');
    expect(tightest([])).toBeUndefined();
  });

  it('formats USD with up to 8 decimals and no trailing zeros', () => {
    expect(formatUsd(5)).toBe('$5');
    expect(formatUsd(0.0048)).toBe('$0.0048');
    expect(formatUsd(0.00000084)).toBe('$0.00000084');
    expect(formatUsd(1.5)).toBe('$1.5');
    expect(formatUsd(0)).toBe('$0');
    expect(formatUsd(-1)).toBe('$0');
    expect(budgetKey(0, 'limitUsd')).toBe('budgets[0].limitUsd');
  });
});

describe('messages', () => {
  it('exceeded: names the budget, the call, spent, reserved, limit, reset and the key to change', () => {
    expect(exceededMessage(daily, 0.36)).toBe(
      'Budget "daily" (budgets[2]) exceeded: this call could cost up to $0.36, and $4.2 is spent plus $0.5 reserved by calls in flight, of a $5 limit per day (UTC). It resets at 2025-06-16T00:00:00.000Z. To change the limit, edit budgets[2].limitUsd in llmdev.config.yaml.',
    );
    expect(exceededMessage({ ...daily, period: 'total', resetsAt: null }, 1)).toContain(
      'of a $5 limit in total. It never resets (period: total).',
    );
  });

  it('unpriced: says why it is refused and how to price the model', () => {
    expect(unpricedMessage(daily, 'openai', 'my-finetune')).toBe(
      'Budget "daily" (budgets[2]) cannot be enforced for openai model "my-finetune": llmdev has no price for it, so the call\'s cost is unknown and it is refused rather than counted as $0. Add its prices under pricing.overrides in llmdev.config.yaml (e.g. "my-finetune": {inputPerMTok: 1, outputPerMTok: 4}), or set budgets[2].action: warn.',
    );
  });

  it('warning text', () => {
    expect(warningText(daily, 'warning')).toBe(
      'budget "daily" (budgets[2]) at 84% of its limit: $4.2 of $5 per day (UTC), resets 2025-06-16T00:00:00.000Z',
    );
    expect(warningText({ ...daily, spentUsd: 6, period: 'total', resetsAt: null }, 'exceeded')).toBe(
      'budget "daily" (budgets[2]) over its limit: $6 of $5 in total, never resets',
    );
  });
});
