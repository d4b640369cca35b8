import type { Db } from '../store/db.js';
import type { BlobStore, StoredBlob } from '../store/blob-store.js';
import type { Logger } from '../shared/logger.js';
import { Coalescer, coalescerPer } from '../shared/coalesce.js';
import type { DeliveryQueue } from './queue.js';
import { ensureBlobFile, insertSpools, type InsertedSpool, type SpoolRequest } from './spool.js';

export interface AcceptDeps {
  db: Db;
  blobs: BlobStore;
  queue: DeliveryQueue;
  log: Logger;
}

/**
 * Accepts a message whose blob is already durable: commits the spool row, then asks
 * the queue for a job. A queue that is down does not fail the acceptance; the
 * reconciler finds the row. Messages accepted at the same moment (concurrent SMTP
 * sessions) share one statement, one commit and one queue round trip.
 */
export async function acceptMessage(deps: AcceptDeps, req: SpoolRequest, rewriteBlob: () => Promise<StoredBlob>): Promise<number> {
  const { id, newBlobRow } = await intakeOf(deps).submit(req);
  await ensureBlobFile(deps.blobs, req.blob.hash, newBlobRow, rewriteBlob);
  return id;
}

/** One intake per set of dependencies (a listener's context, the web role's): concurrent acceptances through it share statements. */
const intakeOf = coalescerPer(
  (deps: AcceptDeps) =>
    new Coalescer<SpoolRequest, InsertedSpool>(
      async (reqs) => {
        const inserted = await insertSpools(deps.db, reqs);
        const ids = inserted.map((r) => r.id);
        await deps.queue.addBatch(ids).catch((err: Error) => deps.log.warn({ err: err.message, spoolIds: ids }, 'queue unavailable; the reconciler will pick the messages up'));
        return inserted;
      },
      { maxBatch: 64, parallel: 2 },
    ),
);
