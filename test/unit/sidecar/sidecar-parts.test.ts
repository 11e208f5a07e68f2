import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { parseConfig } from '../../../src/config/load.js';
import { SecretError } from '../../../src/errors/index.js';
import { recordFromIngest } from '../../../src/sidecar/api/ingest.js';
import { parseTimeBound } from '../../../src/sidecar/api/time-range.js';
import { decodeCursor, encodeCursor } from '../../../src/sidecar/api/usage-query.js';
import { createLogger } from '../../../src/sidecar/log.js';
import { describeProviders, resolveProviders } from '../../../src/sidecar/providers.js';
import { readSidecarSecrets } from '../../../src/sidecar/secrets.js';
import { ingestRecordSchema } from '../../../src/usage/record.js';

const config = (providers: object = {}) =>
  parseConfig({ text: JSON.stringify({ project: { name: 'p' }, providers }) });
const secrets = (openai: string | null, anthropic: string | null) => ({
  token: 't'.repeat(20),
  providerKeys: { openai, anthropic },
});

describe('resolveProviders', () => {
  it('auto: live with a key, mock without; mode mock never goes upstream', () => {
    const states = resolveProviders(config({ anthropic: { mode: 'mock' } }), secrets('sk-o', 'sk-a'));
    expect(states.openai).toMatchObject({ mode: 'live', key: 'sk-o' });
    expect(states.openai.mode === 'live' && states.openai.baseUrl.href).toBe('https://api.openai.com/v1');
    expect(states.anthropic).toEqual({ name: 'anthropic', mode: 'mock', reason: 'mode mock' });
    expect(describeProviders(resolveProviders(config(), secrets(null, null)))).toEqual({
      openai: 'mock (no key)',
      anthropic: 'mock (no key)',
    });
  });

  it('live without a key is an error saying how to fix it', () => {
    expect(() => resolveProviders(config({ openai: { mode: 'live' } }), secrets(null, null))).toThrow(
      SecretError,
    );
    expect(() => resolveProviders(config({ openai: { mode: 'live' } }), secrets(null, null))).toThrow(
      /providers.openai.mode is live but the key file .secrets\/openai_api_key is missing or empty/,
    );
  });
});

describe('readSidecarSecrets', () => {
  let dir: string;
  beforeEach(() => {
    dir = mkdtempSync(join(tmpdir(), 'llmdev-secrets-'));
  });
  afterEach(() => rmSync(dir, { recursive: true, force: true }));

  it('reads the token and keys (trimmed); an empty key file means no key', async () => {
    writeFileSync(join(dir, 'llmdev_token'), '  token-0123456789abcdef\n');
    writeFileSync(join(dir, 'openai_api_key'), '');
    writeFileSync(join(dir, 'anthropic_api_key'), 'sk-ant-x\n');
    expect(await readSidecarSecrets(config(), dir)).toEqual({
      token: 'token-0123456789abcdef',
      providerKeys: { openai: null, anthropic: 'sk-ant-x' },
    });
  });

  it('refuses a missing or short token, with a hint', async () => {
    await expect(readSidecarSecrets(config(), dir)).rejects.toMatchObject({
      message: expect.stringContaining('llmdev_token: the sidecar access token file does not exist'),
      hint: expect.stringContaining('llmdev up'),
    });
    writeFileSync(join(dir, 'llmdev_token'), 'short');
    await expect(readSidecarSecrets(config(), dir)).rejects.toThrow(/is only 5 characters/);
  });
});

describe('parseTimeBound', () => {
  const now = new Date('2025-06-10T12:00:00Z');
  it.each([
    ['2025-06-01', '2025-06-01T00:00:00.000Z'],
    ['2025-06-01T08:00:00+02:00', '2025-06-01T06:00:00.000Z'],
    ['24h', '2025-06-09T12:00:00.000Z'],
    ['7d', '2025-06-03T12:00:00.000Z'],
    ['30m', '2025-06-10T11:30:00.000Z'],
  ])('%s → %s', (value, expected) => {
    expect(parseTimeBound('since', value, now)).toEqual({ ok: true, value: expected });
  });
  it.each(['yesterday', '12', '7w', ''])('rejects %j', (value) => {
    expect(parseTimeBound('since', value, now)).toMatchObject({
      ok: false,
      message: expect.stringContaining('since: expected'),
    });
  });
});

describe('record cursors', () => {
  it('round-trip, and anything else is refused', () => {
    const cursor = { ts: '2025-01-01T00:00:00.000Z', seq: 42 };
    expect(decodeCursor(encodeCursor(cursor))).toEqual(cursor);
    expect(decodeCursor('bm9wZQ')).toBeNull();
  });
});

describe('recordFromIngest', () => {
  it('normalizes the time to UTC, splits the prompt and prices (the store masks secrets)', () => {
    const input = ingestRecordSchema.parse({
      provider: 'openai',
      model: 'gpt-4o',
      ts: '2025-01-01T10:00:00+01:00',
      usage: { inputTokens: 5, outputTokens: 1 },
      prompt: 'name@v2',
      error: 'bad key sk-proj-abcdefghijklmnopqrstuvwxyz',
    });
    const record = recordFromIngest(input, new Date(), {
      price: () => ({ costUsd: 0.25, pricingSource: 'override', resolvedModel: 'gpt-4o' }),
      newId: () => 'generated',
    });
    expect(record).toMatchObject({
      id: 'generated',
      ts: '2025-01-01T09:00:00.000Z',
      source: 'ingest',
      promptName: 'name',
      promptVersion: 'v2',
      costUsd: 0.25,
      pricingSource: 'override',
      error: 'bad key sk-proj-abcdefghijklmnopqrstuvwxyz',
      usage: {
        inputTokens: 5,
        outputTokens: 1,
        cachedInputTokens: 0,
        cacheWriteTokens: 0,
        reasoningTokens: 0,
      },
    });
  });
});

describe('createLogger', () => {
  it('writes JSON lines at or above its level, with every secret masked', () => {
    const lines: string[] = [];
    const log = createLogger({
      level: 'info',
      write: (line) => lines.push(line),
      secrets: () => ['my-secret-token-123'],
      now: () => new Date(0),
    });
    log.debug('hidden');
    log.info('hello', {
      header: 'Bearer my-secret-token-123',
      key: 'sk-ant-api03-abcdefghijklmnopqrstuvwxyz',
    });
    log.error('failed', { error: Object.assign(new Error('boom my-secret-token-123'), { code: 'EBOOM' }) });
    expect(lines).toHaveLength(2);
    expect(JSON.parse(lines[0] as string)).toEqual({
      ts: '1970-01-01T00:00:00.000Z',
      level: 'info',
      msg: 'hello',
      header: 'Bearer [redacted]',
      key: '[redacted]',
    });
    expect(JSON.parse(lines[1] as string).error).toMatchObject({
      name: 'Error',
      message: 'boom [redacted]',
      code: 'EBOOM',
    });
  });
});
