/**
 * A streaming tar reader for `docker save` output (a tar of layer tars): entries are yielded one
 * by one with their contents as a chunk stream, so nested archives are read without extracting
 * anything to disk or holding a layer in memory. Understands ustar, PAX (`x`) and GNU long-name
 * (`L`) headers; enough for what Docker and OCI tools write.
 */

export interface TarEntry {
  path: string;
  /** '0' regular file, '5' directory, '2' symlink... ('\0' is normalized to '0'). */
  type: string;
  size: number;
  /** The contents; must be consumed (or not touched at all) before the next entry is read. */
  body: AsyncIterable<Buffer>;
}

const BLOCK = 512;

/** Pulls exact byte counts (or lines) out of an async chunk stream. */
export class ByteReader {
  private readonly source: AsyncIterator<Buffer>;
  private pending: Buffer = Buffer.alloc(0);
  private done = false;

  constructor(stream: AsyncIterable<Buffer>) {
    this.source = stream[Symbol.asyncIterator]();
  }

  private async fill(): Promise<boolean> {
    if (this.done) return false;
    const next = await this.source.next();
    if (next.done) {
      this.done = true;
      return false;
    }
    const chunk = Buffer.isBuffer(next.value) ? next.value : Buffer.from(next.value);
    this.pending = this.pending.length === 0 ? chunk : Buffer.concat([this.pending, chunk]);
    return true;
  }

  /** Exactly `n` bytes, or fewer at the end of the stream. */
  async read(n: number): Promise<Buffer> {
    while (this.pending.length < n && (await this.fill()));
    const out = this.pending.subarray(0, n);
    this.pending = this.pending.subarray(out.length);
    return out;
  }

  /** The bytes up to the next `\n` (without it); undefined at the end of the stream. */
  async readLine(): Promise<string | undefined> {
    let newline = this.pending.indexOf(10);
    while (newline === -1 && (await this.fill())) newline = this.pending.indexOf(10);
    if (newline === -1) return undefined;
    const line = this.pending.toString('utf8', 0, newline);
    this.pending = this.pending.subarray(newline + 1);
    return line;
  }

  /** Up to `n` bytes as they arrive, in pieces; `left.n` counts down what is still unread. */
  async *stream(left: { n: number }): AsyncGenerator<Buffer> {
    while (left.n > 0) {
      if (this.pending.length === 0 && !(await this.fill())) return;
      const piece = this.pending.subarray(0, left.n);
      this.pending = this.pending.subarray(piece.length);
      left.n -= piece.length;
      yield piece;
    }
  }

  async skip(n: number): Promise<void> {
    for await (const _ of this.stream({ n })) {
      // discarded
    }
  }
}

const text = (block: Buffer, offset: number, length: number) => {
  const field = block.subarray(offset, offset + length);
  const end = field.indexOf(0);
  return field.toString('utf8', 0, end === -1 ? field.length : end);
};

function numeric(block: Buffer, offset: number, length: number): number {
  const field = block.subarray(offset, offset + length);
  if ((field[0] as number) & 0x80) {
    // GNU base-256 for sizes of 8 GiB and more.
    let value = (field[0] as number) & 0x7f;
    for (let i = 1; i < field.length; i++) value = value * 256 + (field[i] as number);
    return value;
  }
  const octal = text(block, offset, length).trim();
  return octal === '' ? 0 : Number.parseInt(octal, 8);
}

/** PAX records: `<length> <key>=<value>\n`. */
function paxRecords(data: Buffer): Map<string, string> {
  const records = new Map<string, string>();
  let at = 0;
  while (at < data.length) {
    const space = data.indexOf(0x20, at);
    if (space === -1) break;
    const length = Number.parseInt(data.toString('ascii', at, space), 10);
    if (!Number.isFinite(length) || length <= 0) break;
    const record = data.toString('utf8', space + 1, at + length - 1);
    const equals = record.indexOf('=');
    if (equals > 0) records.set(record.slice(0, equals), record.slice(equals + 1));
    at += length;
  }
  return records;
}

const isZeroBlock = (block: Buffer) => block.every((byte) => byte === 0);

/** Whether the first block of a stream is a tar header (ustar magic, or a valid old-style checksum). */
export function looksLikeTar(firstBlock: Buffer): boolean {
  if (firstBlock.length < BLOCK) return false;
  if (firstBlock.toString('ascii', 257, 262) === 'ustar') return true;
  const stored = numeric(firstBlock, 148, 8);
  let sum = 0;
  for (let i = 0; i < BLOCK; i++) sum += i >= 148 && i < 156 ? 0x20 : (firstBlock[i] as number);
  return stored === sum && text(firstBlock, 0, 100).length > 0;
}

export async function* readTar(stream: AsyncIterable<Buffer>): AsyncGenerator<TarEntry> {
  const reader = new ByteReader(stream);
  let longName: string | undefined;
  let pax = new Map<string, string>();
  for (;;) {
    const header = await reader.read(BLOCK);
    if (header.length < BLOCK || isZeroBlock(header)) return;
    const type = text(header, 156, 1) || '0';
    let size = numeric(header, 124, 12);
    if (type === 'x' || type === 'g' || type === 'L') {
      const data = await reader.read(size);
      await reader.skip((BLOCK - (size % BLOCK)) % BLOCK);
      if (type === 'x') pax = paxRecords(data);
      if (type === 'L') longName = data.toString('utf8').replace(/\0+$/, '');
      continue;
    }
    const prefix = header.toString('ascii', 257, 262) === 'ustar' ? text(header, 345, 155) : '';
    const name = text(header, 0, 100);
    const path = pax.get('path') ?? longName ?? (prefix ? `${prefix}/${name}` : name);
    const paxSize = pax.get('size');
    if (paxSize !== undefined) size = Number(paxSize);
    const padding = (BLOCK - (size % BLOCK)) % BLOCK;
    longName = undefined;
    pax = new Map();
    const unread = { n: size };
    yield { path, type, size, body: { [Symbol.asyncIterator]: () => reader.stream(unread) } };
    await reader.skip(unread.n + padding); // whatever the consumer left unread
  }
}
