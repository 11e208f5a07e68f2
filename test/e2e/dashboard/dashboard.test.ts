/**
 * The dashboard in a real headless browser (Debian's chromium driven by playwright-core) against a
 * real sidecar in front of the fake provider: sign-in with the token, the calls made with the stock
 * SDKs shown (rows, totals, budgets, chart), a live update arriving without a reload, filters, no
 * request leaving the sidecar's origin, no CSP violation or script error. Saves a screenshot to
 * test-results/dashboard.png (a CI artifact); UPDATE_SCREENSHOT=1 also refreshes docs/dashboard.png.
 */
import { mkdir, mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { jest } from '@jest/globals';
import { type BrowserContext, chromium, type Page } from 'playwright-core';
import { call, type Harness, startHarness, TOKEN } from '../../integration/sidecar/harness.js';

jest.setTimeout(60_000);

const ROOT = fileURLToPath(new URL('../../../', import.meta.url));
const CHROMIUM_FLAGS = [
  '--no-sandbox',
  '--disable-gpu',
  '--disable-quic',
  '--no-first-run',
  '--disable-background-networking',
  '--disable-component-update',
  '--disable-sync',
];
const HOUR = 3_600_000;

let h: Harness;
let profile: string;
let browser: BrowserContext;
let page: Page;
const requested: string[] = [];
const problems: string[] = [];
let navigations = 0;

/** Calls of the last day, for a chart with some history: ingested as a direct-mode client would. */
function history(now: number) {
  const models = [
    ['openai', 'gpt-4o', 2400, 600],
    ['anthropic', 'claude-sonnet-4-20250514', 3100, 800],
    ['openai', 'gpt-4o-mini', 5200, 900],
  ] as const;
  return Array.from({ length: 30 }, (_, i) => {
    const [provider, model, input, output] = models[i % models.length] as (typeof models)[number];
    return {
      provider,
      model,
      ts: new Date(now - (22 - (i % 20)) * HOUR - i * 60_000).toISOString(),
      usage: { inputTokens: input + i * 37, outputTokens: output + i * 11 },
      latencyMs: 400 + i * 23,
      tags: { team: i % 2 ? 'search' : 'assistant' },
      prompt: i % 3 ? 'summarize@3' : 'classify@1',
    };
  });
}

beforeAll(async () => {
  h = await startHarness({
    config: {
      budgets: [
        { name: 'monthly', scope: 'total', period: 'month', limitUsd: 5 },
        {
          name: 'gpt-4o daily',
          scope: 'model',
          match: 'gpt-4o',
          period: 'day',
          limitUsd: 0.25,
          action: 'warn',
        },
      ],
    },
  });
  await call(h, '/v1/usage', { json: { records: history(Date.now()) } });
  await h.openai.chat.completions.create(
    {
      model: 'gpt-4o-mini',
      messages: [{ role: 'user', content: 'Summarize the release notes' }],
    },
    { headers: { 'x-llmdev-tags': 'team=search', 'x-llmdev-prompt': 'summarize@3' } },
  );
  const stream = await h.openai.chat.completions.create({
    model: 'gpt-4o',
    stream: true,
    messages: [{ role: 'user', content: 'Write a haiku' }],
  });
  for await (const _ of stream) {
    // drain
  }
  await h.anthropic.messages.create({
    model: 'claude-sonnet-4-20250514',
    max_tokens: 200,
    messages: [{ role: 'user', content: 'Explain this stack trace' }],
  });
  await h.openai.chat.completions
    .create(
      { model: 'gpt-4o-mini', messages: [{ role: 'user', content: 'Hi' }] },
      { headers: { 'x-fake-scenario': 'error-500' } },
    )
    .catch(() => undefined);
  await call(h, '/v1/usage', {
    json: { provider: 'openai', model: 'my-fine-tune', usage: { inputTokens: 800, outputTokens: 120 } },
  });

  profile = await mkdtemp(join(tmpdir(), 'llmdev-chromium-'));
  browser = await chromium.launchPersistentContext(profile, {
    executablePath: '/usr/bin/chromium',
    headless: true,
    args: CHROMIUM_FLAGS,
    viewport: { width: 1360, height: 900 },
    locale: 'en-US',
    timezoneId: 'UTC',
    colorScheme: 'light',
  });
  page = browser.pages()[0] ?? (await browser.newPage());
  page.on('request', (request) => requested.push(request.url()));
  page.on('pageerror', (error) => problems.push(`page error: ${error.message}`));
  page.on('console', (message) => {
    if (message.type() === 'error' || /Content.Security.Policy/i.test(message.text())) {
      problems.push(`console ${message.type()}: ${message.text()}`);
    }
  });
  page.on('framenavigated', (frame) => {
    if (frame === page.mainFrame()) navigations++;
  });
});

afterAll(async () => {
  await browser?.close();
  await h?.close();
  if (profile) await rm(profile, { recursive: true, force: true });
});

const rows = () => page.locator('#records tbody tr');
const text = async (selector: string) => (await page.locator(selector).textContent())?.trim() ?? '';

describe('the dashboard in chromium', () => {
  it('asks for the token, refuses a wrong one, and never puts it in the URL', async () => {
    await page.goto(h.url);
    await page.locator('#sign-in-view').waitFor({ state: 'visible' });
    expect(await page.locator('#dashboard').isVisible()).toBe(false);
    await page.getByLabel('Sidecar token').fill('not-the-token');
    await page.getByRole('button', { name: 'Sign in' }).click();
    await page.getByText('That is not the sidecar token').waitFor();

    await page.getByLabel('Sidecar token').fill(TOKEN);
    await page.getByRole('button', { name: 'Sign in' }).click();
    await page.locator('#dashboard').waitFor({ state: 'visible' });
    expect(page.url()).toBe(`${h.url}/`);
    // (Browser code as strings: this file is type-checked for Node, without the DOM.)
    expect(await page.evaluate("sessionStorage.getItem('llmdev.sidecarToken')")).toBe(TOKEN);
    expect(await page.evaluate('localStorage.length')).toBe(0);
  });

  it('shows the calls: a row each, spend, request count, budgets, tokens and the chart', async () => {
    const stored = h.records();
    await page.waitForFunction(`document.querySelectorAll('#records tbody tr').length >= ${stored.length}`);
    expect(await rows().count()).toBe(stored.length);
    const anthropic = rows().filter({ hasText: 'claude-sonnet-4-20250514' }).filter({ hasText: 'proxy' });
    expect(await anthropic.count()).toBe(1);
    expect(await anthropic.locator('td').nth(5).textContent()).toMatch(/^\$0\.\d+$/);
    const failed = rows().filter({ has: page.locator('.badge.err') });
    expect(await failed.count()).toBe(1);
    expect(await failed.locator('.badge').textContent()).toBe('500');
    const unpriced = rows().filter({ hasText: 'my-fine-tune' });
    expect(await unpriced.locator('td').nth(5).textContent()).toBe('unpriced');
    expect(
      await rows().filter({ hasText: 'summarize@3' }).filter({ hasText: 'team=search' }).count(),
    ).toBeGreaterThan(1);

    expect(await text('#spend-today')).toMatch(/^\$\d+\.\d+$/);
    expect(await text('#spend-month')).toMatch(/^\$\d+\.\d+$/);
    expect(await text('#spend-month-note')).toContain('1 unpriced call');
    expect(await text('#requests')).toBe(String(stored.length));

    const budgets = page.locator('#budgets .budget');
    expect(await budgets.count()).toBe(2);
    expect(await budgets.first().textContent()).toMatch(/monthly.*\$\d.* of \$5\.00/);
    expect(await page.locator('#budgets svg.bar rect.used').count()).toBeGreaterThan(0);

    expect(await page.locator('#tokens .bar-row').count()).toBe(5);
    expect(await page.locator('#chart svg rect').count()).toBeGreaterThan(10);
    expect(await page.locator('#legend li').allTextContents()).toEqual(
      expect.arrayContaining(['gpt-4o', 'claude-sonnet-4-20250514', 'gpt-4o-mini']),
    );
  });

  it('adds a new call live, without reloading the page', async () => {
    await page.getByText('live', { exact: true }).waitFor();
    const before = navigations;
    const { response } = await h.anthropic.messages
      .create(
        { model: 'claude-3-5-haiku-latest', max_tokens: 50, messages: [{ role: 'user', content: 'Ping' }] },
        { headers: { 'x-llmdev-tags': 'live=yes' } },
      )
      .withResponse();
    const id = response.headers.get('x-llmdev-request-id');
    const row = page.locator(`#records tbody tr[data-id="${id}"]`);
    await row.waitFor({ timeout: 10_000 });
    expect(await row.textContent()).toContain('live=yes');
    expect(await rows().first().getAttribute('data-id')).toBe(id);
    expect(await text('#requests')).toBe(String(h.records().length));
    expect(navigations).toBe(before);

    await mkdir(join(ROOT, 'test-results'), { recursive: true });
    const shot = join(ROOT, 'test-results', 'dashboard.png');
    await page.waitForTimeout(2100); // the new row's highlight fades (CSS animation)
    await page.screenshot({ path: shot, fullPage: true });
    if (process.env.UPDATE_SCREENSHOT === '1') {
      // The README's picture: the top of the page (cards, budgets, chart, the newest rows).
      await page.screenshot({
        path: join(ROOT, 'docs', 'dashboard.png'),
        fullPage: true,
        clip: { x: 0, y: 0, width: 1360, height: 1180 },
      });
    }
  });

  it('filters the table by provider, status, tag and text', async () => {
    await page.getByLabel('Provider').selectOption('anthropic');
    const providers = await page.locator('#records tbody tr td:nth-child(2)').allTextContents();
    expect(providers.length).toBeGreaterThan(1);
    expect(new Set(providers)).toEqual(new Set(['anthropic']));
    await page.getByLabel('Provider').selectOption('');

    await page.getByLabel('Status').selectOption('error');
    expect(await rows().count()).toBe(1);
    await page.getByLabel('Status').selectOption('');

    await page.getByLabel('Tag').fill('live=');
    expect(await rows().count()).toBe(1);
    await page.getByLabel('Tag').fill('');

    await page.getByLabel('Search').fill('fine-tune');
    expect(await rows().count()).toBe(1);
    await page.getByLabel('Search').fill('');
    expect(await rows().count()).toBe(h.records().length);
  });

  it('keeps the session across a reload, and forgets the token on sign-out', async () => {
    await page.reload();
    await page.locator('#dashboard').waitFor({ state: 'visible' });
    await page.getByRole('button', { name: 'Sign out' }).click();
    await page.locator('#sign-in-view').waitFor({ state: 'visible' });
    expect(await page.evaluate('sessionStorage.length + localStorage.length')).toBe(0);
  });

  it('falls back to polling when the live stream is unavailable', async () => {
    await page.route('**/v1/events', (route) => route.abort());
    await page.getByLabel('Sidecar token').fill(TOKEN);
    await page.getByRole('button', { name: 'Sign in' }).click();
    await page.getByText('polling every 5 s').waitFor();
    const { response } = await h.openai.chat.completions
      .create({ model: 'gpt-4o-mini', messages: [{ role: 'user', content: 'Polled?' }] })
      .withResponse();
    const id = response.headers.get('x-llmdev-request-id');
    await page.locator(`#records tbody tr[data-id="${id}"]`).waitFor({ timeout: 15_000 });
    await page.unroute('**/v1/events');
  });

  it('made no request outside the sidecar, and saw no CSP violation or script error', () => {
    const origin = new URL(h.url).origin;
    expect(requested.filter((url) => !url.startsWith(`${origin}/`) && !url.startsWith('data:'))).toEqual([]);
    // Expected: the 401 of the wrong token tried on purpose, and the live stream blocked on purpose.
    const unexpected = problems.filter(
      (problem) => !problem.includes('status of 401') && !problem.includes('net::ERR_FAILED'),
    );
    expect(unexpected).toEqual([]);
  });
});
