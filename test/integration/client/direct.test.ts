/**
 * Direct mode against the real sidecar's ingest API: the SDKs call the (fake) provider with the real
 * key and every call's usage is reported in the background; with the sidecar down and back, nothing
 * within the queue bound is lost and nothing is stored twice; a script that just ends still reports.
 */

import { rm } from 'node:fs/promises';
import { fileURLToPath } from 'node:url';
import { jest } from '@jest/globals';
import { execa } from 'execa';
import { BadRequestError } from 'openai';
import { callOptions, createAnthropic, createOpenAI } from '../../../src/client/clients.js';
import { createUsageReporter, type UsageReporter } from '../../../src/client/reporter.js';
import { type ClientSettings, loadConfig } from '../../../src/client/settings.js';
import { createLogger } from '../../../src/sidecar/log.js';
import { createSidecar, type Sidecar } from '../../../src/sidecar/server.js';
import { eventually, type Harness, pricer, startHarness, TOKEN } from '../sidecar/harness.js';

jest.setTimeout(60_000); // one case runs a script (TypeScript through tsx) in a child process

const OPENAI_DIRECT_KEY = 'sk-proj-directOpenaiKeyInTheWorkspace0123456789';
const ANTHROPIC_DIRECT_KEY = 'sk-ant-api03-directAnthropicKeyInTheWorkspace01';

function directEnv(h: Harness): Record<string, string> {
  return {
    LLMDEV_URL: h.url,
    LLMDEV_TOKEN: TOKEN,
    LLMDEV_OPENAI_ROUTE: 'direct',
    LLMDEV_OPENAI_KEY: OPENAI_DIRECT_KEY,
    OPENAI_BASE_URL: h.fake.openaiBaseUrl,
    LLMDEV_ANTHROPIC_ROUTE: 'direct',
    LLMDEV_ANTHROPIC_KEY: ANTHROPIC_DIRECT_KEY,
    ANTHROPIC_BASE_URL: h.fake.url,
  };
}

function quickReporter(settings: ClientSettings, options: Record<string, unknown> = {}): UsageReporter {
  return createUsageReporter({
    url: settings.sidecarUrl,
    token: settings.token as NonNullable<ClientSettings['token']>,
    batchDelayMs: 5,
    retryInitialMs: 20,
    retryMaxMs: 100,
    exitFlushMs: 0,
    ...options,
  });
}

const ask = { model: 'gpt-4o-mini', messages: [{ role: 'user' as const, content: 'Hello' }] };

describe('direct route', () => {
  let h: Harness;
  let settings: ClientSettings;
  beforeAll(async () => {
    h = await startHarness();
    settings = loadConfig({ env: directEnv(h), envFile: false });
  });
  afterAll(() => h.close());

  it('calls the provider with the real key and reports each call, priced by the sidecar', async () => {
    const reporter = quickReporter(settings);
    const openai = createOpenAI({ settings, reporter, tags: { suite: 'direct' } });
    const anthropic = createAnthropic({ settings, reporter, tags: { suite: 'direct' } });

    const completion = await openai.chat.completions.create(
      { ...ask, temperature: 0.5 },
      callOptions(openai, { prompt: 'greet@2' }),
    );
    const stream = await openai.chat.completions.create({ ...ask, stream: true });
    let streamed = '';
    for await (const chunk of stream) streamed += chunk.choices[0]?.delta.content ?? '';
    const message = await anthropic.messages.create({
      model: 'claude-haiku-4-5',
      max_tokens: 100,
      messages: [{ role: 'user', content: 'Hello' }],
    });
    await expect(
      openai.chat.completions.create(ask, { headers: { 'x-fake-scenario': 'error-400' } }),
    ).rejects.toBeInstanceOf(BadRequestError);
    expect(streamed.length).toBeGreaterThan(0);

    expect(await reporter.flush()).toMatchObject({ pending: 0, sent: 4, dropped: 0, rejected: 0 });
    // The provider got the real key, never the sidecar token, and none of our headers.
    for (const request of h.fake.received) {
      expect(JSON.stringify(request.headers)).not.toContain(TOKEN);
      expect(Object.keys(request.headers).filter((name) => name.startsWith('x-llmdev-'))).toEqual([]);
    }
    expect(h.fake.received[0]?.headers.authorization).toBe(`Bearer ${OPENAI_DIRECT_KEY}`);

    const records = h.records().filter((r) => r.source === 'ingest');
    expect(records).toHaveLength(4);
    const chat = records.find((r) => r.promptName === 'greet');
    expect(chat).toMatchObject({
      provider: 'openai',
      model: 'gpt-4o-mini',
      endpoint: '/v1/chat/completions',
      stream: false,
      status: 200,
      estimated: false,
      tags: { suite: 'direct' },
      promptVersion: '2',
      params: { temperature: 0.5 },
      systemFingerprint: completion.system_fingerprint,
      usage: {
        inputTokens: completion.usage?.prompt_tokens,
        outputTokens: completion.usage?.completion_tokens,
      },
    });
    expect(chat?.costUsd).toBeCloseTo(
      pricer.price('openai', 'gpt-4o-mini', chat?.usage as NonNullable<typeof chat>['usage'])
        .costUsd as number,
      12,
    );
    expect(records.find((r) => r.stream)).toMatchObject({ status: 200, estimated: false });
    const { input_tokens, cache_read_input_tokens, cache_creation_input_tokens } = message.usage;
    expect(records.find((r) => r.provider === 'anthropic')).toMatchObject({
      // total input: Anthropic's input_tokens excludes cache reads and writes
      usage: {
        inputTokens: input_tokens + (cache_read_input_tokens ?? 0) + (cache_creation_input_tokens ?? 0),
        cachedInputTokens: cache_read_input_tokens ?? 0,
        outputTokens: message.usage.output_tokens,
      },
    });
    expect(records.find((r) => r.status === 400)).toMatchObject({
      usage: { inputTokens: 0, outputTokens: 0 },
    });
  });

  it('a script that just ends still reports its calls (flush on beforeExit)', async () => {
    const script = fileURLToPath(new URL('fixtures/direct-exit.ts', import.meta.url));
    const child = await execa('node', ['--import', 'tsx', script], {
      reject: false,
      env: { ...directEnv(h), RUN_TAG: 'exit-flush', PATH: process.env.PATH ?? '' },
      extendEnv: false,
    });
    expect(child.stderr).toBe('');
    expect(child.exitCode).toBe(0);
    const record = await eventually(
      () => h.records().find((r) => r.tags.run === 'exit-flush'),
      'the record reported on exit',
    );
    expect(record).toMatchObject({ source: 'ingest', promptName: 'exit-test', promptVersion: '1' });
    expect(record.usage.inputTokens + record.usage.outputTokens).toBe(Number(child.stdout.trim()));
  });
});

