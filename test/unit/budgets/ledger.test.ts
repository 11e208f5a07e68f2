import fc from 'fast-check';
import { parseConfig } from '../../../src/config/load.js';
import type { Budget } from '../../../src/config/schema.js';
import { BudgetLedger, type BudgetStatus, type SpendRecord } from '../../../src/sidecar/budgets/ledger.js';

function budgets(list: Record<string, unknown>[]): Budget[] {
  return parseConfig({ text: JSON.stringify({ project: { name: 'demo' }, budgets: list }) }).budgets;
}

/** A settable clock. */
function clock(iso: string) {
  let now = Date.parse(iso);
  return { now: () => now, set: (next: string) => (now = Date.parse(next)) };
}

const record = (ts: string, costUsd: number | null, fields: Partial<SpendRecord> = {}): SpendRecord => ({
  ts,
  costUsd,
  provider: 'openai',
  model: 'gpt-4o-mini',
  tags: {},
  ...fields,
});

describe('BudgetLedger', () => {
  it('reserves, refuses what would pass a blocking limit, and releases to exactly 0', () => {
    const time = clock('2025-06-15T12:00:00Z');
    const ledger = new BudgetLedger(budgets([{ scope: 'total', period: 'day', limitUsd: 1 }]), time);
    const reservations = [];
    for (let i = 0; i < 3; i++) {
      const result = ledger.reserve([0], 0.3);
      if (!result.ok) throw new Error('refused');
      reservations.push(result.reservation);
    }
    expect(ledger.status(0)).toMatchObject({ reservedUsd: 0.3 * 3, inFlight: 3 });
    const refused = ledger.reserve([0], 0.2);
    expect(refused).toMatchObject({ ok: false, reason: 'exceeded', budget: { name: 'total:day' } });
    expect(ledger.reserve([0], 0.1).ok).toBe(true); // 0.9 + 0.1 = the limit: fits
    for (const reservation of reservations) reservation.release();
    for (const reservation of reservations) reservation.release(); // idempotent
    expect(ledger.status(0)).toMatchObject({ inFlight: 1 });
    expect(ledger.status(0)?.reservedUsd).toBeCloseTo(0.1, 12);
  });

  it('reserved returns to exactly 0 when nothing is in flight, whatever the float residue', () => {
    const ledger = new BudgetLedger(
      budgets([{ scope: 'total', limitUsd: 100 }]),
      clock('2025-06-15T00:00:00Z'),
    );
    const held = [0.1, 0.2, 0.3, 0.7, 1e-9].map((amount) => {
      const result = ledger.reserve([0], amount);
      if (!result.ok) throw new Error('refused');
      return result.reservation;
    });
    for (const reservation of held.reverse()) reservation.release();
    expect(ledger.status(0)?.reservedUsd).toBe(0);
  });

  it('spend comes from committed records, filed in the window of their time', () => {
    const time = clock('2025-06-15T00:00:30Z');
    const ledger = new BudgetLedger(budgets([{ scope: 'total', period: 'day', limitUsd: 1 }]), time);
    ledger.commit([
      record('2025-06-14T23:59:59.000Z', 0.5), // yesterday: does not count today
      record('2025-06-15T00:00:10.000Z', 0.25),
      record('2025-06-15T00:00:20.000Z', null), // unpriced: nothing to add
      record('2025-06-15T00:00:20.000Z', 0),
    ]);
    expect(ledger.status(0)).toMatchObject({
      spentUsd: 0.25,
      windowStart: '2025-06-15T00:00:00.000Z',
      resetsAt: '2025-06-16T00:00:00.000Z',
    });
  });

  it('rolls over at UTC midnight: the new day starts from 0, a record already filed for it counts', () => {
    const time = clock('2025-06-15T23:59:00Z');
    const ledger = new BudgetLedger(budgets([{ scope: 'total', period: 'day', limitUsd: 1 }]), time);
    ledger.commit([record('2025-06-15T23:59:00.000Z', 0.9)]);
    expect(ledger.reserve([0], 0.2).ok).toBe(false);
    time.set('2025-06-16T00:00:00.000Z');
    expect(ledger.status(0)).toMatchObject({ spentUsd: 0, windowStart: '2025-06-16T00:00:00.000Z' });
    expect(ledger.reserve([0], 0.2).ok).toBe(true);
  });

  it('month budgets roll over from December into January', () => {
    const time = clock('2025-12-31T23:00:00Z');
    const ledger = new BudgetLedger(budgets([{ scope: 'total', period: 'month', limitUsd: 10 }]), time);
    ledger.commit([record('2025-12-01T00:00:00.000Z', 4), record('2025-12-31T22:00:00.000Z', 5)]);
    expect(ledger.status(0)).toMatchObject({ spentUsd: 9, resetsAt: '2026-01-01T00:00:00.000Z' });
    time.set('2026-01-01T00:00:01Z');
    expect(ledger.status(0)).toMatchObject({
      spentUsd: 0,
      windowStart: '2026-01-01T00:00:00.000Z',
      resetsAt: '2026-02-01T00:00:00.000Z',
    });
  });

  it('counts each record for the budgets it matches only', () => {
    const ledger = new BudgetLedger(
      budgets([
        { scope: 'provider', match: 'anthropic', limitUsd: 1 },
        { scope: 'model', match: 'gpt-4o', limitUsd: 1 },
        { scope: 'tag', match: 'team=search', limitUsd: 1 },
      ]),
      clock('2025-06-15T00:00:00Z'),
    );
    ledger.commit([
      record('2025-06-14T00:00:00.000Z', 0.1, { model: 'gpt-4o-2024-08-06', tags: { team: 'search' } }),
      record('2025-06-14T00:00:00.000Z', 0.2, { provider: 'anthropic', model: 'claude-sonnet-4-5' }),
    ]);
    expect(ledger.statuses().map((s) => s.spentUsd)).toEqual([0.2, 0.1, 0.1]);
    expect(ledger.matching({ provider: 'openai', model: 'gpt-4o', tags: {} })).toEqual([1]);
  });

  it('an unpriced call is refused by a blocking budget, let through by a warn budget', () => {
    const ledger = new BudgetLedger(
      budgets([
        { scope: 'total', limitUsd: 1, action: 'warn' },
        { scope: 'provider', match: 'openai', limitUsd: 1 },
      ]),
      clock('2025-06-15T00:00:00Z'),
    );
    expect(ledger.reserve([0], null)).toMatchObject({ ok: true });
    expect(ledger.reserve([0, 1], null)).toMatchObject({
      ok: false,
      reason: 'unpriced',
      budget: { index: 1 },
    });
    expect(ledger.status(1)).toMatchObject({ inFlight: 0, reservedUsd: 0 });
  });

  it('warn budgets never refuse; their level says how far spend went', () => {
    const ledger = new BudgetLedger(
      budgets([{ scope: 'total', limitUsd: 1, action: 'warn', warnAt: 0.5 }]),
      clock('2025-06-15T00:00:00Z'),
    );
    ledger.commit([record('2025-06-15T00:00:00.000Z', 0.6)]);
    expect(ledger.status(0)?.level).toBe('warning');
    ledger.commit([record('2025-06-15T00:00:00.000Z', 0.6)]);
    expect(ledger.reserve([0], 5).ok).toBe(true);
    expect(ledger.status(0)).toMatchObject({ level: 'exceeded', remainingUsd: 0 });
  });

  it('reports each threshold crossing once per window', () => {
    const crossings: [string, string][] = [];
    const time = clock('2025-06-15T00:00:00Z');
    const ledger = new BudgetLedger(budgets([{ name: 'd', scope: 'total', period: 'day', limitUsd: 1 }]), {
      now: time.now,
      onCrossing: (status: BudgetStatus, level) => crossings.push([status.name, level]),
    });
    for (let i = 0; i < 12; i++) ledger.commit([record('2025-06-15T01:00:00.000Z', 0.1)]);
    expect(crossings).toEqual([
      ['d', 'warning'],
      ['d', 'exceeded'],
    ]);
    time.set('2025-06-16T00:00:00Z');
    ledger.commit([record('2025-06-16T00:00:00.000Z', 0.9)]);
    expect(crossings).toHaveLength(3);
  });

  it('load sets the spend found in usage.db at start-up', () => {
    const ledger = new BudgetLedger(
      budgets([{ scope: 'total', period: 'day', limitUsd: 1 }]),
      clock('2025-06-15T08:00:00Z'),
    );
    ledger.load(0, Date.parse('2025-06-15T00:00:00Z'), 0.75);
    expect(ledger.status(0)?.spentUsd).toBe(0.75);
    expect(ledger.reserve([0], 0.3).ok).toBe(false);
  });

  it('property: however calls interleave, committed spend never passes a blocking limit', () => {
    // Each call reserves its worst case, later commits an actual cost at most that, then releases.
    const op = fc.oneof(
      fc.record({ kind: fc.constant('start' as const), worst: fc.double({ min: 0, max: 0.5, noNaN: true }) }),
      fc.record({
        kind: fc.constant('finish' as const),
        pick: fc.nat(),
        share: fc.double({ min: 0, max: 1, noNaN: true }),
      }),
    );
    fc.assert(
      fc.property(
        fc.double({ min: 0.01, max: 2, noNaN: true }),
        fc.array(op, { maxLength: 200 }),
        (limit, ops) => {
          const ledger = new BudgetLedger(
            budgets([{ scope: 'total', limitUsd: limit }]),
            clock('2025-06-15T00:00:00Z'),
          );
          const inFlight: { worst: number; release: () => void }[] = [];
          let spent = 0;
          for (const step of ops) {
            if (step.kind === 'start') {
              const result = ledger.reserve([0], step.worst);
              if (result.ok) inFlight.push({ worst: step.worst, release: result.reservation.release });
            } else if (inFlight.length > 0) {
              const [call] = inFlight.splice(step.pick % inFlight.length, 1);
              if (!call) continue;
              const cost = call.worst * step.share;
              ledger.commit([record('2025-06-15T00:00:00.000Z', cost)]);
              spent += cost;
              call.release();
            }
            expect(spent).toBeLessThanOrEqual(limit + 1e-9);
          }
          for (const call of inFlight) call.release();
          expect(ledger.status(0)?.reservedUsd).toBe(0);
        },
      ),
    );
  });
});
