/** Serves a request listener on a random loopback port for the duration of a test. */
import { createServer } from 'node:http';
import type { AddressInfo } from 'node:net';
import type { Handler } from '../../../src/sidecar/http/context.js';
import { createRouter, type RequestListener, type Route } from '../../../src/sidecar/http/router.js';

export interface Served {
  url: string;
  close(): Promise<void>;
}

export async function serve(listener: RequestListener): Promise<Served> {
  const server = createServer(listener);
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as AddressInfo;
  return {
    url: `http://127.0.0.1:${port}`,
    close: () =>
      new Promise<void>((resolve) => {
        server.closeAllConnections();
        server.close(() => resolve());
      }),
  };
}

/** One POST route at `path` running `handler`, in the given error format. */
export function serveRoute(
  handler: Handler,
  path = '/v1/chat/completions',
  format: Route['format'] = 'openai',
): Promise<Served> {
  return serve(createRouter([{ method: 'POST', path, format, handler }], () => undefined));
}
