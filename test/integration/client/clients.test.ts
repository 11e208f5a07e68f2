/**
 * `createOpenAI` / `createAnthropic` on the proxy route, against the real sidecar (in-process, random
 * port) in front of the fake provider: tags and prompt versions land in the records, the summary
 * groups by prompt, streams are recorded, and the SDKs' retries honour the provider's retry-after.
 */

import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { jest } from '@jest/globals';
import { APIConnectionError } from 'openai';
import { callOptions, createAnthropic, createOpenAI } from '../../../src/client/clients.js';
import { parsePrompt } from '../../../src/client/prompts.js';
import { loadConfig } from '../../../src/client/settings.js';
import { wireText } from '../../fixtures/wire/index.js';
import { call, eventually, type Harness, startHarness, TOKEN } from '../sidecar/harness.js';

jest.setTimeout(30_000); // the retry cases wait the provider's 1 s retry-after

let h: Harness;
beforeAll(async () => {
  h = await startHarness();
});
afterAll(() => h.close());

function settingsFor(url: string, env: Record<string, string> = {}) {
  return loadConfig({ env: { LLMDEV_URL: url, LLMDEV_TOKEN: TOKEN, ...env }, envFile: false });
}

const PROMPT = parsePrompt(
  '---\nversion: 2\nmodel: gpt-4o-mini\nparams:\n  temperature: 0.1\n---\n{{role "system"}}\nBe brief.\n{{role "user"}}\nDefine {{term}}.\n',
  { name: 'define', file: 'prompts/define.md' },
);

describe('proxy route', () => {
  it('OpenAI calls carry default tags, per-call tags and the prompt version into the record', async () => {
    const openai = createOpenAI({
      settings: settingsFor(h.url, { LLMDEV_TAGS: 'app=tests' }),
      tags: { suite: 'client' },
    });
    const body = PROMPT.openai({ term: 'entropy' });
    const completion = await openai.chat.completions.create(
      { ...body, model: body.model, messages: body.messages, seed: 42 },
      callOptions(openai, { prompt: PROMPT, tags: { step: 'define' } }),
    );
    const [record] = h.records();
    expect(completion.choices[0]?.message.content).toBeTruthy();
    expect(record).toMatchObject({
      provider: 'openai',
      model: 'gpt-4o-mini',
      source: 'proxy',
      tags: { app: 'tests', suite: 'client', step: 'define' },
      promptName: 'define',
      promptVersion: PROMPT.version,
      params: { temperature: 0.1, seed: 42 },
      usage: {
        inputTokens: completion.usage?.prompt_tokens,
        outputTokens: completion.usage?.completion_tokens,
      },
    });
    expect(record?.systemFingerprint).toBe(completion.system_fingerprint);
    // Nothing of ours reaches the provider.
    const upstream = h.fake.received.at(-1);
    expect(Object.keys(upstream?.headers ?? {}).filter((name) => name.startsWith('x-llmdev-'))).toEqual([]);
  });

  it('Anthropic streams are recorded with their tags, and the summary groups cost by prompt version', async () => {
    const anthropic = createAnthropic({ settings: settingsFor(h.url), tags: { suite: 'client' } });
    const stream = await anthropic.messages.create(
      { ...PROMPT.anthropic({ term: 'drift' }, { model: 'claude-haiku-4-5' }), stream: true },
      callOptions(anthropic, { prompt: PROMPT }),
    );
    let text = '';
    for await (const event of stream) {
      if (event.type === 'content_block_delta' && event.delta.type === 'text_delta') text += event.delta.text;
    }
    expect(text.length).toBeGreaterThan(0);
    const [record] = h.records();
    expect(record).toMatchObject({
      provider: 'anthropic',
      stream: true,
      tags: { suite: 'client' },
      promptName: 'define',
      promptVersion: PROMPT.version,
    });
    const summary = (await (await call(h, '/v1/usage/summary?group_by=prompt')).json()) as {
      groups: { key: string | null; requests: number }[];
    };
    expect(summary.groups).toContainEqual(expect.objectContaining({ key: PROMPT.id, requests: 2 }));
  });

  it('uses LLM_TIMEOUT per attempt: the SDK gives up and the sidecar records the abandoned call', async () => {
    const openai = createOpenAI({
      settings: settingsFor(h.url, { LLM_TIMEOUT: '0.3', LLM_MAX_RETRIES: '0' }),
    });
    await expect(
      openai.chat.completions.create(
        { model: 'gpt-4o-mini', messages: [{ role: 'user', content: 'hi' }] },
        { headers: { 'x-fake-scenario': 'stall' } },
      ),
    ).rejects.toBeInstanceOf(APIConnectionError); // APIConnectionTimeoutError outside jest's VM realm
    const abandoned = await eventually(() => h.records().find((r) => r.status === 499), 'the 499 record');
    expect(abandoned.error).toContain('closed the connection');
  });
});

