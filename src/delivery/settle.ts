import type { Queryable } from '../store/db.js';
import { adjustBlobRefs } from '../store/blob-refs.js';
import type { DeliveryContext } from './context.js';
import { createBounce, type FailedRecipient } from './bounce.js';
import { reportAndCloseMany, type SpoolRow } from './spool.js';

export interface Settled {
  closed: boolean;
  /** a delivery status notification made now, to be queued after COMMIT */
  bounceSpoolId?: number;
}

/**
 * Inside the caller's transaction: failed recipients get one delivery status
 * notification (RFC 3464) to the envelope sender, marked reported in the same
 * transaction so a crash never sends two and never none; the row is closed when
 * nothing is pending; and the blob's count moves once by the net change
 * (`storedCopies` new mailbox references, minus the spool row's own when it closes).
 */
export async function settleSpool(db: Queryable, ctx: DeliveryContext, spool: SpoolRow, storedCopies = 0): Promise<Settled> {
  return (await settleSpools(db, ctx, [{ spool, storedCopies }]))[0]!;
}

/** settleSpool for several rows: one statement reports and closes them all, one moves the blob counts. */
export async function settleSpools(db: Queryable, ctx: DeliveryContext, rows: ReadonlyArray<{ spool: SpoolRow; storedCopies: number }>): Promise<Settled[]> {
  const reports = await reportAndCloseMany(db, rows.map((r) => r.spool.id));
  const deltas = new Map<string, number>();
  const out: Settled[] = [];
  for (const { spool, storedCopies } of rows) {
    const { failed, closed } = reports.get(spool.id)!;
    // RFC 3461 §4.1: NOTIFY=NEVER asks for no report; RFC 5321 §4.5.5: never bounce a bounce
    const report: FailedRecipient[] = failed.filter((r) => !/NEVER/i.test(r.notify ?? '') && r.route !== 'sent-copy');
    const bounceSpoolId = report.length > 0 && spool.mailFrom !== '' ? await createBounce(db, ctx, spool, report) : undefined;
    deltas.set(spool.blobHash, (deltas.get(spool.blobHash) ?? 0) + storedCopies - (closed ? 1 : 0));
    out.push({ closed, ...(bounceSpoolId ? { bounceSpoolId } : {}) });
  }
  await adjustBlobRefs(db, deltas);
  return out;
}
