/**
 * Images: `docker save` of the images, streamed, every layer read as a tar inside the tar (gzip or
 * not) and every file in it scanned, plus each image's config (env, labels, history: where ARG and
 * ENV values end up). Nothing is extracted to disk. Images are saved together so layers they share
 * (the base image) are read once.
 */
import { pipeline, Readable } from 'node:stream';
import { createGunzip } from 'node:zlib';
import { execa } from 'execa';
import { ToolError } from '../../errors/index.js';
import type { FindingSet, SourceStats } from './findings.js';
import type { Match, ScanRules } from './matcher.js';
import { scanStream } from './stream.js';
import { looksLikeTar, readTar } from './tar.js';

interface ImageHit {
  /** Entry of the saved archive the text is in (a layer tar, a config blob...). */
  entry: string;
  /** Path inside the layer, for files in layers. */
  inner?: string;
  match: Match;
}

export interface ImageScanResult {
  hits: { location: string; match: Match }[];
  layers: number;
  bytes: number;
}

/** The first `n` bytes of a stream, and the whole stream (those bytes included) to read on. */
async function peek(
  stream: AsyncIterable<Buffer>,
  n: number,
): Promise<{ head: Buffer; all: AsyncIterable<Buffer> }> {
  const iterator = stream[Symbol.asyncIterator]();
  const taken: Buffer[] = [];
  let size = 0;
  let finished = false;
  while (size < n) {
    const next = await iterator.next();
    if (next.done) {
      finished = true;
      break;
    }
    taken.push(next.value);
    size += next.value.length;
  }
  async function* all(): AsyncGenerator<Buffer> {
    yield* taken;
    if (finished) return;
    for (let next = await iterator.next(); !next.done; next = await iterator.next()) yield next.value;
  }
  return { head: Buffer.concat(taken, size).subarray(0, n), all: all() };
}

const isGzip = (head: Buffer) => head[0] === 0x1f && head[1] === 0x8b;

/** Decompressed, as one iterator that can be resumed after a partial read. */
async function* gunzip(compressed: AsyncIterable<Buffer>): AsyncGenerator<Buffer> {
  yield* pipeline(Readable.from(compressed), createGunzip(), () => undefined) as AsyncIterable<Buffer>;
}

/** `abc.../layer.tar` or `blobs/sha256/abc...` → `abc...` (12 hex); other names unchanged. */
function entryId(entry: string): string {
  const layer = /^([0-9a-f]{64})\/layer\.tar$/.exec(entry) ?? /^blobs\/sha256\/([0-9a-f]{64})$/.exec(entry);
  return layer ? (layer[1] as string).slice(0, 12) : entry;
}

/** Scans every layer and config of `images` (names or ids, all present locally). */
export async function scanImageArchive(
  images: readonly string[],
  rules: ScanRules,
): Promise<ImageScanResult> {
  const save = execa('docker', ['save', ...images], { buffer: false, stdout: 'pipe', stderr: 'pipe' });
  const hits: ImageHit[] = [];
  let manifest: unknown = [];
  let layers = 0;
  let bytes = 0;
  let stderr = '';
  save.stderr?.on('data', (chunk: Buffer) => {
    stderr += chunk.toString();
  });
  try {
    for await (const entry of readTar(save.stdout as AsyncIterable<Buffer>)) {
      if (entry.type !== '0' || entry.size === 0) continue;
      if (entry.path === 'manifest.json') {
        const chunks: Buffer[] = [];
        for await (const chunk of entry.body) chunks.push(chunk);
        manifest = JSON.parse(Buffer.concat(chunks).toString('utf8'));
        continue;
      }
      let { head, all } = await peek(entry.body, 512);
      if (isGzip(head)) ({ head, all } = await peek(gunzip(all), 512));
      if (looksLikeTar(head)) {
        layers++;
        for await (const file of readTar(all)) {
          if (file.type !== '0' && file.type !== '7') continue;
          bytes += await scanStream(file.body, rules, false, (match) =>
            hits.push({ entry: entry.path, inner: file.path, match }),
          );
        }
        // The padding after the layer's end blocks: read it here, before the next entry is.
        for await (const _ of all) {
          // drained
        }
      } else {
        bytes += await scanStream(all, rules, false, (match) => hits.push({ entry: entry.path, match }));
      }
    }
    await save;
  } catch (cause) {
    save.kill();
    throw new ToolError(
      `docker save ${images.join(' ')} failed: ${stderr.trim() || (cause as Error).message}`,
      {
        hint: 'Check that the Docker engine runs (`llmdev doctor`) and has the images (`docker images`).',
        cause,
      },
    );
  }
  const owners = entryOwners(manifest);
  return {
    hits: hits.map(({ entry, inner, match }) => {
      const image = owners.get(entry)?.join(', ') ?? 'image';
      return {
        location: inner === undefined ? `${image}:${entryId(entry)}` : `${image}:${entryId(entry)}:${inner}`,
        match,
      };
    }),
    layers,
    bytes,
  };
}

/** Archive entry → the image names it belongs to (from manifest.json). */
function entryOwners(manifest: unknown): Map<string, string[]> {
  const owners = new Map<string, string[]>();
  if (!Array.isArray(manifest)) return owners;
  for (const item of manifest as { Config?: string; RepoTags?: string[] | null; Layers?: string[] }[]) {
    const names = item.RepoTags?.length
      ? item.RepoTags
      : [
          entryId(item.Config ?? 'image')
            .replace(/\.json$/, '')
            .slice(0, 12),
        ];
    for (const entry of [item.Config ?? '', ...(item.Layers ?? [])]) {
      const list = owners.get(entry) ?? [];
      for (const name of names) if (!list.includes(name)) list.push(name);
      owners.set(entry, list);
    }
  }
  return owners;
}

/** Scans `images` into `findings`. */
export async function scanImages(
  images: readonly string[],
  rules: ScanRules,
  findings: FindingSet,
): Promise<SourceStats> {
  const started = performance.now();
  if (images.length === 0)
    return { source: 'images', items: 0, bytes: 0, ms: 0, skipped: 'no images built for this project yet' };
  const result = await scanImageArchive(images, rules);
  for (const { location, match } of result.hits) {
    findings.add({
      source: 'images',
      location,
      kind: match.kind,
      rule: match.rule,
      fingerprint: match.fingerprint,
    });
  }
  return { source: 'images', items: result.layers, bytes: result.bytes, ms: performance.now() - started };
}
