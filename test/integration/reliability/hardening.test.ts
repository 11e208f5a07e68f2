/**
 * Hardening of the sidecar process and of the generated compose file (the running containers are
 * checked in test/e2e/reliability/containers.test.ts): header limits and unparsable requests
 * answered in JSON (431/400), the server's slow-client timeouts set, no route that reaches the
 * filesystem (dashboard assets come from memory), its files private even under a permissive umask,
 * and the sidecar service unprivileged. The body limit (413, with and without Content-Length) is
 * tested in test/integration/sidecar/access.test.ts.
 */
import { stat } from 'node:fs/promises';
import type { AddressInfo } from 'node:net';
import { join } from 'node:path';
import { parse as parseYaml } from 'yaml';
import { generateFiles } from '../../../src/generate/index.js';
import { CONFIG_VARIANTS, TEST_CONTEXT, variantConfig } from '../../fixtures/config-variants.js';
import { call, type Harness, startHarness, TOKEN } from '../sidecar/harness.js';
import { rawExchange } from './lib/raw-http.js';

let h: Harness;
let port: number;
const umask = process.umask(0); // the sidecar must set its modes itself, whatever the umask
beforeAll(async () => {
  h = await startHarness({ config: { sidecar: { jsonlMirror: true, storeBodies: true } } });
  port = (h.sidecar.server.address() as AddressInfo).port;
});
afterAll(async () => {
  await h.close();
  process.umask(umask);
});

const request = (head: string, body = '') =>
  Buffer.from(`${head}\r\nhost: 127.0.0.1\r\nconnection: close\r\n\r\n${body}`, 'latin1');

