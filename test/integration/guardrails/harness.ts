/**
 * A real sidecar with guardrails configured (budgets, limits, cache) in front of the fake provider,
 * with a settable clock (record times, budget periods, rate and loop windows all follow it), the
 * stock SDKs pointed at it, and restart on the same data dir.
 */
import { mkdir, mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import Anthropic from '@anthropic-ai/sdk';
import OpenAI from 'openai';
import { stringify } from 'yaml';
import { parseConfig } from '../../../src/config/load.js';
import type { Config } from '../../../src/config/schema.js';
import type { BudgetStatus } from '../../../src/sidecar/budgets/ledger.js';
import { createLogger } from '../../../src/sidecar/log.js';
import { createSidecar, type Sidecar } from '../../../src/sidecar/server.js';
import type { UsageRecord } from '../../../src/usage/record.js';
import { type FakeProvider, startFakeProvider } from '../../fixtures/fake-provider.js';
import { ANTHROPIC_KEY, call, OPENAI_KEY, TOKEN } from '../sidecar/harness.js';

export { call, eventually, TOKEN } from '../sidecar/harness.js';

export interface Clock {
  now(): Date;
  set(iso: string): void;
  advance(ms: number): void;
}

export interface GuardrailsHarness {
  url: string;
  fake: FakeProvider;
  sidecar: Sidecar;
  config: Config;
  clock: Clock;
  openai: OpenAI;
  anthropic: Anthropic;
  logs: string[];
  /** All stored records, newest first. */
  records(): UsageRecord[];
  /** GET /v1/budgets. */
  budgets(): Promise<BudgetStatus[]>;
  /** Stops the sidecar and starts a new one on the same data dir (same port not kept). */
  restart(): Promise<void>;
  close(): Promise<void>;
}

export interface GuardrailsOptions {
  /** Merged over the base config (providers pointed at the fake). */
  config?: Record<string, unknown>;
  /** Start time of the clock. */
  now?: string;
  /** Provider keys; '' makes that provider the built-in mock. */
  keys?: { openai?: string; anthropic?: string };
}

export async function startGuardrails(options: GuardrailsOptions = {}): Promise<GuardrailsHarness> {
  const dir = await mkdtemp(join(tmpdir(), 'llmdev-guardrails-'));
  const secretsDir = join(dir, 'secrets');
  const dataDir = join(dir, 'data');
  await mkdir(secretsDir, { mode: 0o700 });
  await writeFile(join(secretsDir, 'llmdev_token'), TOKEN, { mode: 0o600 });
  const keys = { openai: OPENAI_KEY, anthropic: ANTHROPIC_KEY, ...options.keys };
  await writeFile(join(secretsDir, 'openai_api_key'), keys.openai, { mode: 0o600 });
  await writeFile(join(secretsDir, 'anthropic_api_key'), keys.anthropic, { mode: 0o600 });
  const fake = await startFakeProvider();
  const config = parseConfig({
    text: stringify({
      project: { name: 'guardrails-test' },
      providers: { openai: { baseUrl: fake.openaiBaseUrl }, anthropic: { baseUrl: fake.url } },
      sidecar: { logLevel: 'debug' },
      ...options.config,
    }),
  });
  let now = Date.parse(options.now ?? '2025-06-15T12:00:00.000Z');
  const clock: Clock = {
    now: () => new Date(now),
    set: (iso) => {
      now = Date.parse(iso);
    },
    advance: (ms) => {
      now += ms;
    },
  };
  const logs: string[] = [];
  const log = createLogger({
    level: 'debug',
    write: (line) => logs.push(line),
    secrets: () => [TOKEN, OPENAI_KEY, ANTHROPIC_KEY],
  });

  const start = async () => {
    const sidecar = await createSidecar({
      config,
      dataDir,
      secretsDir,
      log,
      now: clock.now,
      drainTimeoutMs: 2000,
    });
    const { port } = await sidecar.listen(0, '127.0.0.1');
    return { sidecar, url: `http://127.0.0.1:${port}` };
  };
  const clients = (url: string) => ({
    openai: new OpenAI({ apiKey: TOKEN, baseURL: `${url}/v1`, maxRetries: 0 }),
    anthropic: new Anthropic({ apiKey: TOKEN, baseURL: url, maxRetries: 0 }),
  });

  const first = await start();
  const harness: GuardrailsHarness = {
    ...first,
    ...clients(first.url),
    fake,
    config,
    clock,
    logs,
    records: () => harness.sidecar.store.queries.records({ limit: 10_000 }).records,
    async budgets() {
      const res = await call(harness, '/v1/budgets');
      if (!res.ok) throw new Error(`GET /v1/budgets: ${res.status} ${await res.text()}`);
      return ((await res.json()) as { budgets: BudgetStatus[] }).budgets;
    },
    async restart() {
      await harness.sidecar.close();
      const next = await start();
      Object.assign(harness, next, clients(next.url));
    },
    async close() {
      await harness.sidecar.close();
      await fake.close();
      await rm(dir, { recursive: true, force: true });
    },
  };
  return harness;
}
