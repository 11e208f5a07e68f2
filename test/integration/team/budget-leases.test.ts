/**
 * The team books' SQL on a real PostgreSQL: a dead sidecar's reservations (no heartbeat) are given
 * back once their lease passes, a live one's are renewed, and a settlement retried counts once.
 */
import { jest } from '@jest/globals';
import { parseConfig } from '../../../src/config/load.js';
import type { TeamConfig } from '../../../src/config/schema.js';
import { type BookedWindow, TeamBooks } from '../../../src/team/budgets/books.js';
import { createTeamPool, type TeamPool } from '../../../src/team/connect.js';
import { migrateTeam } from '../../../src/team/migrations.js';
import { type PrivatePostgres, startPostgres } from '../../helpers/postgres.js';

jest.setTimeout(120_000);

let postgres: PrivatePostgres;
let pool: TeamPool;
beforeAll(async () => {
  postgres = await startPostgres();
  const url = await postgres.createTeamDatabase('leases', 'pw-leases');
  const { team } = parseConfig({
    text: `project: {name: t}\nteam: {url: "${url}", member: a@example.com}\n`,
  });
  pool = createTeamPool(team as TeamConfig, 'pw-leases');
  await migrateTeam(pool, team as TeamConfig);
});
afterAll(async () => {
  await pool.end();
  await postgres.close();
});

const WINDOW: BookedWindow = {
  index: 0,
  budget: 'team-day',
  subject: '',
  start: Date.parse('2026-12-03T00:00:00Z'),
  end: Date.parse('2026-12-04T00:00:00Z'),
  limitUsd: 1,
  blocking: true,
};
const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

it("gives back a dead sidecar's reservations once their lease passes, keeps a live one's", async () => {
  const dead = new TeamBooks({ db: pool, owner: 'dead', leaseSeconds: 1 });
  const live = new TeamBooks({ db: pool, owner: 'live', leaseSeconds: 1 });
  expect((await dead.reserve('d1', [WINDOW], 0.6))[0]?.refused).toBe(false);
  expect((await live.reserve('l1', [WINDOW], 0.3))[0]?.refused).toBe(false);
  // Full: 0.6 + 0.3 reserved, 0.2 more does not fit.
  expect((await live.reserve('l2', [WINDOW], 0.2))[0]?.refused).toBe(true);
  await sleep(600);
  expect(await live.renew()).toBe(1);
  await sleep(600);
  // The dead sidecar's 0.6 has expired and is reclaimed by this reserve; the live 0.3 holds.
  const [figures] = await live.reserve('l3', [WINDOW], 0.2);
  expect(figures).toMatchObject({ refused: false, spentUsd: 0, reservedUsd: 0.5 });
  // A settlement after the lease expired still spends: the money was spent all the same.
  await dead.settle('d1', [WINDOW], 0.4);
  await live.settle('l1', [WINDOW], 0.25);
  await live.settle('l1', [WINDOW], 0.25); // retried: counted once
  await live.settle('l3', [WINDOW], 0.1);
  const [after] = await live.reserve('l4', [WINDOW], 0);
  expect(after?.spentUsd).toBeCloseTo(0.75, 12);
  expect(after?.reservedUsd).toBe(0);
});
