/**
 * Containers: each one's log (stdout and stderr, as `docker logs` keeps them, streamed) and its
 * metadata (`docker inspect`: environment, labels, command), where values passed as compose
 * `environment:`, `remoteEnv` or `containerEnv` end up.
 */
import { execa } from 'execa';
import { at, type FindingSet, type SourceStats } from './findings.js';
import type { ScanRules } from './matcher.js';
import { scanStream } from './stream.js';

export interface ContainerRef {
  id: string;
  name: string;
}

export async function scanContainers(
  containers: readonly ContainerRef[],
  rules: ScanRules,
  findings: FindingSet,
): Promise<SourceStats> {
  const started = performance.now();
  let bytes = 0;
  for (const container of containers) {
    const logs = execa('docker', ['logs', container.id], { buffer: false, reject: false });
    const add = (stream: string) => (match: Parameters<typeof at>[1]) =>
      findings.add({
        source: 'logs',
        location: at(`${container.name}:${stream}`, match),
        kind: match.kind,
        rule: match.rule,
        fingerprint: match.fingerprint,
      });
    const [out, err] = await Promise.all([
      scanStream(logs.stdout as AsyncIterable<Buffer>, rules, true, add('stdout')),
      scanStream(logs.stderr as AsyncIterable<Buffer>, rules, true, add('stderr')),
    ]);
    await logs; // a logging driver that keeps nothing (`none`) just has nothing to scan
    const inspect = await execa('docker', ['inspect', container.id], { reject: false });
    const metadata = String(inspect.stdout ?? '');
    bytes += out + err + metadata.length;
    await scanStream([Buffer.from(metadata)], rules, false, add('config'));
  }
  return { source: 'logs', items: containers.length, bytes, ms: performance.now() - started };
}
