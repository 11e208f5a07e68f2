/**
 * The soak: `llmdev sidecar` (a child process, live against the fake provider) under a long run of
 * mixed traffic (non-streaming and streaming calls of both APIs, and ingest batches), closed loop
 * at a fixed concurrency. Latency and the sidecar's RSS are measured per slice of the run, so the
 * first and last slices show whether anything grows. Used by test/integration/reliability/soak.test.ts
 * (20,000 requests in CI) and bench/soak.ts (200,000+).
 */
import { Agent } from 'node:http';
import { startFakeProvider } from '../../../fixtures/fake-provider.js';
import {
  createSidecarProject,
  inspectDatabase,
  rssMb,
  type StartOptions,
  startSidecar,
} from './sidecar-process.js';
import { acknowledged, type CallKind, ingest, type Outcome, proxiedCall } from './traffic.js';

export interface SoakOptions extends StartOptions {
  total: number;
  concurrency: number;
  /** How many slices the run is measured in. */
  slices: number;
  log?: (line: string) => void;
}

/** Milliseconds. */
export interface Percentiles {
  p50: number;
  p99: number;
}

export interface Slice {
  /** Requests completed at the end of the slice, and in it. */
  done: number;
  requests: number;
  rssMb: number;
  seconds: number;
  /** Latency of non-streaming calls, time to first byte and to the end of streams, ingest latency. */
  call: Percentiles;
  streamTtfb: Percentiles;
  stream: Percentiles;
  ingest: Percentiles;
}

export interface SoakFigures {
  requests: number;
  /** Of which: calls (streaming and not) and ingest batches; records stored in usage.db. */
  mix: Record<string, number>;
  records: number;
  failures: number;
  rssStartMb: number;
  rssMaxMb: number;
  slices: Slice[];
  seconds: number;
  integrity: string;
}

/** The mix, by weight: what a development session sends. */
const MIX: [CallKind | 'ingest', number][] = [
  ['chat', 30],
  ['chat-stream', 25],
  ['messages', 10],
  ['messages-stream', 10],
  ['responses-stream', 5],
  ['ingest', 20],
];
const INGEST_BATCH = 10;

function percentiles(samples: number[]): Percentiles {
  const sorted = Float64Array.from(samples).sort();
  const at = (q: number) => sorted[Math.min(sorted.length - 1, Math.floor(q * sorted.length))] ?? Number.NaN;
  return { p50: at(0.5), p99: at(0.99) };
}

