import { createHash, randomBytes } from 'node:crypto';
import { createReadStream } from 'node:fs';
import { mkdir, open, unlink, type FileHandle } from 'node:fs/promises';
import path from 'node:path';
import { Readable } from 'node:stream';
import type { Logger } from '../shared/logger.js';
import { BlobStoreError, assertBlobHash, type BlobStore, type StoredBlob } from './blob-store.js';
import { RecentBlobs } from './recent-blobs.js';
import { DEFAULT_RETRY, S3Client, type RetryPolicy, type S3Location } from './s3-client.js';

/** A blob larger than this waits for its upload in a temporary file rather than in memory. */
const SPILL_BYTES = 1024 * 1024;

export interface S3BlobStoreOptions extends S3Location {
  /** put before every key: "" or a path ending in "/" */
  prefix: string;
  /** where a large blob waits while it is hashed, before its upload */
  tmpDir: string;
  retry?: Partial<RetryPolicy>;
  log?: Logger;
  /** the process's memory of recent blobs (open-blob-store.ts) */
  recent?: RecentBlobs;
}

/**
 * Blobs as objects `<prefix><ab>/<sha256>` in an S3-compatible bucket (MinIO, Ceph RGW,
 * AWS S3). A put takes the whole content first (memory, or a temporary file past 1 MiB)
 * to know its SHA-256, asks whether the bucket already holds it (HEAD), and otherwise
 * sends it with Content-MD5 and x-amz-content-sha256 so that the service checks every
 * byte; the blob is durable when the service answers 200.
 */
export class S3BlobStore implements BlobStore {
  private readonly client: S3Client;
  private readonly recent: RecentBlobs;

  constructor(private readonly options: S3BlobStoreOptions) {
    this.recent = options.recent ?? new RecentBlobs();
    this.client = new S3Client(options, { ...DEFAULT_RETRY, ...options.retry }, options.log);
  }

  /** Makes the temporary directory and checks that the bucket answers (HEAD bucket): a server does not start without its blobs. */
  async init(): Promise<this> {
    await mkdir(this.options.tmpDir, { recursive: true });
    try {
      await this.client.send('HEAD', {});
    } catch (err) {
      const code = err instanceof BlobStoreError ? err.code : 'blob-store-failed';
      throw new BlobStoreError(code, `the blob store's bucket "${this.options.bucket}" at ${this.options.endpoint} cannot be reached: ${(err as Error).message}`);
    }
    return this;
  }

  keyOf(hash: string) {
    assertBlobHash(hash);
    return `${this.options.prefix}${hash.slice(0, 2)}/${hash}`;
  }

  async put(content: AsyncIterable<Buffer> | Iterable<Buffer>): Promise<StoredBlob> {
    const upload = await takeUpload(content, this.options.tmpDir, this.recent.collector());
    try {
      const key = this.keyOf(upload.hash);
      // content-addressed: the same bytes are already there
      if (!(await this.has(upload.hash))) {
        const response = await this.client.send('PUT', {
          key,
          body: upload.body,
          payloadHash: upload.hash,
          headers: { 'content-length': String(upload.size), 'content-md5': upload.md5, 'content-type': 'application/octet-stream' },
        });
        // an answer left unread holds its connection
        await response.body?.cancel();
      }
      if (upload.small) this.recent.remember(upload.hash, upload.small);
      return { hash: upload.hash, size: upload.size };
    } finally {
      await upload.discard();
    }
  }

  async read(hash: string): Promise<Buffer> {
    const recent = this.recent.get(hash);
    if (recent) return recent;
    const response = await this.client.send('GET', { key: this.keyOf(hash) });
    return Buffer.from(await response.arrayBuffer());
  }

