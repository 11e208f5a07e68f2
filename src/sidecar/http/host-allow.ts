/**
 * The Host allow-list, against DNS rebinding: a web page whose own name is made to resolve to
 * 127.0.0.1 could otherwise read the sidecar's open routes (`/healthz`, `/metrics`) from the user's
 * browser. The browser sends that page's name as Host, so only the names the sidecar is really
 * reached by are answered: localhost, the Compose service name, the configured extras
 * (`sidecar.allowedHosts`), and IP literals (a page cannot be served from an address it does not
 * own, so a literal is never a rebinding). No Host at all (HTTP/1.0, the Compose healthcheck) is
 * not a browser. Anything else: 421 Misdirected Request.
 */
import { CONFIG_FILE } from '../../config/load.js';
import { sendError } from './errors.js';
import type { RequestListener } from './router.js';

const IPV4 = /^\d{1,3}(\.\d{1,3}){3}$/;
const IPV6 = /^\[[0-9a-f:.]+\]$/;

/** The host name of a Host header value: lower case, without port or trailing dot. Pure. */
export function hostName(header: string): string {
  const value = header.trim().toLowerCase();
  const end = value.startsWith('[') ? value.indexOf(']') + 1 : value.lastIndexOf(':');
  const name = end > 0 ? value.slice(0, end) : value;
  return name.endsWith('.') ? name.slice(0, -1) : name;
}

/** Whether a request with this Host header is answered. Pure. */
export function hostAllowed(header: string | undefined, names: ReadonlySet<string>): boolean {
  if (header === undefined) return true;
  const name = hostName(header);
  return names.has(name) || IPV4.test(name) || IPV6.test(name);
}

export function allowedHostNames(serviceName: string, extras: readonly string[]): ReadonlySet<string> {
  return new Set(['localhost', serviceName, ...extras.map((extra) => hostName(extra))]);
}

export function requireAllowedHost(names: ReadonlySet<string>, listener: RequestListener): RequestListener {
  const listed = [...names].join(', ');
  return (req, res) => {
    if (hostAllowed(req.headers.host, names)) {
      listener(req, res);
      return;
    }
    sendError(res, req.headers['anthropic-version'] === undefined ? 'openai' : 'anthropic', {
      status: 421,
      kind: 'misdirected',
      message:
        `The llmdev sidecar does not answer to Host ${JSON.stringify((req.headers.host ?? '').slice(0, 100))}: ` +
        `only ${listed} or an IP address (a guard against DNS rebinding). ` +
        `If you reach it by another name, add that name to sidecar.allowedHosts in ${CONFIG_FILE}.`,
      headers: { connection: 'close' },
    });
  };
}
