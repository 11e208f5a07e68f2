/** `llmdev budget [--json]` against a running sidecar, found the way the host finds it. */
import { mkdir, mkdtemp, rm, writeFile } from 'node:fs/promises';
import { createServer } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { stringify } from 'yaml';
import { runCli } from '../../helpers/cli.js';
import { type GuardrailsHarness, startGuardrails, TOKEN } from './harness.js';

let h: GuardrailsHarness;
let project: string;
beforeAll(async () => {
  h = await startGuardrails({
    now: '2025-06-15T12:00:00.000Z',
    config: {
      budgets: [
        { name: 'daily', scope: 'total', period: 'day', limitUsd: 5 },
        { scope: 'model', match: 'gpt-4o-mini', limitUsd: 20, action: 'warn' },
      ],
    },
  });
  await h.openai.chat.completions.create({
    model: 'gpt-4o-mini',
    messages: [{ role: 'user', content: 'hi' }],
  });
  project = await mkdtemp(join(tmpdir(), 'llmdev-budget-cli-'));
  await mkdir(join(project, '.secrets'), { mode: 0o700 });
  await writeFile(join(project, '.secrets', 'llmdev_token'), TOKEN, { mode: 0o600 });
});
afterAll(async () => {
  await h.close();
  await rm(project, { recursive: true, force: true });
});

/** The CLI as run on the host: only the project's config and .secrets/ tell it where the sidecar is. */
async function budgetCli(hostPort: number, ...args: string[]) {
  const config = { project: { name: 'budget-cli' }, sidecar: { hostPort } };
  await writeFile(join(project, 'llmdev.config.yaml'), stringify(config));
  return runCli(['budget', '--dir', project, ...args], {
    extendEnv: false,
    env: { PATH: process.env.PATH, HOME: project, NO_COLOR: '1' },
  });
}

const portOf = (url: string) => Number(new URL(url).port);

it('--json prints what GET /v1/budgets says', async () => {
  const result = await budgetCli(portOf(h.url), '--json');
  expect(result).toMatchObject({ exitCode: 0, stderr: '' });
  const answer = JSON.parse(result.stdout) as { now: string; budgets: unknown[] };
  expect(answer.now).toBe('2025-06-15T12:00:00.000Z');
  expect(answer.budgets).toEqual(await h.budgets());
  const spent = h.records()[0]?.costUsd as number;
  expect(answer.budgets[0]).toMatchObject({
    name: 'daily',
    scope: 'total',
    match: null,
    period: 'day',
    action: 'block',
    limitUsd: 5,
    reservedUsd: 0,
    inFlight: 0,
    windowStart: '2025-06-15T00:00:00.000Z',
    resetsAt: '2025-06-16T00:00:00.000Z',
    level: 'ok',
  });
  expect((answer.budgets[0] as { spentUsd: number }).spentUsd).toBeCloseTo(spent, 10);
});

it('prints an aligned table', async () => {
  const result = await budgetCli(portOf(h.url));
  expect(result.exitCode).toBe(0);
  const spent = h.records()[0]?.costUsd as number;
  const lines = result.stdout.trimEnd().split('\n');
  expect(lines).toHaveLength(3);
  expect(lines[0]).toMatch(
    /^BUDGET\s+COUNTS\s+ACTION\s+SPENT\s+RESERVED\s+REMAINING\s+LIMIT\s+RESETS \(UTC\)\s+STATE$/,
  );
  expect(lines[1]).toMatch(
    new RegExp(
      `^daily\\s+all calls\\s+block\\s+\\$${spent.toFixed(6).replace('.', '\\.')}\\s+\\$0\\.0000\\s+\\$4\\.9\\d{3}\\s+\\$5\\.0000/day\\s+2025-06-16 00:00\\s+ok$`,
    ),
  );
  expect(lines[2]).toMatch(
    /^model:gpt-4o-mini:month\s+model gpt-4o-mini\s+warn\s.*\$20\.0000\/month\s+2025-07-01 00:00\s+ok$/,
  );
  // Columns line up.
  const header = lines[0] as string;
  expect(lines[1]?.indexOf('all calls')).toBe(header.indexOf('COUNTS'));
  expect(lines[2]?.indexOf('model gpt-4o-mini')).toBe(header.indexOf('COUNTS'));
  for (const line of lines.slice(1)) expect(line.indexOf('2025-')).toBe(header.indexOf('RESETS'));
});

it('GET /v1/budgets needs the token', async () => {
  const res = await fetch(`${h.url}/v1/budgets`);
  expect(res.status).toBe(401);
  expect(((await res.json()) as { error: { code: string } }).error.code).toBe('invalid_api_key');
});

it('says clearly when the sidecar is not running', async () => {
  const free = await new Promise<number>((resolve) => {
    const server = createServer().listen(0, '127.0.0.1', () => {
      const { port } = server.address() as { port: number };
      server.close(() => resolve(port));
    });
  });
  const result = await budgetCli(free);
  expect(result.exitCode).toBe(1);
  expect(result.stderr).toContain(`cannot reach the llmdev sidecar at http://127.0.0.1:${free}`);
  expect(result.stderr).toContain('Is it running?');
  expect(result.stdout).toBe('');
});
