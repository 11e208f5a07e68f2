/**
 * A real sidecar (in-process, random port, temp data and secrets dirs) in front of the fake
 * provider, with the stock OpenAI and Anthropic SDKs pointed at it the way the workspace is.
 */
import { mkdir, mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import Anthropic from '@anthropic-ai/sdk';
import OpenAI from 'openai';
import { stringify } from 'yaml';
import { parseConfig } from '../../../src/config/load.js';
import type { Config } from '../../../src/config/schema.js';
import { createPricer } from '../../../src/pricing/index.js';
import { createLogger } from '../../../src/sidecar/log.js';
import { createSidecar, type Sidecar } from '../../../src/sidecar/server.js';
import type { UsageRecord } from '../../../src/usage/record.js';
import { type FakeProvider, startFakeProvider } from '../../fixtures/fake-provider.js';

export const TOKEN = 'llmdev-test-token-0123456789abcdef';
export const OPENAI_KEY = 'sk-proj-fakeUpstreamOpenaiKey0123456789abcdef';
export const ANTHROPIC_KEY = 'sk-ant-api03-fakeUpstreamAnthropicKey0123456789';

export interface HarnessOptions {
  /** Provider keys written to the secrets dir; '' writes an empty file; undefined writes none. */
  keys?: { openai?: string; anthropic?: string };
  /** Extra config (merged over the defaults pointing the providers at the fake). */
  config?: Record<string, unknown>;
}

export interface Harness {
  url: string;
  fake: FakeProvider;
  sidecar: Sidecar;
  config: Config;
  dir: string;
  secretsDir: string;
  dataDir: string;
  openai: OpenAI;
  anthropic: Anthropic;
  logs: string[];
  /** All stored records, newest first. */
  records(): UsageRecord[];
  close(): Promise<void>;
}

export const pricer = createPricer();

export async function startHarness(options: HarnessOptions = {}): Promise<Harness> {
  const dir = await mkdtemp(join(tmpdir(), 'llmdev-sidecar-'));
  const secretsDir = join(dir, 'secrets');
  const dataDir = join(dir, 'data');
  await mkdir(secretsDir, { mode: 0o700 });
  await writeFile(join(secretsDir, 'llmdev_token'), `${TOKEN}\n`, { mode: 0o600 });
  const keys = options.keys ?? { openai: OPENAI_KEY, anthropic: ANTHROPIC_KEY };
  if (keys.openai !== undefined)
    await writeFile(join(secretsDir, 'openai_api_key'), keys.openai, { mode: 0o600 });
  if (keys.anthropic !== undefined) {
    await writeFile(join(secretsDir, 'anthropic_api_key'), keys.anthropic, { mode: 0o600 });
  }
  const fake = await startFakeProvider();
  const { providers, sidecar: sidecarSettings, ...rest } = options.config ?? {};
  const config = parseConfig({
    text: stringify({
      project: { name: 'sidecar-test' },
      providers: {
        openai: { baseUrl: fake.openaiBaseUrl, ...(providers as Record<string, object> | undefined)?.openai },
        anthropic: { baseUrl: fake.url, ...(providers as Record<string, object> | undefined)?.anthropic },
      },
      sidecar: { logLevel: 'debug', ...(sidecarSettings as object | undefined) },
      ...rest,
    }),
  });
  const logs: string[] = [];
  const log = createLogger({
    level: 'debug',
    write: (line) => logs.push(line),
    secrets: () => [TOKEN, OPENAI_KEY, ANTHROPIC_KEY],
  });
  const sidecar = await createSidecar({ config, dataDir, secretsDir, log, drainTimeoutMs: 2000 });
  const { port } = await sidecar.listen(0, '127.0.0.1');
  const url = `http://127.0.0.1:${port}`;
  const records = () => sidecar.store.queries.records({ limit: 1000 }).records;
  return {
    url,
    fake,
    sidecar,
    config,
    dir,
    secretsDir,
    dataDir,
    openai: new OpenAI({ apiKey: TOKEN, baseURL: `${url}/v1`, maxRetries: 0 }),
    anthropic: new Anthropic({ apiKey: TOKEN, baseURL: url, maxRetries: 0 }),
    logs,
    records,
    async close() {
      await sidecar.close();
      await fake.close();
      await rm(dir, { recursive: true, force: true });
    },
  };
}

/** Fetch against the sidecar with the token. */
export function call(
  harness: Pick<Harness, 'url'>,
  path: string,
  init: RequestInit & { json?: unknown } = {},
): Promise<Response> {
  const { json, headers, ...rest } = init;
  return fetch(`${harness.url}${path}`, {
    method: json === undefined ? 'GET' : 'POST',
    ...rest,
    headers: { authorization: `Bearer ${TOKEN}`, 'content-type': 'application/json', ...headers },
    ...(json === undefined ? {} : { body: JSON.stringify(json) }),
  });
}

/** Waits until `check` holds (records committed after the client already got its answer or error). */
export async function eventually<T>(
  check: () => T | undefined | false | Promise<T | undefined | false>,
  what: string,
  timeoutMs = 5000,
): Promise<T> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const value = await check();
    if (value) return value;
    if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}`);
    await new Promise((r) => setTimeout(r, 10));
  }
}