describe('header limits and unparsable requests', () => {
  it('431 in JSON for headers over 16 KiB, in one header or many', async () => {
    for (const headers of [
      `authorization: Bearer ${TOKEN}\r\nx-big: ${'a'.repeat(17_000)}`,
      Array.from({ length: 200 }, (_, i) => `x-h${i}: ${'b'.repeat(100)}`).join('\r\n'),
    ]) {
      const { response } = await rawExchange(port, request(`GET /v1/usage/summary HTTP/1.1\r\n${headers}`));
      expect(response?.status).toBe(431);
      expect(JSON.parse(response?.body.toString() ?? '')).toEqual({
        error: {
          type: 'invalid_request_error',
          code: null,
          param: null,
          message: 'Request headers are larger than the sidecar accepts (16 KiB in all)',
        },
      });
    }
  });

  it('400 in JSON for what HTTP cannot parse: bad request line, unknown method, bad framing', async () => {
    for (const bytes of [
      Buffer.from('NOT HTTP AT ALL\r\n\r\n'),
      request('BREW /v1/models HTTP/1.1'),
      request(
        `POST /v1/usage HTTP/1.1\r\nauthorization: Bearer ${TOKEN}\r\ntransfer-encoding: chunked`,
        'zz\r\n{}\r\n0\r\n\r\n',
      ),
      request('POST /v1/usage HTTP/1.1\r\ncontent-length: 2\r\ntransfer-encoding: chunked', '{}'),
      request('GET /v1/models HTTP/1.1\r\nx-bad: a\u0000b'),
    ]) {
      const { response } = await rawExchange(port, bytes);
      expect(response?.status).toBe(400);
      expect(response?.headers['content-type']).toBe('application/json');
      expect(JSON.parse(response?.body.toString() ?? '').error.message).toMatch(
        /^Malformed HTTP request \(HPE_/,
      );
    }
  });

  it('a GET answered before its malformed body still gets its answer, then the connection closes', async () => {
    const { response, timedOut } = await rawExchange(
      port,
      request('GET /healthz HTTP/1.1\r\ntransfer-encoding: chunked', 'zz\r\nx\r\n0\r\n\r\n'),
    );
    expect(timedOut).toBe(false);
    expect(response?.status).toBe(200);
    expect(JSON.parse(response?.body.toString() ?? '')).toMatchObject({ status: 'ok' });
  });

  it('keeps node:http timeouts against slow clients (headers within 60 s, a whole request within 300 s)', () => {
    const { server } = h.sidecar;
    expect(server.headersTimeout).toBeGreaterThan(0);
    expect(server.headersTimeout).toBeLessThanOrEqual(60_000);
    expect(server.requestTimeout).toBeGreaterThan(0);
    expect(server.requestTimeout).toBeLessThanOrEqual(300_000);
  });
});

describe('paths', () => {
  it('no path reaches a file on disk: traversal, encodings and real file names are all 404', async () => {
    const paths = [
      '/package.json',
      '/src/sidecar/server.ts',
      '/.git/config',
      '/dashboard/',
      '/dashboard/../package.json',
      '/dashboard/%2e%2e/%2e%2e/package.json',
      '/dashboard/..%2f..%2fpackage.json',
      '/dashboard/index.html',
      '//etc/passwd',
      '/v1/usage/records/../../../etc/passwd',
      `/${'..%2f'.repeat(10)}etc/passwd`,
      '/index.html',
      '/.%2e/.%2e/etc/passwd',
      '/\\..\\..\\package.json',
    ];
    for (const path of paths) {
      const { response } = await rawExchange(
        port,
        request(`GET ${path} HTTP/1.1\r\nauthorization: Bearer ${TOKEN}`),
      );
      const body = response?.body.toString() ?? '';
      expect([path, response?.status]).toEqual([path, 404]);
      expect(body).not.toContain('"name": "llmdev"');
      expect(body).not.toContain('root:');
    }
  });
});

describe('file modes', () => {
  it('usage.db (and its WAL), the data dir and the JSONL mirror are private, even with umask 0', async () => {
    const res = await call(h, '/v1/chat/completions', {
      json: { model: 'gpt-4o-mini', messages: [{ role: 'user', content: 'hi' }] },
    });
    expect(res.status).toBe(200);
    const day = new Date().toISOString().slice(0, 10);
    const modeOf = async (path: string) => ((await stat(join(h.dataDir, path))).mode & 0o777).toString(8);
    const mirror = `logs/llm_requests_${day}.jsonl`;
    for (let i = 0; i < 100 && !(await stat(join(h.dataDir, mirror)).catch(() => false)); i++) {
      await new Promise((resolve) => setTimeout(resolve, 20));
    }
    expect({
      '.': await modeOf('.'),
      'usage.db': await modeOf('usage.db'),
      'usage.db-wal': await modeOf('usage.db-wal'),
      'usage.db-shm': await modeOf('usage.db-shm'),
      logs: await modeOf('logs'),
      [mirror]: await modeOf(mirror),
    }).toEqual({
      '.': '700',
      'usage.db': '600',
      'usage.db-wal': '600',
      'usage.db-shm': '600',
      logs: '700',
      [mirror]: '600',
    });
  });
});

describe('the generated compose file, every config variant', () => {
  interface Service {
    user?: string;
    read_only?: boolean;
    cap_drop?: string[];
    cap_add?: string[];
    security_opt?: string[];
    privileged?: boolean;
    network_mode?: string;
    ports?: string[];
    tmpfs?: string[];
  }
  it.each(Object.keys(CONFIG_VARIANTS))(
    '%s: the sidecar runs unprivileged on a read-only root, published on 127.0.0.1 only',
    (variant) => {
      const file = generateFiles(variantConfig(variant), TEST_CONTEXT).find((f) =>
        f.path.endsWith('compose.yaml'),
      );
      const { services } = parseYaml(file?.content ?? '') as { services: Record<string, Service> };
      const sidecar = services['usage-logger'] as Service;
      expect(sidecar).toMatchObject({
        // biome-ignore lint/suspicious/noTemplateCurlyInString: Compose interpolation, not JavaScript
        user: '${LLMDEV_UID:-1000}:${LLMDEV_GID:-1000}',
        read_only: true,
        cap_drop: ['ALL'],
        security_opt: ['no-new-privileges:true'],
        tmpfs: ['/tmp'],
      });
      for (const service of Object.values(services)) {
        expect(service.privileged).toBeUndefined();
        expect(service.cap_add).toBeUndefined();
        expect(service.network_mode).toBeUndefined();
        expect(service.user ?? '').not.toMatch(/^(root|0)(:|$)/);
        for (const port of service.ports ?? []) expect(port).toMatch(/^127\.0\.0\.1:/);
      }
    },
  );
});
