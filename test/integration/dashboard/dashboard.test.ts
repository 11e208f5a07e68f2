/**
 * The dashboard against a real sidecar: the page and its assets (content types, caching, CSP,
 * no secret in them), the token on every data route, the live stream pushing each committed
 * record, the cost series, and the embedded web files in step with src/sidecar/dashboard/web/.
 */
import { gunzipSync } from 'node:zlib';
import { readWebFiles } from '../../../scripts/dashboard-assets.js';
import { WEB_FILES } from '../../../src/sidecar/dashboard/web-files.generated.js';
import { ANTHROPIC_KEY, call, type Harness, OPENAI_KEY, startHarness, TOKEN } from '../sidecar/harness.js';
import { openEventStream } from './event-stream.js';

let h: Harness;
beforeAll(async () => {
  h = await startHarness();
});
afterAll(() => h.close());

const get = (path: string, headers: Record<string, string> = {}) => fetch(`${h.url}${path}`, { headers });

async function page(): Promise<{ html: string; script: string; style: string; response: Response }> {
  const response = await get('/');
  const html = await response.text();
  const script = /<script type="module" src="([^"]+)"/.exec(html)?.[1];
  const style = /<link rel="stylesheet" href="([^"]+)"/.exec(html)?.[1];
  if (!script || !style) throw new Error(`page without script or style:\n${html}`);
  return { html, script, style, response };
}

