import type { Queryable } from '../store/db.js';
import type { BlobStore } from '../store/blob-store.js';
import { addBlobRef, releaseBlobRef } from '../store/blob-refs.js';

/** Every message row holds one reference to its blob. Counted per hash, applied in hash order (tx.ts rule 3). */
function countByHash(items: readonly { hash: string; size: number }[]): [string, { size: number; count: number }][] {
  const counts = new Map<string, { size: number; count: number }>();
  for (const { hash, size } of items) {
    const c = counts.get(hash);
    if (c) c.count++;
    else counts.set(hash, { size, count: 1 });
  }
  return [...counts].sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0));
}

export async function addMessageBlobRefs(db: Queryable, store: BlobStore, items: readonly { hash: string; size: number }[]): Promise<void> {
  for (const [hash, { size, count }] of countByHash(items)) await addBlobRef(db, store, hash, size, count);
}

export async function releaseMessageBlobRefs(db: Queryable, hashes: readonly string[]): Promise<void> {
  for (const [hash, { count }] of countByHash(hashes.map((hash) => ({ hash, size: 0 })))) await releaseBlobRef(db, hash, count);
}