  async readRange(hash: string, start: number, end: number): Promise<Buffer> {
    const key = this.keyOf(hash);
    if (end <= start) return Buffer.alloc(0);
    const recent = this.recent.range(hash, start, end);
    if (recent) return recent;
    // RFC 9110 §14.1.2: the last byte position is inclusive
    const response = await this.client.send('GET', { key, headers: { range: `bytes=${start}-${end - 1}` }, accept: [416] });
    // RFC 9110 §15.5.17: a range that starts past the end is not satisfiable; as with a file, nothing is read
    if (response.status === 416) {
      await response.body?.cancel();
      return Buffer.alloc(0);
    }
    const bytes = Buffer.from(await response.arrayBuffer());
    // RFC 9110 §14.2: a server may ignore Range and answer 200 with everything; never more than asked for
    return response.status === 206 ? bytes.subarray(0, end - start) : bytes.subarray(start, end);
  }

  stream(hash: string, start?: number, end?: number): Readable {
    const key = this.keyOf(hash);
    const from = start ?? 0;
    const recent = end === undefined ? this.recent.get(hash)?.subarray(from) : this.recent.range(hash, from, end);
    if (recent) return Readable.from([recent]);
    const client = this.client;
    return Readable.from(
      (async function* () {
        if (end !== undefined && end <= from) return;
        const range = start === undefined && end === undefined ? undefined : `bytes=${from}-${end === undefined ? '' : end - 1}`;
        const response = await client.send('GET', { key, ...(range ? { headers: { range } } : {}), accept: [416] });
        if (response.status === 416 || !response.body) {
          await response.body?.cancel();
          return;
        }
        let skip = range && response.status !== 206 ? from : 0;
        let left = end === undefined ? Infinity : end - from;
        for await (const chunk of response.body as AsyncIterable<Uint8Array>) {
          let piece = Buffer.from(chunk.buffer, chunk.byteOffset, chunk.byteLength);
          if (skip) {
            const dropped = Math.min(skip, piece.length);
            piece = piece.subarray(dropped);
            skip -= dropped;
          }
          if (piece.length > left) piece = piece.subarray(0, left);
          left -= piece.length;
          if (piece.length) yield piece;
          if (left <= 0) break;
        }
      })(),
      { objectMode: false },
    );
  }

  async has(hash: string): Promise<boolean> {
    const response = await this.client.send('HEAD', { key: this.keyOf(hash), accept: [404] });
    return response.status !== 404;
  }

  async delete(hash: string): Promise<void> {
    this.recent.forget(hash);
    // S3 answers 204 whether or not the key was there; some services say 404
    const response = await this.client.send('DELETE', { key: this.keyOf(hash), accept: [404] });
    await response.body?.cancel();
  }
}

interface Upload {
  hash: string;
  /** Content-MD5: base64 of the MD5 (RFC 1864) */
  md5: string;
  size: number;
  /** the content when it is small enough to remember */
  small: Buffer | undefined;
  body: () => Buffer | Readable;
  discard: () => Promise<void>;
}

/** Reads the whole content once, hashing it, into memory or (past SPILL_BYTES) a temporary file. */
async function takeUpload(
  content: AsyncIterable<Buffer> | Iterable<Buffer>,
  tmpDir: string,
  kept: ReturnType<RecentBlobs['collector']>,
): Promise<Upload> {
  const sha256 = createHash('sha256');
  const md5 = createHash('md5');
  let size = 0;
  let chunks: Buffer[] = [];
  let file: FileHandle | undefined;
  const tmp = path.join(tmpDir, `${Date.now()}-${randomBytes(8).toString('hex')}`);
  const discard = () => (file ? unlink(tmp).catch(() => {}) : Promise.resolve());
  try {
    for await (const chunk of content) {
      sha256.update(chunk);
      md5.update(chunk);
      kept.add(chunk);
      size += chunk.length;
      if (file) {
        await file.write(chunk);
        continue;
      }
      chunks.push(chunk);
      if (size > SPILL_BYTES) {
        file = await open(tmp, 'wx', 0o600);
        await file.write(Buffer.concat(chunks));
        chunks = [];
      }
    }
  } catch (err) {
    await file?.close();
    await discard();
    throw err;
  }
  await file?.close();
  const whole = file ? undefined : Buffer.concat(chunks);
  return {
    hash: sha256.digest('hex'),
    md5: md5.digest('base64'),
    size,
    small: kept.bytes(),
    body: () => whole ?? createReadStream(tmp),
    discard,
  };
}
