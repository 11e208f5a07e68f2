/**
 * The shared client vectors (test/vectors/*.json, read by the Python client's tests too): every
 * `expected` must be what the TypeScript client computes from the case's inputs. With
 * UPDATE_VECTORS=1 the files are rewritten from this implementation instead (see
 * test/vectors/README.md). Also checks that the Python package pins the same genai-prices release
 * as the npm price data the sidecar uses: one price data set for both clients.
 */
import { mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { estimateCost, estimateTokens } from '../../../src/client/estimate.js';
import { createObservingFetch } from '../../../src/client/observe-fetch.js';
import { parsePrompt } from '../../../src/client/prompts.js';
import type { UsageReport } from '../../../src/client/reporter.js';
import { loadConfig, type ProviderAccess } from '../../../src/client/settings.js';
import { formatPromptId, formatTags, parseTags, type Tags } from '../../../src/client/tags.js';
import { ConfigError } from '../../../src/errors/index.js';
import { PRICING_DATA_VERSION } from '../../../src/pricing/index.js';
import type { ApiKind } from '../../../src/usage/endpoints.js';
import { countTextTokens, estimateInputTokens } from '../../../src/usage/estimate.js';
import { COOKBOOK_MESSAGES } from '../../fixtures/cookbook-messages.js';
import { type WireFixture, wireText } from '../../fixtures/wire/index.js';

const REPO = fileURLToPath(new URL('../../../', import.meta.url));
const VECTORS = join(REPO, 'test/vectors');
const UPDATE = process.env.UPDATE_VECTORS === '1';

type Json = Record<string, unknown>;
const read = (file: string) => JSON.parse(readFileSync(join(VECTORS, file), 'utf8')) as Json;
const cases = (file: Json, key: string) => file[key] as Json[];

/** What a call raises, as data: the message (and hint), or the value it returned. */
function outcome<T>(action: () => T): { value: T } | { error: string; hint?: string | undefined } {
  try {
    return { value: action() };
  } catch (error) {
    const e = error as Error & { hint?: string };
    return { error: e.message, ...(e.hint === undefined ? {} : { hint: e.hint }) };
  }
}

function estimates(file: Json): Json {
  for (const c of cases(file, 'texts')) c.expected = countTextTokens(c.text as string, c.model as string);
  for (const c of cases(file, 'messages')) {
    const messages = c.messages === 'cookbook' ? COOKBOOK_MESSAGES : c.messages;
    const estimate = estimateCost({
      model: c.model as string,
      maxOutputTokens: c.maxOutputTokens as number,
      ...(messages === undefined ? {} : { messages }),
      ...(c.system === undefined ? {} : { system: c.system }),
      ...(c.inputTokens === undefined ? {} : { inputTokens: c.inputTokens as number }),
    });
    const tokens =
      messages === undefined
        ? null
        : estimateTokens(messages, c.model as string, c.system === undefined ? {} : { system: c.system });
    c.expected = { tokens, ...estimate };
  }
  for (const c of cases(file, 'requests')) c.expected = estimateInputTokens(c.kind as ApiKind, c.body);
  file.pricingSource = PRICING_DATA_VERSION;
  return file;
}

function headers(file: Json): Json {
  for (const c of cases(file, 'formatTags')) c.expected = outcome(() => formatTags(c.tags as Tags));
  for (const c of cases(file, 'parseTags')) c.expected = parseTags(c.text as string);
  for (const c of cases(file, 'promptIds')) {
    c.expected = outcome(() => formatPromptId(c.name as string, c.version as string));
  }
  for (const c of cases(file, 'prompts')) {
    const prompt = parsePrompt(c.text as string, { name: c.name as string, file: `prompts/${c.name}.md` });
    const variables = c.variables as Record<string, string>;
    const overrides = c.model === undefined ? {} : { model: c.model as string };
    c.expected = {
      id: prompt.id,
      name: prompt.name,
      version: prompt.version,
      hash: prompt.hash,
      model: prompt.model ?? null,
      params: prompt.params,
      variables: prompt.variables,
      messages: prompt.render(variables),
      openai: prompt.openai(variables, overrides),
      anthropic: prompt.anthropic(variables, overrides),
      missingVariable: outcome(() => prompt.render({})),
    };
  }
  return file;
}

async function records(file: Json): Promise<Json> {
  for (const c of cases(file, 'calls')) {
    const answer = c.answer as { status: number; fixture?: WireFixture; text?: string };
    const text = answer.fixture ? wireText(answer.fixture) : (answer.text as string);
    const isStream = answer.fixture?.endsWith('.sse') === true;
    let sent: unknown = null;
    const reports: UsageReport[] = [];
    const fetch = createObservingFetch({
      provider: c.provider as 'openai' | 'anthropic',
      report: (record) => reports.push(record),
      fetch: (async (_url: unknown, init?: RequestInit) => {
        sent = JSON.parse(String(init?.body));
        const upstreamHeaders = [...new Headers(init?.headers).keys()].filter((k) =>
          k.startsWith('x-llmdev-'),
        );
        if (upstreamHeaders.length > 0) throw new Error(`x-llmdev headers went upstream: ${upstreamHeaders}`);
        return new Response(text, {
          status: answer.status,
          headers: { 'content-type': isStream ? 'text/event-stream' : 'application/json' },
        });
      }) as typeof globalThis.fetch,
      now: () => new Date(file.now as string),
      knownSecrets: file.knownSecrets as string[],
    });
    const response = await fetch(c.url as string, {
      method: 'POST',
      headers: { 'content-type': 'application/json', ...(c.headers as Record<string, string>) },
      body: JSON.stringify(c.body),
    });
    const callerBody = await response.text();
    for (let i = 0; i < 100 && reports.length === 0; i++) await new Promise((r) => setTimeout(r, 5));
    const [record] = reports;
    if (!record) throw new Error(`${c.name}: no record reported`);
    expect(typeof record.latencyMs).toBe('number');
    const { latencyMs: _latency, ttfbMs: _ttfb, ...stable } = record;
    c.expected = { sent, callerBody: callerBody === text ? 'unchanged' : callerBody, record: stable };
  }
  return file;
}

function settings(file: Json): Json {
  const cwd = mkdtempSync(join(tmpdir(), 'llmdev-vectors-'));
  try {
    const load = (c: Json) => {
      for (const [path, content] of Object.entries((c.files as Record<string, string>) ?? {})) {
        mkdirSync(dirname(join(cwd, path)), { recursive: true });
        writeFileSync(join(cwd, path), content);
      }
      return loadConfig({
        env: c.env as Record<string, string>,
        cwd,
        envFile: false,
        secretsDir: join(cwd, 'secrets'),
      });
    };
    const neutral = (value: unknown) => JSON.parse(JSON.stringify(value ?? null).replaceAll(cwd, '<cwd>'));
    const access = (a: ProviderAccess) => ({
      route: a.route,
      baseUrl: a.baseUrl,
      apiKey: a.apiKey?.source ?? null,
    });
    for (const c of cases(file, 'valid')) {
      const s = load(c);
      c.expected = neutral({
        provider: s.provider,
        model: s.model,
        maxTokens: s.maxTokens ?? null,
        temperature: s.temperature ?? null,
        timeoutSeconds: s.timeoutMs / 1000,
        maxRetries: s.maxRetries,
        sidecarUrl: s.sidecarUrl,
        token: s.token?.source ?? null,
        tags: s.tags,
        promptsDir: s.promptsDir,
        openai: access(s.openai),
        anthropic: access(s.anthropic),
        lookups: s.lookups,
      });
    }
    for (const c of cases(file, 'invalid')) {
      try {
        load(c);
        throw new Error(`${JSON.stringify(c.env)} was accepted`);
      } catch (error) {
        if (!(error instanceof ConfigError)) throw error;
        c.expected = neutral({ message: error.message, hint: error.hint, issues: error.issues });
      }
    }
  } finally {
    rmSync(cwd, { recursive: true, force: true });
  }
  return file;
}

const COMPUTE: Record<string, (file: Json) => Json | Promise<Json>> = {
  'estimates.json': estimates,
  'headers.json': headers,
  'records.json': records,
  'settings.json': settings,
};

describe('shared client vectors', () => {
  it.each(Object.keys(COMPUTE))('%s holds what the TypeScript client computes', async (name) => {
    const stored = read(name);
    const computed = await (COMPUTE[name] as (file: Json) => Json | Promise<Json>)(structuredClone(stored));
    if (UPDATE) writeFileSync(join(VECTORS, name), `${JSON.stringify(computed, null, 2)}\n`);
    else expect(computed).toEqual(stored);
  });

  it('the Python client pins the genai-prices release the sidecar prices with', () => {
    const pyproject = readFileSync(join(REPO, 'python/pyproject.toml'), 'utf8');
    const pinned = /"genai-prices==([^"]+)"/.exec(pyproject)?.[1];
    expect(`genai-prices@${pinned}`).toBe(PRICING_DATA_VERSION);
  });
});
