import type { Queryable } from '../store/db.js';
import { classifyRecipient } from '../identity/recipients.js';
import { buildDsn } from './dsn.js';
import type { DeliveryContext } from './context.js';
import { insertSpool, ensureBlobFile, type SpoolRow } from './spool.js';

export interface FailedRecipient {
  recipient: string;
  route: string;
  lastCode: string | null;
  lastError: string | null;
  remoteMta: string | null;
  notify: string | null;
}

/** Enough of the original to hold its header section, which is all a DSN returns. */
const HEADER_BYTES = 128 * 1024;

/**
 * Makes the delivery status notification (RFC 3464) for failed recipients and spools it
 * to the original envelope sender, inside the caller's transaction. The report is sent
 * with the null reverse-path (RFC 5321 §4.5.5) so it can never bounce back.
 */
export async function createBounce(db: Queryable, ctx: DeliveryContext, spool: SpoolRow, failed: FailedRecipient[]): Promise<number> {
  const original = await ctx.blobs.readRange(spool.blobHash, 0, HEADER_BYTES);
  const dsn = buildDsn({
    reportingMta: ctx.config.hostname,
    to: spool.mailFrom,
    arrivalDate: spool.receivedAt,
    ...(spool.envelopeId ? { originalEnvelopeId: spool.envelopeId } : {}),
    recipients: failed.map((f) => ({
      finalRecipient: f.recipient,
      action: 'failed' as const,
      status: f.lastCode ?? '5.0.0',
      ...(f.remoteMta ? { remoteMta: f.remoteMta } : {}),
      ...(f.lastError ? { diagnostic: f.lastError } : {}),
      lastAttemptDate: new Date(),
    })),
    original,
  });
  const blob = await ctx.blobs.put([dsn]);
  const target = await classifyRecipient(db, spool.mailFrom).catch(() => undefined);
  if (!target || target.kind === 'unknown-local') {
    ctx.log.warn({ spoolId: spool.id, sender: spool.mailFrom }, 'the sender of a failed message cannot receive its delivery report; dropped');
    return 0;
  }
  const { id, newBlobRow } = await insertSpool(db, {
    blob,
    mailFrom: '',
    source: 'bounce',
    recipients: [{ address: target.address, route: target.kind === 'remote' ? 'remote' : 'local', notify: 'NEVER' }],
    expiresAt: new Date(Date.now() + ctx.config.delivery.maxQueueHours * 3600_000),
  });
  await ensureBlobFile(ctx.blobs, blob.hash, newBlobRow, () => ctx.blobs.put([dsn]));
  ctx.log.info({ spoolId: spool.id, bounceSpoolId: id, to: target.address, failed: failed.length }, 'delivery status notification queued');
  return id;
}
