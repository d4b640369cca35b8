import { createHash } from 'node:crypto';
import { Readable } from 'node:stream';
import { assertBlobHash, type BlobStore, type StoredBlob } from './blob-store.js';
import type { Queryable } from './db.js';
import { RecentBlobs } from './recent-blobs.js';

/**
 * Small blobs in PostgreSQL (table blob_contents), larger ones in the file or S3 store.
 *
 * Most mail is a few kilobytes. As a file, each such blob cost a new inode, a write, an fsync
 * of the file, a rename and an fsync of its directory, all through libuv's thread pool; and
 * every reading of it opened the file again. As a row it is one INSERT, made durable by the
 * WAL flush that PostgreSQL shares between concurrent commits. Measured on the IMAP bench
 * (docs/architecture.md): the file calls were a fifth of the node process's CPU.
 *
 * A put gathers up to `maxBytes`; a blob that grows past that goes to `larger`, from its
 * first byte (nothing is written twice). A read asks PostgreSQL first, then `larger`.
 * Content-addressed either way: the same bytes put twice are one row or one file.
 */
export class InlineBlobStore implements BlobStore {
  constructor(
    private readonly db: Queryable,
    /** where blobs larger than maxBytes go */
    readonly larger: BlobStore,
    private readonly maxBytes: number,
    private readonly recent = new RecentBlobs(),
  ) {}

  async put(content: AsyncIterable<Buffer> | Iterable<Buffer>): Promise<StoredBlob> {
    const held = await this.hold(content);
    if (!held.bytes) return held;
    // a Buffer parameter goes as binary (no hex); autocommit: durable when the query returns
    await this.db.query(`${INSERT_CONTENTS} VALUES ($1, $2) ${ON_CONFLICT}`, [held.hash, held.bytes]);
    this.recent.remember(held.hash, held.bytes);
    return { hash: held.hash, size: held.size };
  }

  /**
   * A blob of up to maxBytes, gathered and hashed but not written: the caller writes its
   * bytes with the statement that references it (`insertHeldContents`), so one commit makes
   * both durable. A larger blob is stored in `larger` now and comes back without bytes.
   */
  async hold(content: AsyncIterable<Buffer> | Iterable<Buffer>): Promise<HeldBlob> {
    const source = iteratorOf(content);
    const head: Buffer[] = [];
    let size = 0;
    for (;;) {
      const next = await source.next();
      if (next.done) break;
      head.push(next.value);
      size += next.value.length;
      if (size > this.maxBytes) return this.larger.put(rest(head, source));
    }
    const bytes = head.length === 1 ? head[0]! : Buffer.concat(head, size);
    return { hash: createHash('sha256').update(bytes).digest('hex'), size, bytes };
  }

  /** a held blob whose bytes its caller's statement has written: remembered as a put's are */
  wrote(hash: string, bytes: Buffer): void {
    this.recent.remember(hash, bytes);
  }

  /** the bytes of an inline blob, or undefined when it is not one */
  private async inline(hash: string): Promise<Buffer | undefined> {
    assertBlobHash(hash);
    const recent = this.recent.get(hash);
    if (recent) return recent;
    // base64 is a third larger than the bytes; bytea's text form (hex) would be twice
    const { rows } = await this.db.query<{ b: string }>(`SELECT encode(bytes, 'base64') AS b FROM blob_contents WHERE hash = $1`, [hash]);
    if (!rows[0]) return undefined;
    const bytes = Buffer.from(rows[0].b, 'base64');
    this.recent.remember(hash, bytes);
    return bytes;
  }

  async read(hash: string): Promise<Buffer> {
    return (await this.inline(hash)) ?? this.larger.read(hash);
  }

  async readRange(hash: string, start: number, end: number): Promise<Buffer> {
    const bytes = await this.inline(hash);
    return bytes ? bytes.subarray(start, Math.max(start, end)) : this.larger.readRange(hash, start, end);
  }