describe('retries', () => {
  /** A provider that answers each path's first request 429 with retry-after: 1, then succeeds. */
  let upstream: Server;
  const arrivals = new Map<string, number[]>();
  let retrying: Harness;
  beforeAll(async () => {
    upstream = createServer((req, res) => {
      req.resume();
      req.on('end', () => {
        const path = req.url ?? '';
        const times = arrivals.get(path) ?? [];
        times.push(Date.now());
        arrivals.set(path, times);
        const anthropic = path.startsWith('/v1/messages');
        if (times.length === 1) {
          res.writeHead(429, { 'content-type': 'application/json', 'retry-after': '1' });
          res.end(wireText(anthropic ? 'anthropic-error.json' : 'openai-error.json'));
          return;
        }
        res.writeHead(200, { 'content-type': 'application/json' });
        res.end(wireText(anthropic ? 'anthropic-messages.json' : 'openai-chat.json'));
      });
    });
    await new Promise<void>((resolve) => upstream.listen(0, '127.0.0.1', resolve));
    const { port } = upstream.address() as AddressInfo;
    const baseUrl = `http://127.0.0.1:${port}`;
    retrying = await startHarness({
      config: { providers: { openai: { baseUrl: `${baseUrl}/v1` }, anthropic: { baseUrl } } },
    });
  });
  afterAll(async () => {
    await retrying.close();
    await new Promise((resolve) => upstream.close(resolve));
  });

  // The SDKs' own first backoff (about 0.5 s) is shorter than the 1 s the provider asked for.
  const waited = (path: string) => {
    const [first, second, ...more] = arrivals.get(path) ?? [];
    expect(more).toEqual([]);
    return (second as number) - (first as number);
  };

  it("OpenAI: waits the provider's retry-after (passed through by the sidecar) before retrying", async () => {
    const openai = createOpenAI({ settings: settingsFor(retrying.url, { LLM_MAX_RETRIES: '2' }) });
    const completion = await openai.chat.completions.create({
      model: 'gpt-4o-mini',
      messages: [{ role: 'user', content: 'hi' }],
    });
    expect(completion.usage?.total_tokens).toBe(1290);
    expect(waited('/v1/chat/completions')).toBeGreaterThanOrEqual(950);
    // Both attempts are in the log: the refused one and the answered one.
    expect(retrying.records().map((r) => r.status)).toEqual([200, 429]);
  });

  it("Anthropic: waits the provider's retry-after too", async () => {
    const anthropic = createAnthropic({ settings: settingsFor(retrying.url, { LLM_MAX_RETRIES: '2' }) });
    const message = await anthropic.messages.create({
      model: 'claude-haiku-4-5',
      max_tokens: 50,
      messages: [{ role: 'user', content: 'hi' }],
    });
    expect(message.usage.output_tokens).toBe(393);
    expect(waited('/v1/messages')).toBeGreaterThanOrEqual(950);
  });
});
