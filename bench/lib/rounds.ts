/**
 * The latency rounds of bench/proxy.ts: the same fixed-rate load sent to each path in turn (direct,
 * the floor proxy, the sidecar...), alternating in rounds so drift on a shared machine hits all
 * alike; then each proxy's added latency and CPU per call, absolute and as a ratio to the floor's.
 */
import type { LoadResult } from './load.js';
import { cpuMs, runLoad } from './processes.js';
import { type Distribution, distribution, ms } from './stats.js';

export interface Target {
  url: string;
  headers: Record<string, string>;
}

export interface RoundsPlan {
  rate: number;
  rounds: number;
  seconds: number;
  /** `direct` first, then `floor`, then the proxies under test. */
  targets: Record<string, Target>;
  /** Processes whose CPU time is measured, by path. */
  pids: Record<string, number>;
  body: (stream: boolean) => string;
  /** Which request kinds each round sends: non-streaming, streaming or both. */
  streams: readonly boolean[];
}

export interface RoundsResult {
  rate: number;
  plan: RoundsPlan;
  results: Record<string, LoadResult[]>;
  cpu: Record<string, { ms: number; calls: number }>;
  /** Requests sent through the sidecar. */
  proxied: number;
}

export async function latencyRounds(plan: RoundsPlan): Promise<RoundsResult> {
  const results: Record<string, LoadResult[]> = {};
  const cpu: Record<string, { ms: number; calls: number }> = {};
  let proxied = 0;
  for (let round = 0; round < plan.rounds; round++) {
    for (const stream of plan.streams) {
      for (const [path, target] of Object.entries(plan.targets)) {
        const pid = plan.pids[path];
        const cpuBefore = pid === undefined ? 0 : cpuMs(pid);
        const result = await runLoad<LoadResult>({
          ...target,
          bodies: [plan.body(stream)],
          mode: 'rate',
          rate: plan.rate,
          durationMs: plan.seconds * 1000,
          warmupMs: round === 0 ? 1000 : 0,
        });
        if (result.errors > 0) throw new Error(`${path} load had errors: ${JSON.stringify(result.statuses)}`);
        const key = `${path} ${stream ? 'stream' : 'json'}`;
        if (pid !== undefined) {
          const spent = cpu[key] ?? { ms: 0, calls: 0 };
          spent.ms += cpuMs(pid) - cpuBefore;
          spent.calls += result.sent;
          cpu[key] = spent;
        }
        if (path === 'sidecar') proxied += result.sent;
        results[key] = [...(results[key] ?? []), result];
      }
    }
  }
  return { rate: plan.rate, plan, results, cpu, proxied };
}

/** Rounds are pooled by their percentiles' median, so one noisy round does not dominate. */
function pooled(runs: readonly LoadResult[], pick: (r: LoadResult) => Distribution) {
  const values = runs.map(pick);
  const median = (select: (d: Distribution) => number) => distribution(values.map(select)).p50;
  return {
    p50: median((d) => d.p50),
    p99: median((d) => d.p99),
    rounds: values.map((d) => d.p99.toFixed(1)).join(' '),
  };
}

const ratio = (value: number, floor: number) => (floor > 0 ? `${(value / floor).toFixed(2)}×` : 'n/a');

/** Prints the rounds' table; returns the sidecar's figures (and their ratios to the floor) by name. */
export function reportRounds(result: RoundsResult, labelWidth: number): Record<string, number> {
  const { plan, results, cpu } = result;
  const proxies = Object.keys(plan.targets).filter((path) => path !== 'direct');
  console.log(
    `\nLatency at ${plan.rate} req/s (chat completions, ${plan.rounds} rounds x ${plan.seconds} s per path; median of rounds)`,
  );
  console.log(
    `${' '.repeat(labelWidth)}  direct p50  proxied p50   added p50  ×floor | direct p99  proxied p99   added p99  ×floor | p99 of each round (direct; proxied)`,
  );
  const summary: Record<string, number> = {};
  for (const [label, key, pick] of [
    ['non-streaming', 'json', (r: LoadResult) => r.latency],
    ['streaming (total)', 'stream', (r: LoadResult) => r.latency],
    ['streaming TTFB', 'stream', (r: LoadResult) => r.ttfb],
  ] as const) {
    if (!results[`direct ${key}`]) continue;
    const direct = pooled(results[`direct ${key}`] ?? [], pick);
    const floor = pooled(results[`floor ${key}`] ?? [], pick);
    const floorAdded = { p50: floor.p50 - direct.p50, p99: floor.p99 - direct.p99 };
    for (const proxy of proxies) {
      const through = pooled(results[`${proxy} ${key}`] ?? [], pick);
      const added = { p50: through.p50 - direct.p50, p99: through.p99 - direct.p99 };
      if (proxy === 'sidecar') {
        summary[`${plan.rate} ${label} added p50`] = added.p50;
        summary[`${plan.rate} ${label} added p99`] = added.p99;
        summary[`${plan.rate} ${label} added p50 x floor`] = added.p50 / floorAdded.p50;
        summary[`${plan.rate} ${label} added p99 x floor`] = added.p99 / floorAdded.p99;
      }
      const name = `${label}, ${proxy}`;
      const p50Ratio = proxy === 'floor' ? '' : ratio(added.p50, floorAdded.p50);
      const p99Ratio = proxy === 'floor' ? '' : ratio(added.p99, floorAdded.p99);
      console.log(
        `${name.padEnd(labelWidth)} ${ms(direct.p50).padStart(11)} ${ms(through.p50).padStart(12)} ${ms(added.p50).padStart(11)} ${p50Ratio.padStart(7)} | ${ms(direct.p99).padStart(10)} ${ms(through.p99).padStart(12)} ${ms(added.p99).padStart(11)} ${p99Ratio.padStart(7)} | ${direct.rounds}; ${through.rounds}`,
      );
    }
  }
  for (const [key, spent] of Object.entries(cpu)) {
    // CPU time (user + system, from /proc) is less sensitive to the machine's load than latency.
    const perCall = (spent.ms / spent.calls) * 1000;
    const floorCpu = cpu[`floor ${key.split(' ')[1]}`];
    const floorPerCall = floorCpu ? (floorCpu.ms / floorCpu.calls) * 1000 : 0;
    const vsFloor = key.startsWith('floor') ? '' : ` (${ratio(perCall, floorPerCall)} the floor's)`;
    if (key.startsWith('sidecar')) {
      summary[`${plan.rate} ${key} cpu us`] = perCall;
      summary[`${plan.rate} ${key} cpu x floor`] = perCall / floorPerCall;
    }
    console.log(`  ${key}: ${perCall.toFixed(0)} µs of CPU per call${vsFloor}`);
  }
  return summary;
}