describe('the page and its assets', () => {
  it('serves the page at / without a token, revalidated on each load, under a strict CSP', async () => {
    const { response, html } = await page();
    expect(response.status).toBe(200);
    expect(response.headers.get('content-type')).toBe('text/html; charset=utf-8');
    expect(response.headers.get('cache-control')).toBe('no-cache');
    const csp = response.headers.get('content-security-policy') ?? '';
    expect(csp).toContain("default-src 'none'");
    expect(csp).toContain("script-src 'self'");
    expect(csp).toContain("style-src 'self'");
    expect(csp).toContain("connect-src 'self'");
    expect(csp).toContain("frame-ancestors 'none'");
    expect(csp).not.toContain('unsafe');
    expect(response.headers.get('x-content-type-options')).toBe('nosniff');
    expect(response.headers.get('referrer-policy')).toBe('no-referrer');
    // No inline script or style for the CSP to allow, and nothing fetched from elsewhere.
    expect(html).not.toMatch(/<script(?![^>]*\bsrc=)[^>]*>/);
    expect(html).not.toMatch(/\sstyle=|<style/);
    expect(html).not.toMatch(/https?:\/\//);
    expect(html).toMatch(/<label for="token">/);
  });

  it('serves the script and style sheet at content-hashed paths, cached for good', async () => {
    const { script, style } = await page();
    expect(script).toMatch(/^\/dashboard\/dashboard\.[0-9a-f]{12}\.js$/);
    expect(style).toMatch(/^\/dashboard\/dashboard\.[0-9a-f]{12}\.css$/);
    const js = await get(script);
    expect(js.status).toBe(200);
    expect(js.headers.get('content-type')).toBe('text/javascript; charset=utf-8');
    expect(js.headers.get('cache-control')).toBe('public, max-age=31536000, immutable');
    expect(await js.text()).toBe(WEB_FILES['dashboard.js']);
    const css = await get(style);
    expect(css.headers.get('content-type')).toBe('text/css; charset=utf-8');
    expect(await css.text()).toBe(WEB_FILES['dashboard.css']);
    expect((await get('/dashboard/dashboard.js')).status).toBe(404); // only the hashed name exists
  });

  it('answers 304 to a matching If-None-Match and gzips for clients that accept it', async () => {
    const { response, script } = await page();
    const etag = response.headers.get('etag') ?? '';
    expect(etag).toMatch(/^W\/"[0-9a-f]{32}"$/);
    const again = await get('/', { 'if-none-match': etag });
    expect(again.status).toBe(304);
    expect(await again.text()).toBe('');

    // node's fetch decodes gzip itself: ask over plain http to see the bytes.
    const { request } = await import('node:http');
    const raw = await new Promise<{ headers: Record<string, unknown>; body: Buffer }>((resolve, reject) => {
      request(`${h.url}${script}`, { headers: { 'accept-encoding': 'gzip, br' } }, (res) => {
        const chunks: Buffer[] = [];
        res.on('data', (chunk: Buffer) => chunks.push(chunk));
        res.on('end', () => resolve({ headers: res.headers, body: Buffer.concat(chunks) }));
      })
        .on('error', reject)
        .end();
    });
    expect(raw.headers['content-encoding']).toBe('gzip');
    expect(raw.headers.vary).toBe('accept-encoding');
    expect(gunzipSync(raw.body).toString('utf8')).toBe(WEB_FILES['dashboard.js']);
  });

  it('holds no secret: neither the token nor a provider key is in any served file', async () => {
    const { html, script, style } = await page();
    const served = [html, await (await get(script)).text(), await (await get(style)).text()].join('\n');
    for (const secret of [TOKEN, OPENAI_KEY, ANTHROPIC_KEY]) expect(served).not.toContain(secret);
  });

  it('embeds the web files as they are in src/sidecar/dashboard/web/ (else: npm run dashboard:assets)', () => {
    expect(WEB_FILES).toEqual(readWebFiles());
  });
});

describe('data routes', () => {
  it.each(['/v1/events', '/v1/usage/series', '/v1/usage/summary', '/v1/usage/records'])(
    '%s needs the sidecar token',
    async (path) => {
      const anonymous = await get(path);
      expect(anonymous.status).toBe(401);
      const wrong = await get(path, { authorization: 'Bearer not-the-token' });
      expect(wrong.status).toBe(401);
      await wrong.text();
    },
  );

  it('GET /v1/events pushes each committed record to every listener', async () => {
    const first = await openEventStream(h.url);
    const second = await openEventStream(h.url);
    try {
      expect(first.status).toBe(200);
      expect(first.headers.get('content-type')).toBe('text/event-stream; charset=utf-8');
      await first.next((e) => e.event === 'ready');
      const { response } = await h.openai.chat.completions
        .create({ model: 'gpt-4o-mini', messages: [{ role: 'user', content: 'Hello' }] })
        .withResponse();
      const id = response.headers.get('x-llmdev-request-id');
      for (const stream of [first, second]) {
        const event = await stream.next((e) => e.event === 'record' && JSON.parse(e.data).id === id);
        expect(JSON.parse(event.data)).toMatchObject({
          id,
          provider: 'openai',
          model: 'gpt-4o-mini',
          source: 'proxy',
          status: 200,
          usage: { inputTokens: expect.any(Number), outputTokens: expect.any(Number) },
        });
      }
      // Ingested records too.
      await call(h, '/v1/usage', {
        json: {
          id: 'ingested-1',
          provider: 'anthropic',
          model: 'claude-3-5-haiku-latest',
          usage: { inputTokens: 5, outputTokens: 7 },
        },
      });
      const ingested = await first.next(
        (e) => e.event === 'record' && JSON.parse(e.data).id === 'ingested-1',
      );
      expect(JSON.parse(ingested.data).source).toBe('ingest');
    } finally {
      first.close();
      second.close();
    }
  });

  it('GET /v1/usage/series: cost and calls per model per bucket', async () => {
    await h.anthropic.messages.create({
      model: 'claude-sonnet-4-20250514',
      max_tokens: 50,
      messages: [{ role: 'user', content: 'Hi' }],
    });
    const res = await call(h, '/v1/usage/series?since=24h&bucket=hour');
    expect(res.status).toBe(200);
    const body = (await res.json()) as {
      bucket: string;
      starts: string[];
      series: { model: string; costUsd: number[]; requests: number[] }[];
    };
    expect(body.bucket).toBe('hour');
    expect(body.starts.length).toBeGreaterThanOrEqual(24);
    expect(body.starts.every((start) => start.endsWith(':00:00.000Z'))).toBe(true);
    const sonnet = body.series.find((s) => s.model === 'claude-sonnet-4-20250514');
    expect(sonnet?.costUsd.length).toBe(body.starts.length);
    expect(sonnet?.requests.at(-1)).toBeGreaterThanOrEqual(1);
    expect(sonnet?.costUsd.at(-1)).toBeGreaterThan(0);

    const bad = await call(h, '/v1/usage/series?since=30d&bucket=hour');
    expect(bad.status).toBe(400);
    expect(((await bad.json()) as { error: { message: string } }).error.message).toMatch(/bucket=day/);
    expect((await call(h, '/v1/usage/series?bucket=week')).status).toBe(400);
  });
});

describe('shutdown', () => {
  it('ends the live streams, so closing the sidecar does not wait on them', async () => {
    const other = await startHarness();
    const stream = await openEventStream(other.url);
    await stream.next((e) => e.event === 'ready');
    await other.close();
    await stream.ended;
  });
});
