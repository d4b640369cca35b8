import type { Readable } from 'node:stream';
import { HopthuError } from '../shared/errors.js';

export interface StoredBlob {
  /** lower-case hex SHA-256 of the content */
  hash: string;
  size: number;
}

/**
 * Where message bodies live: content-addressed, written once, durable when `put`
 * resolves. Reference counts live in PostgreSQL (see blob-refs.ts), not here.
 */
export interface BlobStore {
  /** Stores the bytes; resolves only when they are durable. Writing the same content twice stores it once. */
  put(content: AsyncIterable<Buffer> | Iterable<Buffer>): Promise<StoredBlob>;
  read(hash: string): Promise<Buffer>;
  /** bytes [start, end) */
  readRange(hash: string, start: number, end: number): Promise<Buffer>;
  stream(hash: string, start?: number, end?: number): Readable;
  has(hash: string): Promise<boolean>;
  delete(hash: string): Promise<void>;
}

export const isBlobHash = (s: string) => /^[0-9a-f]{64}$/.test(s);

/** Refuses a name that is not a blob hash before it reaches a path, an object key or a query. */
export function assertBlobHash(hash: string): void {
  if (!isBlobHash(hash)) throw new Error(`not a blob hash: ${hash}`);
}

/**
 * A blob store that cannot do what was asked: `blob-missing` (no such blob),
 * `blob-store-denied` (credentials or permissions), `blob-store-unreachable` (no answer
 * after the retries), `blob-store-failed` (any other refusal). The message names the
 * bucket and key, or the file.
 */
export class BlobStoreError extends HopthuError {
  override name = 'BlobStoreError';
}
