/**
 * `llmdev usage` on the host while the sidecar is down, on a real engine: usage.db is read from the
 * project's `usage-data` volume, copied out of the stopped usage-logger container or, when there is
 * none (after `llmdev down`), through a throwaway container that is removed again. The report says
 * where its figures came from, and they are the ones in the database.
 */
import { randomBytes } from 'node:crypto';
import { mkdir, mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { jest } from '@jest/globals';
import { execa } from 'execa';
import { stringify } from 'yaml';
import { openUsageStore } from '../../../src/sidecar/store/index.js';
import type { UsageRecord } from '../../../src/usage/record.js';
import { runCli } from '../../helpers/cli.js';
import { usageRecord } from '../../helpers/usage-record.js';

jest.setTimeout(120_000);

const IMAGE = 'node:22-bookworm-slim'; // built locally by scripts/build-base-images.sh
const name = `llmdev-usage-e2e-${randomBytes(4).toString('hex')}`;
const volume = `${name}_usage-data`;
const container = `${name}-usage-logger-1`;
let project: string;
let data: string;

const docker = (...args: string[]) => execa('docker', args);

function record(i: number, model: string, costUsd: number | null): UsageRecord {
  return usageRecord({
    id: `rec-${i}`,
    ts: new Date(Date.now() - i * 60_000).toISOString(),
    model,
    usage: { inputTokens: 1000, outputTokens: 100 },
    costUsd,
    pricingSource: costUsd === null ? null : 'test',
    latencyMs: 500,
  });
}

beforeAll(async () => {
  project = await mkdtemp(join(tmpdir(), 'llmdev-usage-volume-'));
  await writeFile(
    join(project, 'llmdev.config.yaml'),
    // Nothing listens on hostPort; sidecar.image names an image that exists here for the helper.
    stringify({ project: { name }, sidecar: { hostPort: 9, image: IMAGE } }),
  );
  await mkdir(join(project, '.secrets'), { mode: 0o700 });
  await writeFile(join(project, '.secrets', 'llmdev_token'), 'e2e-token\n', { mode: 0o600 });
  expect((await runCli(['generate', '--dir', project])).exitCode).toBe(0);

  // A usage.db as the sidecar leaves it (committed records, WAL folded back on close).
  data = await mkdtemp(join(tmpdir(), 'llmdev-usage-data-'));
  const store = openUsageStore(data);
  await store.writer.write([
    { record: record(1, 'gpt-4o-mini', 0.0012) },
    { record: record(2, 'gpt-4o-mini', 0.0008) },
    { record: record(3, 'my-fine-tune', null) },
  ]);
  await store.close();
  await docker(
    'volume',
    'create',
    '--label',
    `com.docker.compose.project=${name}`,
    '--label',
    'com.docker.compose.volume=usage-data',
    volume,
  );
  await docker(
    'run',
    '--rm',
    '-v',
    `${volume}:/data`,
    '-v',
    `${data}:/src:ro`,
    IMAGE,
    'cp',
    '-a',
    '/src/.',
    '/data/',
  );
});

afterAll(async () => {
  await execa('docker', ['rm', '-f', container], { reject: false });
  await execa('docker', ['volume', 'rm', '-f', volume], { reject: false });
  await rm(project, { recursive: true, force: true });
  await rm(data, { recursive: true, force: true });
});

interface JsonReport {
  source: { kind: string; location: string };
  totals: { requests: number; costUsd: number; unpricedRequests: number };
  groups: { key: string; requests: number; costUsd: number | null }[];
}

async function usageJson(): Promise<{ report: JsonReport; stderr: string }> {
  const result = await runCli(['usage', '--dir', project, '--json']);
  expect(result.stderr).toContain('nothing answers at http://127.0.0.1:9');
  expect(result.exitCode).toBe(0);
  return { report: JSON.parse(result.stdout) as JsonReport, stderr: result.stderr };
}

describe('llmdev usage with the sidecar down', () => {
  it('reads the volume through a throwaway container when no sidecar container exists', async () => {
    const { report, stderr } = await usageJson();
    expect(report.source).toEqual({
      kind: 'database',
      location: `a copy of volume ${volume}: /data/usage.db`,
    });
    expect(stderr).toContain(`read from a copy of volume ${volume}: /data/usage.db`);
    expect(report.totals).toMatchObject({ requests: 3, unpricedRequests: 1 });
    expect(report.totals.costUsd).toBeCloseTo(0.002, 12);
    expect(report.groups.find((g) => g.key === 'my-fine-tune')?.costUsd).toBeNull();
    const { stdout } = await docker(
      'ps',
      '-a',
      '--filter',
      'label=dev.llmdev.purpose',
      '--format',
      '{{.ID}}',
    );
    expect(stdout.trim()).toBe(''); // the helper container is gone
  });

  it('copies usage.db out of the stopped usage-logger container', async () => {
    await docker(
      'create',
      '--name',
      container,
      '--label',
      `com.docker.compose.project=${name}`,
      '--label',
      'com.docker.compose.service=usage-logger',
      '-v',
      `${volume}:/data`,
      IMAGE,
      'true',
    );
    const { report } = await usageJson();
    expect(report.source.location).toBe(`a copy of container ${container} (created): /data/usage.db`);
    expect(report.totals.requests).toBe(3);
  });
});
