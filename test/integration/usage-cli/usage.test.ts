/**
 * `llmdev usage` (the real CLI in a child process) against a real sidecar: the table, JSON and CSV
 * forms, from the sidecar's API (host: published port and .secrets/; workspace: LLMDEV_URL and
 * LLMDEV_TOKEN_FILE) and from usage.db read directly, with the same figures either way.
 */
import { mkdir, mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { jest } from '@jest/globals';
import { stringify } from 'yaml';
import { runCli } from '../../helpers/cli.js';
import { call, type Harness, startHarness, TOKEN } from '../sidecar/harness.js';

jest.setTimeout(30_000); // each case runs the CLI (TypeScript through tsx) a few times

let h: Harness;
let project: string;
/** Only what the CLI needs: nothing of the test runner's own LLMDEV_* or provider variables. */
const baseEnv = { PATH: process.env.PATH ?? '', HOME: tmpdir(), NO_COLOR: '1' };
const cli = (args: string[], env: Record<string, string> = {}) =>
  runCli(['usage', ...args], { env: { ...baseEnv, ...env }, extendEnv: false });

beforeAll(async () => {
  h = await startHarness();
  project = await mkdtemp(join(tmpdir(), 'llmdev-usage-cli-'));
  const port = Number(new URL(h.url).port);
  await writeFile(
    join(project, 'llmdev.config.yaml'),
    stringify({ project: { name: 'usage-cli' }, sidecar: { hostPort: port } }),
  );
  await mkdir(join(project, '.secrets'), { mode: 0o700 });
  await writeFile(join(project, '.secrets', 'llmdev_token'), `${TOKEN}\n`, { mode: 0o600 });

  await h.openai.chat.completions.create({
    model: 'gpt-4o-mini',
    messages: [{ role: 'user', content: 'Hi' }],
  });
  await h.openai.chat.completions.create({
    model: 'gpt-4o-mini',
    messages: [{ role: 'user', content: 'Hello' }],
  });
  await h.anthropic.messages.create({
    model: 'claude-sonnet-4-20250514',
    max_tokens: 40,
    messages: [{ role: 'user', content: 'Hi' }],
  });
  const usage = { inputTokens: 100, outputTokens: 50 };
  await call(h, '/v1/usage', {
    json: {
      records: [
        { provider: 'openai', model: 'my-fine-tune', usage, tags: { team: 'search' }, prompt: 'summarize@3' },
        { provider: 'openai', model: 'my-fine-tune', usage, tags: { team: 'search, ranking' } },
      ],
    },
  });
}, 30_000);
afterAll(async () => {
  await h.close();
  await rm(project, { recursive: true, force: true });
});

interface JsonReport {
  source: { kind: string; location: string };
  groupBy: string;
  totals: { requests: number; costUsd: number | null; unpricedRequests: number; inputTokens: number };
  groups: { key: string | null; requests: number; costUsd: number | null; unpricedRequests: number }[];
}

describe('llmdev usage, from the sidecar API on the host', () => {
  it('prints an aligned table by model with totals, unpriced calls marked, and its source on stderr', async () => {
    const result = await cli(['--dir', project]);
    expect(result.stderr).toMatch(
      /^llmdev usage: .* → now \(.*\) UTC, by model; from the sidecar at http:\/\/127\.0\.0\.1:\d+$/m,
    );
    expect(result.exitCode).toBe(0);
    const lines = result.stdout.trimEnd().split('\n');
    expect(lines[0]).toMatch(/^MODEL +CALLS +INPUT +CACHED( +CACHE WRITE)? +OUTPUT +REASONING +COST$/);
    const row = (model: string) => lines.find((line) => line.startsWith(`${model} `)) ?? '';
    expect(row('gpt-4o-mini')).toMatch(/ 2 .* \$0\.\d+$/);
    expect(row('claude-sonnet-4-20250514')).toMatch(/ 1 .* \$0\.\d+$/);
    expect(row('my-fine-tune')).toMatch(/ 2 +200 +0( +0)? +100 +0 +unpriced$/);
    expect(row('TOTAL')).toMatch(/ 5 .* \$0\.\d+ \+ 2 unpriced$/);
    const widths = new Set(
      lines.slice(0, lines.findIndex((line) => line.startsWith('TOTAL')) + 1).map((l) => l.length),
    );
    expect(widths.size).toBe(1);
    expect(result.stdout).toMatch(/^Unpriced: 2 calls to models without a known price, not in COST/m);
  });

  it('--json: the summary for scripts on stdout, costUsd null where nothing has a price', async () => {
    const result = await cli(['--dir', project, '--json', '--since', '1d']);
    expect(result.exitCode).toBe(0);
    const report = JSON.parse(result.stdout) as JsonReport;
    expect(report.source).toEqual({
      kind: 'api',
      location: expect.stringMatching(/^http:\/\/127\.0\.0\.1:\d+$/),
    });
    expect(report.groupBy).toBe('model');
    expect(report.totals).toMatchObject({ requests: 5, unpricedRequests: 2, costUsd: expect.any(Number) });
    expect(report.groups.find((g) => g.key === 'my-fine-tune')).toMatchObject({ requests: 2, costUsd: null });
  });

  it('--csv --by tag: RFC 4180 rows for scripts, quoting values with commas', async () => {
    const result = await cli(['--dir', project, '--csv', '--by', 'tag']);
    expect(result.exitCode).toBe(0);
    const rows = result.stdout.split('\r\n');
    expect(rows[0]).toBe(
      'tag,requests,input_tokens,cached_input_tokens,cache_write_tokens,output_tokens,reasoning_tokens,cost_usd,unpriced_requests,saved_usd,estimated_requests,error_requests',
    );
    expect(rows).toContain('team=search,1,100,0,0,50,0,,1,0,0,0');
    expect(rows).toContain('"team=search, ranking",1,100,0,0,50,0,,1,0,0,0');
  });

  it('--by prompt names calls without a prompt version', async () => {
    const result = await cli(['--dir', project, '--by', 'prompt']);
    expect(result.stdout).toMatch(/^PROMPT /);
    expect(result.stdout).toMatch(/^summarize@3 +1 /m);
    expect(result.stdout).toMatch(/^\(no prompt\) +4 /m);
  });

  it('rejects a bad --since with the accepted forms', async () => {
    const result = await cli(['--dir', project, '--since', 'last week']);
    expect(result.exitCode).toBe(1);
    expect(result.stderr).toContain(
      '--since: expected an ISO date (2025-06-01), date-time, or a duration like 24h or 7d',
    );
    expect(result.stdout).toBe('');
  });
});

describe('llmdev usage in the workspace (LLMDEV_URL, LLMDEV_TOKEN_FILE)', () => {
  it('reads the API named by the environment, no project folder needed', async () => {
    const empty = await mkdtemp(join(tmpdir(), 'llmdev-usage-ws-'));
    try {
      const result = await runCli(['usage', '--json', '--by', 'provider', '--dir', empty], {
        extendEnv: false,
        env: { ...baseEnv, LLMDEV_URL: h.url, LLMDEV_TOKEN_FILE: join(project, '.secrets', 'llmdev_token') },
      });
      expect(result.exitCode).toBe(0);
      const report = JSON.parse(result.stdout) as JsonReport;
      expect(report.source.location).toBe(h.url);
      expect(report.groups.map((g) => [g.key, g.requests]).sort()).toEqual([
        ['anthropic', 1],
        ['openai', 4],
      ]);
    } finally {
      await rm(empty, { recursive: true, force: true });
    }
  });

  it('when the sidecar is down there, says so and how to get the report', async () => {
    const result = await runCli(['usage'], {
      extendEnv: false,
      env: {
        ...baseEnv,
        LLMDEV_URL: 'http://127.0.0.1:9',
        LLMDEV_TOKEN_FILE: join(project, '.secrets', 'llmdev_token'),
      },
    });
    expect(result.exitCode).toBe(1);
    expect(result.stderr).toContain('cannot reach the llmdev sidecar at http://127.0.0.1:9');
    expect(result.stderr).toContain('run `llmdev usage` on the host');
  });
});

describe('llmdev usage --db (usage.db read directly, read-only)', () => {
  it('gives the same figures as the API, in every form, while the sidecar runs', async () => {
    const db = join(h.dataDir, 'usage.db');
    const fromApi = JSON.parse((await cli(['--dir', project, '--json'])).stdout) as JsonReport;
    const result = await cli(['--db', db, '--json']);
    expect(result.exitCode).toBe(0);
    expect(result.stderr).toContain(`read from ${db}`);
    const fromDb = JSON.parse(result.stdout) as JsonReport;
    expect(fromDb.source).toEqual({ kind: 'database', location: db });
    expect(fromDb.totals).toEqual(fromApi.totals);
    expect(fromDb.groups).toEqual(fromApi.groups);
    const table = await cli(['--db', db]);
    expect(table.stdout).toBe((await cli(['--dir', project])).stdout);
    const csv = await cli(['--db', db, '--csv', '--by', 'day']);
    expect(csv.stdout.split('\r\n')[1]).toMatch(new RegExp(`^${new Date().toISOString().slice(0, 10)},5,`));
  });

  it('explains a file that is not a usage database', async () => {
    const bogus = join(project, 'not-a.db');
    await writeFile(bogus, '');
    const result = await cli(['--db', bogus]);
    expect(result.exitCode).toBe(1);
    expect(result.stderr).toContain(`${bogus} is not an llmdev usage database`);
    const missing = await cli(['--db', join(project, 'missing.db')]);
    expect(missing.exitCode).toBe(1);
    expect(missing.stderr).toContain('cannot open the usage database');
  });
});
