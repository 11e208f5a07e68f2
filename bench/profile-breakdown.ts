/**
 * `tsx bench/profile-breakdown.ts <file.cpuprofile>...`: a V8 CPU profile of the sidecar (taken with
 * `BENCH_SIDECAR_NODE_FLAGS="... --cpu-prof --cpu-prof-dir=DIR" npm run bench`) as the share of
 * CPU time per part of a call. Each sample goes to the part of the nearest frame on its stack that
 * is ours (so `JSON.parse` called by the request parser counts as parsing, a socket write called by
 * the relay as response writing); samples with no frame of ours are Node's own HTTP and socket work,
 * the work the floor proxy does too. Samples before the first one inside a call (start-up) are left out.
 */
import { readFileSync } from 'node:fs';

interface ProfileNode {
  id: number;
  callFrame: { functionName: string; url: string };
  children?: number[];
}

interface Profile {
  nodes: ProfileNode[];
  samples: number[];
  timeDeltas: number[];
}

const PARTS: readonly [string, RegExp][] = [
  ['request parsing, auth and routing', /\/sidecar\/(proxy\/call-request|http\/)/],
  ['guards (budgets, limits, cache)', /\/sidecar\/(proxy\/guards|limits|budgets|cache)\//],
  ['usage extraction and estimates', /\/usage\/|js-tiktoken/],
  ['pricing', /\/pricing\/|genai-prices/],
  ['record building', /\/sidecar\/(proxy\/record|store\/rows|ids)\.|\/redact\//],
  ['SQLite commit', /\/sidecar\/store\/|better-sqlite3/],
  ['forwarding upstream', /\/sidecar\/proxy\/upstream\./],
  ['response relay and writing', /\/sidecar\/(proxy\/(exchange|headers|provider-response)|mock)\W/],
  ['telemetry and logging', /\/sidecar\/(telemetry\/|log\.)|prom-client|opentelemetry/],
  ['pipeline (orchestration)', /\/sidecar\/proxy\/pipeline\./],
  ['other sidecar code', /\/(src|dist)\//],
];

function partOf(frame: ProfileNode['callFrame']): string | null {
  if (frame.functionName === '(garbage collector)') return 'GC';
  if (frame.functionName === '(program)') return 'native, unattributed (program)';
  if (frame.functionName === '(idle)') return 'idle';
  for (const [part, pattern] of PARTS) if (pattern.test(frame.url)) return part;
  return null;
}

export function breakdown(profile: Profile): Map<string, number> {
  const byId = new Map(profile.nodes.map((node) => [node.id, node]));
  const part = new Map<number, string>();
  const visit = (node: ProfileNode, inherited: string) => {
    const mine = partOf(node.callFrame) ?? inherited;
    part.set(node.id, mine);
    for (const child of node.children ?? []) {
      const next = byId.get(child);
      if (next) visit(next, mine);
    }
  };
  const root = profile.nodes[0];
  if (root) visit(root, "node's HTTP and sockets (the floor's work too)");
  const micros = new Map<string, number>();
  // Start-up (config, migrations) is not per call: count from the first sample inside a call.
  const first = profile.samples.findIndex((id) => part.get(id) === 'pipeline (orchestration)');
  profile.samples.forEach((id, i) => {
    if (i < first) return;
    const name = part.get(id) ?? 'unknown';
    micros.set(name, (micros.get(name) ?? 0) + (profile.timeDeltas[i] ?? 0));
  });
  return micros;
}

if (import.meta.url === `file://${process.argv[1]}`) {
  for (const file of process.argv.slice(2)) {
    const micros = breakdown(JSON.parse(readFileSync(file, 'utf8')) as Profile);
    const busy = [...micros].filter(([name]) => name !== 'idle').reduce((sum, [, us]) => sum + us, 0);
    console.log(`${file}: ${(busy / 1000).toFixed(0)} ms busy`);
    for (const [name, us] of [...micros].sort((a, b) => b[1] - a[1])) {
      if (name === 'idle') continue;
      console.log(`  ${name.padEnd(48)} ${((us / busy) * 100).toFixed(1).padStart(5)}%`);
    }
  }
}
