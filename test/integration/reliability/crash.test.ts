/**
 * Crash durability: `kill -9` of the sidecar under concurrent proxied calls and ingests, 20 times
 * (plus 3 kills during startup), restarting on the same data dir each time. Every acknowledged
 * call and record must be stored exactly once, and usage.db must pass `PRAGMA integrity_check`
 * after every crash. The longer run: `npm run bench:crash`.
 */
import { jest } from '@jest/globals';
import { formatCrashFigures, runCrashLoop } from './lib/crash-loop.js';

jest.setTimeout(10 * 60_000);

it('every acknowledged record survives kill -9, exactly once, in a consistent database', async () => {
  const figures = await runCrashLoop({ kills: 20, startupKills: 3, concurrency: 16, upMs: [150, 1000] });
  console.log(formatCrashFigures(figures));
  expect(figures.integrityFailures).toEqual([]);
  expect(figures.lost).toBe(0);
  expect(figures.duplicated).toBe(0);
  expect(figures.found).toBe(figures.acknowledged.total);
  // The experiment means something only if the kills landed on traffic.
  expect(figures.acknowledged.calls).toBeGreaterThan(0);
  expect(figures.acknowledged.records).toBeGreaterThan(0);
  expect(figures.interrupted).toBeGreaterThan(0);
});
