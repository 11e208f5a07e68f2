/**
 * The load generator, run as its own process so its CPU does not mix with the server under test:
 * `tsx bench/lib/load.ts < plan.json` (a LoadPlan) prints one JSON LoadResult line.
 *
 * mode rate: open loop at a fixed rate (a request is sent on schedule whether or not earlier ones
 * have answered, so a slow server cannot slow the load down and hide its own latency); latency and
 * TTFB are measured from the moment each request is handed to the socket. mode closed: `concurrency` requests in flight
 * until `total` are done, as fast as the server allows (throughput).
 */
import { Agent, request } from 'node:http';
import { performance } from 'node:perf_hooks';
import { type Distribution, distribution } from './stats.js';

export interface LoadPlan {
  url: string;
  headers: Record<string, string>;
  /** One body, or several sent in turn. */
  bodies: string[];
  mode: 'rate' | 'closed';
  /** rate mode */
  rate?: number;
  durationMs?: number;
  /** Requests in this first stretch are sent but not measured (JIT and connection warm-up). */
  warmupMs?: number;
  /** closed mode */
  concurrency?: number;
  total?: number;
}

export interface LoadResult {
  sent: number;
  errors: number;
  statuses: Record<string, number>;
  elapsedMs: number;
  latency: Distribution;
  ttfb: Distribution;
}

const agent = new Agent({ keepAlive: true, maxSockets: Number.POSITIVE_INFINITY });

function once(plan: LoadPlan, body: string): Promise<{ status: number; ttfb: number; latency: number }> {
  return new Promise((resolve, reject) => {
    const sentAt = performance.now();
    const req = request(plan.url, {
      method: 'POST',
      agent,
      headers: {
        'content-type': 'application/json',
        'content-length': Buffer.byteLength(body),
        ...plan.headers,
      },
    });
    req.on('response', (res) => {
      let ttfb = -1;
      res.on('data', () => {
        if (ttfb < 0) ttfb = performance.now() - sentAt;
      });
      res.on('end', () =>
        resolve({ status: res.statusCode ?? 0, ttfb, latency: performance.now() - sentAt }),
      );
      res.on('error', reject);
    });
    req.on('error', reject);
    req.end(body);
  });
}

async function run(plan: LoadPlan): Promise<LoadResult> {
  const latencies: number[] = [];
  const ttfbs: number[] = [];
  const statuses: Record<string, number> = {};
  let errors = 0;
  let sent = 0;
  const record = (measured: boolean) => (result: { status: number; ttfb: number; latency: number }) => {
    statuses[result.status] = (statuses[result.status] ?? 0) + 1;
    if (result.status >= 400) errors++;
    if (measured && result.status < 400) {
      latencies.push(result.latency);
      ttfbs.push(result.ttfb);
    }
  };
  const failed = (error: NodeJS.ErrnoException) => {
    errors++;
    const code = error.code ?? error.message;
    statuses[code] = (statuses[code] ?? 0) + 1; // reported with the statuses: why it failed
  };
  const bodyFor = (i: number) => plan.bodies[i % plan.bodies.length] as string;
  const start = performance.now();

  if (plan.mode === 'closed') {
    const total = plan.total ?? 0;
    const worker = async () => {
      while (sent < total) {
        const i = sent++;
        await once(plan, bodyFor(i)).then(record(true), failed);
      }
    };
    await Promise.all(Array.from({ length: plan.concurrency ?? 1 }, worker));
  } else {
    const rate = plan.rate ?? 100;
    const total = Math.round(((plan.durationMs ?? 1000) / 1000) * rate);
    const warmup = Math.round(((plan.warmupMs ?? 0) / 1000) * rate);
    const interval = 1000 / rate;
    const pending: Promise<void>[] = [];
    await new Promise<void>((done) => {
      const tick = () => {
        const due = Math.min(total, Math.floor((performance.now() - start) / interval) + 1);
        while (sent < due) {
          const i = sent++;
          pending.push(once(plan, bodyFor(i)).then(record(i >= warmup), failed));
        }
        if (sent < total) setTimeout(tick, Math.max(0, start + sent * interval - performance.now()));
        else done();
      };
      tick();
    });
    await Promise.all(pending);
  }
  return {
    sent,
    errors,
    statuses,
    elapsedMs: performance.now() - start,
    latency: distribution(latencies),
    ttfb: distribution(ttfbs),
  };
}

let input = '';
for await (const chunk of process.stdin) input += chunk;
const plan = JSON.parse(input) as LoadPlan;
process.stdout.write(`${JSON.stringify(await run(plan))}\n`);
agent.destroy();
