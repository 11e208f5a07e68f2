/**
 * The floor: the least a Node proxy can add to a call (keep-alive agent, `pipe`, nothing else).
 * `tsx bench/lib/floor-proxy.ts <upstream port>` prints `{"listening":<port>}`. bench/proxy.ts runs
 * it in the same interleaved rounds as the sidecar and prints the sidecar's figures as ratios to
 * this one's, so the target holds on a noisy machine where absolute times drift.
 */
import { Agent, createServer, request } from 'node:http';

const upstreamPort = Number(process.argv[2]);
const agent = new Agent({ keepAlive: true, maxSockets: Number.POSITIVE_INFINITY });

const server = createServer((req, res) => {
  const forward = request(
    { host: '127.0.0.1', port: upstreamPort, method: req.method, path: req.url, headers: req.headers, agent },
    (answer) => {
      res.writeHead(answer.statusCode ?? 502, answer.headers);
      answer.pipe(res);
    },
  );
  forward.on('error', () => res.destroy());
  req.pipe(forward);
});
server.keepAliveTimeout = 60_000;
server.listen(0, '127.0.0.1', () => {
  const address = server.address();
  console.log(JSON.stringify({ listening: typeof address === 'object' && address ? address.port : 0 }));
});