  stream(hash: string, start?: number, end?: number): Readable {
    return Readable.from(this.chunks(hash, start, end), { objectMode: false });
  }

  private async *chunks(hash: string, start?: number, end?: number): AsyncGenerator<Buffer> {
    const bytes = await this.inline(hash);
    if (bytes) yield bytes.subarray(start ?? 0, Math.max(start ?? 0, end ?? bytes.length));
    else yield* this.larger.stream(hash, start, end) as AsyncIterable<Buffer>;
  }

  async has(hash: string): Promise<boolean> {
    assertBlobHash(hash);
    const { rowCount } = await this.db.query('SELECT 1 FROM blob_contents WHERE hash = $1', [hash]);
    return rowCount! > 0 || this.larger.has(hash);
  }

  async delete(hash: string): Promise<void> {
    assertBlobHash(hash);
    this.recent.forget(hash);
    await this.db.query('DELETE FROM blob_contents WHERE hash = $1', [hash]);
    await this.larger.delete(hash);
  }
}

/** A blob gathered by `hold`: with `bytes` when they are still to be written, by the caller. */
export interface HeldBlob extends StoredBlob {
  bytes?: Buffer;
}

/** `hold` where the store can, `put` elsewhere (a store without small blobs in PostgreSQL). */
export function holdBlob(store: BlobStore, content: AsyncIterable<Buffer> | Iterable<Buffer>): Promise<HeldBlob> {
  return store instanceof InlineBlobStore ? store.hold(content) : store.put(content);
}

/** After the caller's statement wrote the bytes `holdBlob` held: the store remembers them, as it does what it puts. */
export function heldBlobsWritten(store: BlobStore, held: ReadonlyMap<string, Buffer>): void {
  if (store instanceof InlineBlobStore) for (const [hash, bytes] of held) store.wrote(hash, bytes);
}

const INSERT_CONTENTS = 'INSERT INTO blob_contents (hash, bytes)';
const ON_CONFLICT = 'ON CONFLICT (hash) DO NOTHING';

/**
 * A CTE that writes held blobs' bytes in the statement it starts, naming the hashes it
 * wrote in `held_contents`. Parameters: `hashes` text[], `bytes` every blob's bytes one
 * after another (heldParameters), `lengths` int[]. One bytea goes to PostgreSQL as binary;
 * a bytea[] went as hex text, twice the size, to be parsed back. A hash whose row was
 * already there is not named: that row may belong to a blob the collector is removing
 * (store/blob-refs.ts), so its caller checks it as it checks any other blob.
 */
export const insertHeldContents = (hashes: string, bytes: string, lengths: string) =>
  `held_contents AS (${INSERT_CONTENTS}
     SELECT h.hash, substring(${bytes}::bytea FROM (sum(h.length) OVER (ORDER BY h.i) - h.length + 1)::int FOR h.length)
       FROM unnest(${hashes}::text[], ${lengths}::int[]) WITH ORDINALITY h(hash, length, i)
     ${ON_CONFLICT} RETURNING hash)`;

/** insertHeldContents's three parameters for the held blobs, by hash */
export function heldParameters(held: ReadonlyMap<string, Buffer>): [string[], Buffer, number[]] {
  const bytes = [...held.values()];
  return [[...held.keys()], bytes.length === 1 ? bytes[0]! : Buffer.concat(bytes), bytes.map((b) => b.length)];
}

function iteratorOf(content: AsyncIterable<Buffer> | Iterable<Buffer>): AsyncIterator<Buffer> | Iterator<Buffer> {
  return Symbol.asyncIterator in content ? content[Symbol.asyncIterator]() : content[Symbol.iterator]();
}

/** the chunks already taken, then the rest of the source */
async function* rest(head: readonly Buffer[], source: AsyncIterator<Buffer> | Iterator<Buffer>): AsyncGenerator<Buffer> {
  yield* head;
  for (;;) {
    const next = await source.next();
    if (next.done) return;
    yield next.value;
  }
}