describe('direct route with the sidecar down, then back', () => {
  let h: Harness;
  let settings: ClientSettings;
  let restarted: Sidecar | undefined;
  const quiet = createLogger({ level: 'error', write: () => {} });

  beforeAll(async () => {
    h = await startHarness();
    settings = loadConfig({ env: directEnv(h), envFile: false });
  });
  afterAll(async () => {
    await (restarted ?? h.sidecar).close();
    await h.fake.close();
    await rm(h.dir, { recursive: true, force: true });
  });

  async function down(): Promise<void> {
    await (restarted ?? h.sidecar).close();
    restarted = undefined;
  }

  async function up(): Promise<Sidecar> {
    restarted = await createSidecar({
      config: h.config,
      dataDir: h.dataDir,
      secretsDir: h.secretsDir,
      log: quiet,
      drainTimeoutMs: 2000,
    });
    await restarted.listen(Number(new URL(h.url).port), '127.0.0.1');
    return restarted;
  }

  const stored = (sidecar: Sidecar, run: string) =>
    sidecar.store.queries.records({ limit: 1000 }).records.filter((r) => r.tags.run === run);

  it('user calls succeed while reports queue; once it is back every record arrives exactly once', async () => {
    const warnings: string[] = [];
    const reporter = quickReporter(settings, { maxQueue: 50, warn: (w: string) => warnings.push(w) });
    const openai = createOpenAI({ settings, reporter, tags: { run: 'outage' } });
    await down();
    for (let i = 0; i < 20; i++) {
      const completion = await openai.chat.completions.create(ask);
      expect(completion.choices).toHaveLength(1); // the sidecar being down never fails the call
    }
    await eventually(() => reporter.stats().failedAttempts >= 2, 'failed report attempts');
    expect(reporter.stats()).toMatchObject({ pending: 20, sent: 0, dropped: 0 });
    const sidecar = await up();
    expect(await reporter.flush()).toMatchObject({ pending: 0, sent: 20, dropped: 0 });
    const records = stored(sidecar, 'outage');
    expect(records).toHaveLength(20);
    expect(new Set(records.map((r) => r.id)).size).toBe(20);
    expect(warnings).toHaveLength(1);
    expect(warnings[0]).toMatch(
      /^llmdev: cannot report usage to http:\/\/127\.0\.0\.1:\d+\/v1\/usage \(ECONNREFUSED\)/,
    );
  });

  it('beyond the bound the oldest are dropped (counted, one warning); the rest arrive', async () => {
    const warnings: string[] = [];
    const reporter = quickReporter(settings, {
      maxQueue: 5,
      batchSize: 5,
      warn: (w: string) => warnings.push(w),
    });
    const openai = createOpenAI({ settings, reporter });
    await down();
    for (let i = 0; i < 8; i++) {
      await openai.chat.completions.create(
        ask,
        callOptions(openai, { tags: { run: 'bound', n: String(i) } }),
      );
    }
    expect(reporter.stats()).toMatchObject({ dropped: 3 });
    const sidecar = await up();
    expect(await reporter.flush()).toMatchObject({ pending: 0, sent: 5, dropped: 3 });
    expect(
      stored(sidecar, 'bound')
        .map((r) => Number(r.tags.n))
        .sort(),
    ).toEqual([3, 4, 5, 6, 7]);
    expect(warnings.filter((w) => w.includes('queue full'))).toHaveLength(1);
  });

  it('an acknowledgement lost on the way back: the batch is retried and stored once', async () => {
    const sidecar = restarted ?? (await up());
    let lose = 1;
    const lossy: typeof globalThis.fetch = async (input, init) => {
      const response = await fetch(input, init);
      if (lose-- > 0) throw new TypeError('fetch failed', { cause: { code: 'ECONNRESET' } });
      return response;
    };
    const reporter = quickReporter(settings, { fetch: lossy, warn: () => {} });
    const openai = createOpenAI({ settings, reporter, tags: { run: 'lost-ack' } });
    for (let i = 0; i < 3; i++) await openai.chat.completions.create(ask);
    expect(await reporter.flush()).toMatchObject({ pending: 0, sent: 3, failedAttempts: 1 });
    expect(stored(sidecar, 'lost-ack')).toHaveLength(3);
  });
});
