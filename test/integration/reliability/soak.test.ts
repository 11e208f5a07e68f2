/**
 * The soak in its CI form: 20,000 mixed requests (streaming and not, both APIs, ingest batches)
 * through `llmdev sidecar`, closed loop, 16 at a time. Prints RSS and latency per slice; checks
 * that every request succeeded, usage.db holds every record and passes integrity_check, and, as a
 * leak check only, that RSS grew less than 100 MB after the first slice (V8 grows its heap lazily
 * over the first ~20,000 requests, then stays flat: see BENCHMARKS.md "Soak"; a leak of 5 kB per
 * request would fail). No timing is asserted. The full run: `npm run bench:soak` (200,000 requests, figures in BENCHMARKS.md).
 */
import { jest } from '@jest/globals';
import { formatSoakFigures, runSoak } from './lib/soak.js';

jest.setTimeout(10 * 60_000);

it('serves 20,000 mixed requests without failures or memory growth', async () => {
  const lines: string[] = [];
  const figures = await runSoak({
    total: 20_000,
    concurrency: 16,
    slices: 10,
    log: (line) => lines.push(line),
  });
  console.log(`${formatSoakFigures(figures)}\n${lines.join('\n')}`);
  expect(figures.failures).toBe(0);
  expect(figures.integrity).toBe('ok');
  const ingested = (figures.mix.ingest ?? 0) * 10;
  expect(figures.records).toBe(figures.requests - (figures.mix.ingest ?? 0) + ingested);
  const afterFirst = figures.slices[0]?.rssMb ?? Number.NaN;
  expect(figures.slices.at(-1)?.rssMb).toBeLessThan(afterFirst + 100);
});
