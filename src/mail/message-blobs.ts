import type { Queryable } from '../store/db.js';
import type { BlobStore } from '../store/blob-store.js';
import { addBlobRef, BlobVanishedError, releaseBlobRef } from '../store/blob-refs.js';
import type { ParsedMessage } from './mime/index.js';

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

/**
 * addMessageBlobRefs for blobs parsed just now (`described`): the reference and the
 * description go in one statement per blob (parsed.ts storeDescription's effect, folded:
 * a round trip less for every APPEND of a new message). A description already stored is
 * kept; the blob goes on the search backlog only when it had none.
 */
export async function addDescribedBlobRefs(
  db: Queryable,
  store: BlobStore,
  items: readonly { hash: string; size: number }[],
  described: ReadonlyMap<string, ParsedMessage>,
): Promise<void> {
  for (const [hash, { size, count }] of countByHash(items)) {
    const parsed = described.get(hash);
    if (!parsed) {
      await addBlobRef(db, store, hash, size, count);
      continue;
    }
    const { rows } = await db.query<{ inserted: boolean }>(
      `WITH had AS (SELECT parsed IS NOT NULL AS described FROM blobs WHERE hash = $1),
       ref AS (
         INSERT INTO blobs (hash, size, refcount, parsed) VALUES ($1, $2, $3, $4)
         ON CONFLICT (hash) DO UPDATE SET refcount = blobs.refcount + EXCLUDED.refcount, parsed = COALESCE(blobs.parsed, EXCLUDED.parsed)
         RETURNING (xmax = 0) AS inserted
       ), backlogged AS (
         INSERT INTO search_backlog (hash) SELECT $1 WHERE NOT EXISTS (SELECT 1 FROM had WHERE described) ON CONFLICT DO NOTHING
       )
       SELECT inserted FROM ref`,
      [hash, size, count, parsed],
    );
    // store/blob-refs.ts: a row made anew must find its file (the collector may have just removed it)
    if (rows[0]?.inserted && !(await store.has(hash))) throw new BlobVanishedError(hash);
  }
}