export async function runSoak(options: SoakOptions): Promise<SoakFigures> {
  const log = options.log ?? (() => undefined);
  const fake = await startFakeProvider({ recordLimit: 0 });
  const project = await createSidecarProject(fake.url);
  const sidecar = await startSidecar(project, options);
  const agent = new Agent({ keepAlive: true, maxSockets: options.concurrency });
  const weights = MIX.reduce((sum, [, weight]) => sum + weight, 0);
  const pick = (i: number): CallKind | 'ingest' => {
    // A fixed interleaving (not random): every slice gets the same mix.
    let slot = (i * 37) % weights;
    for (const [kind, weight] of MIX) {
      if (slot < weight) return kind;
      slot -= weight;
    }
    return 'chat';
  };
  const mix: Record<string, number> = {};
  let failures = 0;
  let sent = 0;
  let done = 0;
  let nextRecord = 0;
  const started = performance.now();
  const sliceSize = Math.ceil(options.total / options.slices);
  const slices: Slice[] = [];
  let samples = {
    call: [] as number[],
    streamTtfb: [] as number[],
    stream: [] as number[],
    ingest: [] as number[],
  };
  let sliceStarted = started;
  let rssMax = 0;

  const closeSlice = () => {
    const rss = rssMb(sidecar.pid);
    rssMax = Math.max(rssMax, rss);
    const slice: Slice = {
      done,
      requests: done - (slices.at(-1)?.done ?? 0),
      rssMb: rss,
      seconds: (performance.now() - sliceStarted) / 1000,
      call: percentiles(samples.call),
      streamTtfb: percentiles(samples.streamTtfb),
      stream: percentiles(samples.stream),
      ingest: percentiles(samples.ingest),
    };
    slices.push(slice);
    log(formatSlice(slices.length, slice));
    samples = { call: [], streamTtfb: [], stream: [], ingest: [] };
    sliceStarted = performance.now();
  };

  try {
    const rssStart = rssMb(sidecar.pid);
    const worker = async () => {
      while (sent < options.total) {
        const kind = pick(sent++);
        mix[kind] = (mix[kind] ?? 0) + 1;
        let outcome: Outcome;
        if (kind === 'ingest') {
          const ids = Array.from({ length: INGEST_BATCH }, () => `soak-${nextRecord++}`);
          outcome = await ingest(sidecar.url, agent, ids);
          samples.ingest.push(outcome.latencyMs);
        } else {
          outcome = await proxiedCall(sidecar.url, agent, kind);
          if (kind.endsWith('-stream')) {
            samples.streamTtfb.push(outcome.ttfbMs);
            samples.stream.push(outcome.latencyMs);
          } else samples.call.push(outcome.latencyMs);
        }
        if (!acknowledged(outcome)) failures++;
        if (++done % sliceSize === 0 || done === options.total) closeSlice();
      }
    };
    await Promise.all(Array.from({ length: options.concurrency }, worker));
    const seconds = (performance.now() - started) / 1000;
    agent.destroy();
    await sidecar.stop();
    const { integrity, ids } = inspectDatabase(project.databaseFile);
    return {
      requests: done,
      mix,
      records: ids.length,
      failures,
      rssStartMb: rssStart,
      rssMaxMb: rssMax,
      slices,
      seconds,
      integrity,
    };
  } finally {
    agent.destroy();
    await sidecar.kill9();
    await fake.close();
    await project.remove();
  }
}

const ms = (p: Percentiles) => `${p.p50.toFixed(2)}/${p.p99.toFixed(2)}`;

function formatSlice(n: number, slice: Slice): string {
  return `  slice ${String(n).padStart(2)}: ${String(slice.done).padStart(7)} requests  RSS ${slice.rssMb.toFixed(1).padStart(6)} MB  p50/p99 ms: call ${ms(slice.call)}  stream ttfb ${ms(slice.streamTtfb)}  stream ${ms(slice.stream)}  ingest ${ms(slice.ingest)}  (${(slice.requests / slice.seconds).toFixed(0)} req/s)`;
}

export function formatSoakFigures(f: SoakFigures): string {
  const first = f.slices[0];
  const last = f.slices.at(-1);
  const lines = [
    `soak: ${f.requests} requests in ${f.seconds.toFixed(1)} s (${(f.requests / f.seconds).toFixed(0)} req/s), ${Object.entries(
      f.mix,
    )
      .map(([kind, n]) => `${kind} ${n}`)
      .join(', ')}; failures ${f.failures}`,
    `  usage.db: ${f.records} records, integrity_check ${f.integrity}`,
    `  sidecar RSS: ${f.rssStartMb.toFixed(1)} MB at start, ${first?.rssMb.toFixed(1)} MB after the first slice, ${last?.rssMb.toFixed(1)} MB at the end, max ${f.rssMaxMb.toFixed(1)} MB`,
    `  first slice p50/p99 ms: call ${first ? ms(first.call) : '-'}, stream ttfb ${first ? ms(first.streamTtfb) : '-'}, ingest ${first ? ms(first.ingest) : '-'}`,
    `  last slice  p50/p99 ms: call ${last ? ms(last.call) : '-'}, stream ttfb ${last ? ms(last.streamTtfb) : '-'}, ingest ${last ? ms(last.ingest) : '-'}`,
  ];
  return lines.join('\n');
}
