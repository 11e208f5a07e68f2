/**
 * The dashboard's static files as served: the page at `/` (revalidated on every load: `no-cache`
 * with an ETag) referencing its script and style sheet by content-hashed paths, which are cached
 * for a year (`immutable`), so a new llmdev version can never be mixed with a cached old script.
 * Every response carries a strict Content-Security-Policy (same-origin script, style and fetch
 * only; no inline code, no frames, no form posts), and is gzipped when the browser accepts it.
 * The files contain no secret: the token is typed into the page, never served with it.
 */
import { createHash } from 'node:crypto';
import { gzipSync } from 'node:zlib';
import type { Handler } from '../http/context.js';
import { WEB_FILES } from './web-files.generated.js';

export interface WebAsset {
  path: string;
  contentType: string;
  cacheControl: string;
  body: Buffer;
  gzipped: Buffer;
  /** Weak: the same for the plain and the gzipped bytes. */
  etag: string;
}

export const CONTENT_SECURITY_POLICY = [
  "default-src 'none'",
  "script-src 'self'",
  "style-src 'self'",
  "img-src 'self' data:",
  "connect-src 'self'",
  "base-uri 'none'",
  "form-action 'none'",
  "frame-ancestors 'none'",
].join('; ');

const SECURITY_HEADERS = {
  'content-security-policy': CONTENT_SECURITY_POLICY,
  'x-content-type-options': 'nosniff',
  'referrer-policy': 'no-referrer',
  'x-frame-options': 'DENY',
  'cross-origin-opener-policy': 'same-origin',
  'cross-origin-resource-policy': 'same-origin',
} as const;

const IMMUTABLE = 'public, max-age=31536000, immutable';

function asset(path: string, text: string, contentType: string, cacheControl: string): WebAsset {
  const body = Buffer.from(text, 'utf8');
  const hash = createHash('sha256').update(body).digest('hex');
  return { path, contentType, cacheControl, body, gzipped: gzipSync(body), etag: `W/"${hash.slice(0, 32)}"` };
}

function hashedPath(name: string, text: string): string {
  const hash = createHash('sha256').update(text).digest('hex').slice(0, 12);
  const dot = name.lastIndexOf('.');
  return `/dashboard/${name.slice(0, dot)}.${hash}${name.slice(dot)}`;
}

function file(files: Readonly<Record<string, string>>, name: string): string {
  const text = files[name];
  if (text === undefined) throw new Error(`dashboard: ${name} is missing from the embedded web files`);
  return text;
}

/** The page and its hashed script and style sheet. */
export function webAssets(files: Readonly<Record<string, string>> = WEB_FILES): WebAsset[] {
  const css = file(files, 'dashboard.css');
  const js = file(files, 'dashboard.js');
  const cssAsset = asset(hashedPath('dashboard.css', css), css, 'text/css; charset=utf-8', IMMUTABLE);
  const jsAsset = asset(hashedPath('dashboard.js', js), js, 'text/javascript; charset=utf-8', IMMUTABLE);
  let html = file(files, 'index.html');
  for (const [plain, hashed] of [
    ['/dashboard/dashboard.css', cssAsset.path],
    ['/dashboard/dashboard.js', jsAsset.path],
  ] as const) {
    if (!html.includes(`"${plain}"`)) throw new Error(`dashboard: index.html does not reference ${plain}`);
    html = html.replace(`"${plain}"`, `"${hashed}"`);
  }
  return [asset('/', html, 'text/html; charset=utf-8', 'no-cache'), cssAsset, jsAsset];
}

export function assetHandler(served: WebAsset): Handler {
  return ({ req, res }) => {
    const headers = {
      ...SECURITY_HEADERS,
      'content-type': served.contentType,
      'cache-control': served.cacheControl,
      etag: served.etag,
      vary: 'accept-encoding',
    };
    const known = (req.headers['if-none-match'] ?? '').split(',').map((tag) => tag.trim());
    if (known.includes(served.etag) || known.includes('*')) {
      res.writeHead(304, headers);
      res.end();
      return;
    }
    const gzip = /\bgzip\b/.test(req.headers['accept-encoding'] ?? '');
    const body = gzip ? served.gzipped : served.body;
    res.writeHead(200, {
      ...headers,
      'content-length': body.length,
      ...(gzip ? { 'content-encoding': 'gzip' } : {}),
    });
    res.end(body);
  };
}
