/**
 * Team budgets on a real PostgreSQL with real sidecar processes: 3 sidecars × 50 concurrent stock
 * OpenAI clients against one team budget never spend past it (overshoot printed, must be 0: every
 * call's worst case covers its cost), and refuse every call once it is reached; member, model and
 * tag scopes; Postgres stopped: fail-closed refuses with a 503 naming the cause, local-cap admits
 * up to team.localCapUsd, and the spend admitted meanwhile reaches the team's books once it is back.
 */
import { writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { jest } from '@jest/globals';
import BetterSqlite3 from 'better-sqlite3';
import OpenAI from 'openai';
import { estimateInputTokens } from '../../../src/usage/estimate.js';
import { type FakeProvider, startFakeProvider } from '../../fixtures/fake-provider.js';
import { type PrivatePostgres, startPostgres } from '../../helpers/postgres.js';
import {
  createSidecarProject,
  type SidecarProcess,
  type SidecarProject,
  startSidecar,
  TOKEN,
} from '../reliability/lib/sidecar-process.js';

jest.setTimeout(5 * 60_000);

const PRICES = { 'budget-test': { inputPerMTok: 1, cachedInputPerMTok: 0.5, outputPerMTok: 2 } };
/** The fake reports 1200 input tokens (1024 cached) and 300 output: the prompt makes the worst case cover that. */
const CHAT = {
  model: 'budget-test',
  max_tokens: 300,
  messages: [{ role: 'user' as const, content: 'count '.repeat(800) }],
};
const CHAT_COST = (176 * 1 + 1024 * 0.5 + 300 * 2) / 1e6;
const CHAT_WORST = (estimateInputTokens('openai.chat', CHAT) + 300 * 2) / 1e6;
const PASSWORD = 'team-budget-test-password';

let postgres: PrivatePostgres;
let fake: FakeProvider;
beforeAll(async () => {
  postgres = await startPostgres();
  fake = await startFakeProvider();
});
afterAll(async () => {
  await fake.close();
  await postgres.close();
});

interface Member {
  project: SidecarProject;
  sidecar: SidecarProcess;
  openai: OpenAI;
}

const started: Member[] = [];
afterEach(async () => {
  for (const member of started.splice(0)) {
    await member.sidecar.stop();
    await member.project.remove();
  }
});

async function startMember(url: string, member: string, team: Record<string, unknown>): Promise<Member> {
  const project = await createSidecarProject(
    fake.url,
    {},
    {
      team: { url, member, ...team },
      pricing: { overrides: PRICES },
      // One request sent many times at once is what loop detection stops first: let it through.
      limits: { requestsPerMinute: 100_000_000, loopMaxRepeats: 100_000 },
    },
  );
  await writeFile(join(project.secretsDir, 'postgres_password'), PASSWORD, { mode: 0o600 });
  const sidecar = await startSidecar(project);
  const openai = new OpenAI({
    apiKey: TOKEN,
    baseURL: `${sidecar.url}/v1`,
    maxRetries: 0,
    // Slow answers keep every caller's call in flight together.
    defaultHeaders: { 'x-fake-scenario': 'slow', 'x-fake-delay-ms': '200' },
  });
  const started_ = { project, sidecar, openai };
  started.push(started_);
  return started_;
}

type Outcome = 'ok' | 'blocked' | 'unavailable';

async function chat(openai: OpenAI, extra: Record<string, unknown> = {}, tags?: string): Promise<Outcome> {
  try {
    await openai.chat.completions.create(
      { ...CHAT, ...extra },
      tags ? { headers: { 'x-llmdev-tags': tags } } : undefined,
    );
    return 'ok';
  } catch (error) {
    if (error instanceof OpenAI.APIError && error.status === 429) return 'blocked';
    if (error instanceof OpenAI.APIError && error.status === 503) return 'unavailable';
    throw error;
  }
}

/** Spend of the stored records (the truth each sidecar logged), across members. */
function recordedSpend(members: readonly Member[]): number {
  let total = 0;
  for (const { project } of members) {
    const db = new BetterSqlite3(project.databaseFile, { readonly: true });
    try {
      total +=
        (db.prepare('SELECT coalesce(sum(cost_usd), 0) FROM usage_records').pluck().get() as number) ?? 0;
    } finally {
      db.close();
    }
  }
  return total;
}

async function windows(database: string) {
  const { rows } = await postgres
    .admin(database)
    .query<{ budget: string; subject: string; spent: number; reserved: number }>(
      'SELECT budget, subject, spent_usd::float8 AS spent, reserved_usd::float8 AS reserved FROM team_budget_windows ORDER BY 1, 2',
    );
  return rows;
}

async function eventually(check: () => Promise<boolean>, what: string): Promise<void> {
  const deadline = Date.now() + 30_000;
  while (!(await check())) {
    if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}`);
    await new Promise((resolve) => setTimeout(resolve, 100));
  }
}

const usd = (value: number) => `$${Number(value.toFixed(8))}`;

it('3 sidecars × 50 concurrent callers never spend past a team limit, then refuse every call', async () => {
  expect(CHAT_WORST).toBeGreaterThanOrEqual(CHAT_COST); // the precondition of a hard guarantee
  const LIMIT = 0.03;
  const url = await postgres.createTeamDatabase('team_limit', PASSWORD);
  const team = { budgets: [{ name: 'team-day', scope: 'team', period: 'day', limitUsd: LIMIT }] };
  const members = await Promise.all(
    ['ann@example.com', 'bob@example.com', 'cy@example.com'].map((who) => startMember(url, who, team)),
  );
  const outcomes = (
    await Promise.all(
      members.map(({ openai }) => Promise.all(Array.from({ length: 50 }, () => chat(openai)))),
    )
  ).flat();
  const served = outcomes.filter((outcome) => outcome === 'ok').length;
  const blocked = outcomes.filter((outcome) => outcome === 'blocked').length;
  // Settlement is off the response path: wait until nothing is reserved.
  await eventually(
    async () => (await windows('team_limit')).every((row) => row.reserved === 0),
    'settlements',
  );
  const spent = recordedSpend(members);
  const [book] = await windows('team_limit');
  console.log(
    `3 sidecars x 50 callers, team limit ${usd(LIMIT)}: served ${served}, blocked ${blocked}, spent ${usd(spent)} (Postgres books ${usd(book?.spent ?? 0)}), overshoot ${usd(Math.max(0, spent - LIMIT))}`,
  );
  expect(served + blocked).toBe(150);
  expect(served).toBeGreaterThan(0);
  expect(blocked).toBeGreaterThan(0);
  expect(spent).toBeLessThanOrEqual(LIMIT + 1e-12);
  expect(book?.spent).toBeCloseTo(spent, 10);

  // Spend up to the limit one call at a time, then every further call on every sidecar is refused.
  for (let i = 0; i < 100 && (await chat(members[0]?.openai as OpenAI)) === 'ok'; i++);
  await eventually(
    async () => (await windows('team_limit')).every((row) => row.reserved === 0),
    'settlements',
  );
  const after = await Promise.all(members.map(({ openai }) => chat(openai)));
  expect(after).toEqual(['blocked', 'blocked', 'blocked']);
  expect(recordedSpend(members)).toBeLessThanOrEqual(LIMIT + 1e-12);
  const refusal = await members[1]?.openai.chat.completions.create(CHAT).catch((error: unknown) => error);
  expect(refusal).toBeInstanceOf(OpenAI.RateLimitError);
  expect((refusal as InstanceType<typeof OpenAI.APIError>).message).toMatch(
    /team budget "team-day" \(team\.budgets\[0\]\) is exceeded/,
  );
});

it('member and model scopes count only their calls', async () => {
  const url = await postgres.createTeamDatabase('team_scopes', PASSWORD);
  const one = CHAT_WORST * 1.5; // room for one call, not two
  const team = {
    budgets: [
      { name: 'each-member', scope: 'member', period: 'day', limitUsd: one },
      { name: 'cy-only', scope: 'member', match: 'cy@example.com', period: 'day', limitUsd: 1e-9 },
      { name: 'mini', scope: 'model', match: 'gpt-4o-mini', period: 'day', limitUsd: 1e-9 },
    ],
  };
  const [ann, bob] = await Promise.all([
    startMember(url, 'ann@example.com', team),
    startMember(url, 'bob@example.com', team),
  ]);
  if (!ann || !bob) throw new Error('members did not start');
  const settled = () =>
    eventually(async () => (await windows('team_scopes')).every((row) => row.reserved === 0), 'settlements');
  // each-member: ann's second call is refused; bob has a limit of his own; cy-only counts neither.
  expect(await chat(ann.openai)).toBe('ok');
  await settled();
  expect(await chat(ann.openai)).toBe('blocked');
  expect(await chat(bob.openai)).toBe('ok');
  await settled();
  expect(await chat(bob.openai)).toBe('blocked');
  // model: only gpt-4o-mini calls count (and none fits its tiny limit).
  expect(await chat(ann.openai, { model: 'gpt-4o-mini' })).toBe('blocked');
  const rows = await windows('team_scopes');
  expect(rows.map((row) => [row.budget, row.subject])).toEqual([
    ['each-member', 'ann@example.com'],
    ['each-member', 'bob@example.com'],
    ['mini', ''],
  ]);
});

it('tag scope: only tagged calls count, across members', async () => {
  const url = await postgres.createTeamDatabase('team_tags', PASSWORD);
  const team = {
    budgets: [{ name: 'exp', scope: 'tag', match: 'team=exp', period: 'month', limitUsd: CHAT_WORST * 1.5 }],
  };
  const [ann, bob] = await Promise.all([
    startMember(url, 'ann@example.com', team),
    startMember(url, 'bob@example.com', team),
  ]);
  if (!ann || !bob) throw new Error('members did not start');
  expect(await chat(ann.openai, {}, 'team=exp')).toBe('ok');
  await eventually(
    async () => (await windows('team_tags')).every((row) => row.reserved === 0),
    'settlements',
  );
  expect(await chat(bob.openai, {}, 'team=exp')).toBe('blocked');
  expect(await chat(bob.openai, {}, 'team=other')).toBe('ok');
  expect(await chat(bob.openai)).toBe('ok');
});

it('Postgres stopped: fail-closed refuses with a 503 naming the cause; local-cap admits up to its cap', async () => {
  const url = await postgres.createTeamDatabase('team_down', PASSWORD);
  const budgets = [{ name: 'team-day', scope: 'team', period: 'day', limitUsd: 10 }];
  const closed = await startMember(url, 'ann@example.com', { budgets, whenUnreachable: 'fail-closed' });
  const capped = await startMember(url, 'bob@example.com', {
    budgets,
    whenUnreachable: 'local-cap',
    localCapUsd: CHAT_WORST * 2.5, // two calls' worst case, not three
  });
  expect(await chat(closed.openai)).toBe('ok'); // migrated, reachable
  expect(await chat(capped.openai)).toBe('ok');
  await eventually(
    async () => (await windows('team_down')).every((row) => row.reserved === 0),
    'settlements',
  );
  await postgres.stop();
  try {
    const refusal = await closed.openai.chat.completions.create(CHAT).catch((error: unknown) => error);
    expect(refusal).toBeInstanceOf(OpenAI.APIError);
    expect((refusal as InstanceType<typeof OpenAI.APIError>).status).toBe(503);
    expect((refusal as InstanceType<typeof OpenAI.APIError>).message).toMatch(
      /team budget "team-day" \(team\.budgets\[0\]\) cannot be checked: the team database is unreachable .*team\.whenUnreachable is fail-closed/,
    );
    expect([await chat(capped.openai), await chat(capped.openai), await chat(capped.openai)]).toEqual([
      'ok',
      'ok',
      'blocked',
    ]);
  } finally {
    await postgres.start();
  }
  // The two calls admitted under the local cap are settled into the team's books once Postgres is back.
  const expected = recordedSpend([closed, capped]);
  await eventually(async () => {
    const [book] = await windows('team_down');
    return book !== undefined && Math.abs(book.spent - expected) < 1e-9 && book.reserved === 0;
  }, 'the backlog of settlements');
  await eventually(async () => (await chat(closed.openai)) === 'ok', 'fail-closed admitting again');
});
