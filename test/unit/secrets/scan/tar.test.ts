/**
 * The streaming tar reader against archives written by GNU tar (ustar, PAX and GNU long names,
 * empty and odd-sized files), read in arbitrary chunk sizes.
 */
import { execFileSync } from 'node:child_process';
import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import fc from 'fast-check';
import { looksLikeTar, readTar } from '../../../../src/secrets/scan/tar.js';

let dir: string;
const files: Record<string, string> = {
  'a.txt': 'hello\n',
  'empty.txt': '',
  'sub/dir/b.bin': 'x'.repeat(1000),
  [`deep/${'n'.repeat(120)}/long-name.txt`]: 'long name content',
  'exact.txt': 'y'.repeat(512),
};
const archives: Record<string, Buffer> = {};

beforeAll(() => {
  dir = mkdtempSync(join(tmpdir(), 'llmdev-tar-'));
  const root = join(dir, 'root');
  for (const [path, content] of Object.entries(files)) {
    mkdirSync(join(root, path, '..'), { recursive: true });
    writeFileSync(join(root, path), content);
  }
  for (const format of ['gnu', 'posix', 'ustar']) {
    const args = ['-c', `--format=${format}`, '-C', root, ...Object.keys(files)];
    if (format === 'ustar') args.splice(args.indexOf(Object.keys(files)[3] as string), 1); // ustar: name too long
    archives[format] = execFileSync('tar', args, { maxBuffer: 1 << 24 });
  }
});
afterAll(() => rmSync(dir, { recursive: true, force: true }));

async function* chunked(data: Buffer, sizes: readonly number[]): AsyncGenerator<Buffer> {
  let at = 0;
  let i = 0;
  while (at < data.length) {
    const size = Math.max(1, sizes[i++ % Math.max(1, sizes.length)] ?? data.length);
    yield data.subarray(at, at + size);
    at += size;
  }
}

async function read(data: Buffer, sizes: readonly number[] = []): Promise<Record<string, string>> {
  const out: Record<string, string> = {};
  for await (const entry of readTar(chunked(data, sizes))) {
    if (entry.type !== '0') continue;
    const chunks: Buffer[] = [];
    for await (const chunk of entry.body) chunks.push(chunk);
    out[entry.path] = Buffer.concat(chunks).toString();
  }
  return out;
}

describe('readTar', () => {
  it.each(['gnu', 'posix'])('reads every file of a %s archive, long names included', async (format) => {
    expect(await read(archives[format] as Buffer)).toEqual(files);
  });

  it('reads ustar archives', async () => {
    const { [`deep/${'n'.repeat(120)}/long-name.txt`]: _, ...rest } = files;
    expect(await read(archives.ustar as Buffer)).toEqual(rest);
  });

  it('skips bodies the consumer does not read, or reads only in part', async () => {
    const paths: string[] = [];
    for await (const entry of readTar(chunked(archives.gnu as Buffer, [100]))) {
      paths.push(entry.path);
      if (entry.path === 'sub/dir/b.bin') {
        for await (const _ of entry.body) break; // one chunk, then leave
      }
    }
    expect(paths.filter((p) => p.endsWith('.txt') || p.endsWith('.bin'))).toEqual(Object.keys(files));
  });

  it('gives the same result for any chunking (property)', async () => {
    let tried = 0;
    await fc.assert(
      fc.asyncProperty(
        fc.array(fc.integer({ min: 1, max: 2000 }), { minLength: 1, maxLength: 8 }),
        async (sizes) => {
          tried++;
          expect(await read(archives.posix as Buffer, sizes)).toEqual(files);
        },
      ),
      { numRuns: 200 },
    );
    console.log(`[property] tar reader chunking: ${tried} cases`);
  });

  it('tells a tar header from other data', () => {
    expect(looksLikeTar((archives.gnu as Buffer).subarray(0, 512))).toBe(true);
    expect(looksLikeTar(Buffer.alloc(512, 'a'))).toBe(false);
    expect(looksLikeTar(Buffer.from('{"config": true}'))).toBe(false);
  });
});
