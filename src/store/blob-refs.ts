import type { Db, Queryable } from './db.js';
import { transaction } from './db.js';
import type { BlobStore } from './blob-store.js';

/**
 * Reference counts of blobs, kept in PostgreSQL in the same transaction as the rows
 * that point at a blob (spool rows and messages). A blob whose count reaches zero is
 * noted in blob_gc and deleted by `collectGarbage` after a grace period, unless it was
 * referenced again meanwhile.
 *
 * Race with a concurrent put of the same content: the collector unlinks the file
 * before it commits the row's deletion, so `addBlobRef` either bumps the old row
 * (the file is still there) or inserts a fresh one after that commit, and then checks
 * that the file exists; if not, the caller writes the blob again.
 */
export async function addBlobRef(db: Queryable, store: BlobStore, hash: string, size: number, count = 1): Promise<void> {
  const { rows } = await db.query<{ inserted: boolean }>(
    `INSERT INTO blobs (hash, size, refcount) VALUES ($1, $2, $3)
     ON CONFLICT (hash) DO UPDATE SET refcount = blobs.refcount + EXCLUDED.refcount
     RETURNING (xmax = 0) AS inserted`,
    [hash, size, count],
  );
  if (rows[0]?.inserted && !(await store.has(hash))) throw new BlobVanishedError(hash);
}

export class BlobVanishedError extends Error {
  override name = 'BlobVanishedError';
  constructor(readonly hash: string) {
    super(`blob ${hash} was collected while being stored again; store it once more`);
  }
}

/** Changes a count by `delta` (negative to release); notes the blob for collection at zero. */
export async function adjustBlobRef(db: Queryable, hash: string, delta: number): Promise<void> {
  await adjustBlobRefs(db, new Map([[hash, delta]]));
}

/**
 * adjustBlobRef for several blobs in one statement; the rows are locked in hash order
 * first, so two transactions adjusting the same blobs never deadlock.
 */
export async function adjustBlobRefs(db: Queryable, deltas: ReadonlyMap<string, number>): Promise<void> {
  const changed = [...deltas].filter(([, d]) => d !== 0).sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0));
  if (changed.length === 0) return;
  await db.query(
    `WITH d AS (
       SELECT * FROM unnest($1::text[], $2::int[]) AS d(hash, delta)
     ), locked AS (
       SELECT hash FROM blobs WHERE hash IN (SELECT hash FROM d) ORDER BY hash FOR UPDATE
     ), b AS (
       UPDATE blobs SET refcount = refcount + d.delta FROM d, locked WHERE blobs.hash = d.hash AND locked.hash = d.hash RETURNING blobs.hash, refcount
     )
     INSERT INTO blob_gc (hash) SELECT hash FROM b WHERE b.refcount = 0 ON CONFLICT (hash) DO UPDATE SET since = now()`,
    [changed.map(([h]) => h), changed.map(([, d]) => d)],
  );
}

export const releaseBlobRef = (db: Queryable, hash: string, count = 1) => adjustBlobRef(db, hash, -count);

/** Backups hold this lock shared while they copy blobs; the collector deletes only when it can take it alone. */
export const BLOB_GC_LOCK = 4_242_003;

/** Deletes blobs unreferenced for longer than `graceSeconds`. Returns how many went (none while a backup runs). */
export async function collectGarbage(db: Db, store: BlobStore, graceSeconds = 3600, limit = 1000): Promise<number> {
  const { rows } = await db.query<{ hash: string }>(
    `SELECT hash FROM blob_gc WHERE since < now() - make_interval(secs => $1) ORDER BY since LIMIT $2`,
    [graceSeconds, limit],
  );
  let removed = 0;
  for (const { hash } of rows) {
    removed += await transaction(db, async (client) => {
      const { rows: lock } = await client.query<{ free: boolean }>('SELECT pg_try_advisory_xact_lock($1) AS free', [BLOB_GC_LOCK]);
      if (!lock[0]?.free) return 0; // a backup is copying blobs: try again next round
      await client.query('DELETE FROM blob_gc WHERE hash = $1', [hash]);
      const gone = await client.query('DELETE FROM blobs WHERE hash = $1 AND refcount = 0 RETURNING hash', [hash]);
      if (gone.rowCount === 0) return 0; // referenced again meanwhile
      await store.delete(hash); // before COMMIT: see the note above
      return 1;
    });
  }
  return removed;
}
