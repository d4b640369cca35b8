import type { Queryable } from '../store/db.js';
import { adjustBlobRef } from '../store/blob-refs.js';
import type { DeliveryContext } from './context.js';
import { createBounce, type FailedRecipient } from './bounce.js';
import { reportAndClose, type SpoolRow } from './spool.js';

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
  const { failed, closed } = await reportAndClose(db, spool.id);
  // RFC 3461 §4.1: NOTIFY=NEVER asks for no report; RFC 5321 §4.5.5: never bounce a bounce
  const report: FailedRecipient[] = failed.filter((r) => !/NEVER/i.test(r.notify ?? '') && r.route !== 'sent-copy');
  const bounceSpoolId = report.length > 0 && spool.mailFrom !== '' ? await createBounce(db, ctx, spool, report) : undefined;
  await adjustBlobRef(db, spool.blobHash, storedCopies - (closed ? 1 : 0));
  return { closed, ...(bounceSpoolId ? { bounceSpoolId } : {}) };
}
