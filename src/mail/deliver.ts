import type { Queryable } from '../store/db.js';
import type { MessageSummary } from './append.js';

export interface DeliveryInput {
  accountId: number;
  /** folder name, e.g. 'INBOX' or 'Sent' */
  folder: string;
  blobHash: string;
  size: number;
  flags: readonly string[];
  internalDate: Date;
  summary: MessageSummary;
  /** one copy per key per mailbox: a repeated delivery adds nothing */
  deliveryKey: string;
  /** refuse when the message would take the account over its quota */
  enforceQuota: boolean;
  /** deliver into this mailbox (found by getMailbox) instead of looking `folder` up */
  mailboxId?: number;
}

export type DeliveryResult =
  | { status: 'stored'; mailboxId: number; uid: number; modseq: number }
  | { status: 'duplicate' }
  | { status: 'over-quota' }
  | { status: 'no-mailbox' };

/**
 * The delivery fast path: quota check, duplicate check, UID/MODSEQ allocation and the
 * message row in one statement, inside the caller's transaction. The mailbox row lock
 * orders UIDs (RFC 3501 §2.3.1.1: strictly ascending, never reused).
 */
export async function deliverToMailbox(db: Queryable, input: DeliveryInput): Promise<DeliveryResult> {
  const seen = input.flags.includes('\\Seen');
  const { rows } = await db.query<{ mailbox_id: number; uid: number; modseq: number }>(
    `WITH target AS (
       SELECT id FROM mailboxes
        WHERE account_id = $1 AND NOT noselect AND CASE WHEN $15::bigint IS NULL THEN name = $2 ELSE id = $15 END
     ), allowed AS (
       SELECT NOT $13::boolean OR a.quota_bytes = 0
              OR (SELECT COALESCE(sum(total_bytes), 0) FROM mailboxes WHERE account_id = $1) + $4 <= a.quota_bytes AS ok
         FROM accounts a WHERE a.id = $1
     ), mb AS (
       UPDATE mailboxes SET uid_next = uid_next + 1, highest_modseq = highest_modseq + 1,
              message_count = message_count + 1, unseen_count = unseen_count + $5, total_bytes = total_bytes + $4
        WHERE id = (SELECT id FROM target)
          AND (SELECT ok FROM allowed)
          AND NOT EXISTS (SELECT 1 FROM messages WHERE mailbox_id = (SELECT id FROM target) AND delivery_key = $3)
        RETURNING id, uid_next - 1 AS uid, highest_modseq AS modseq
     )
     INSERT INTO messages (mailbox_id, uid, modseq, flags, internal_date, size, blob_hash, delivery_key,
                           subject, from_text, to_text, sent_date, message_id)
     SELECT mb.id, mb.uid, mb.modseq, $6, $7, $4, $8, $3, $9, $10, $11, $12, $14 FROM mb
     RETURNING mailbox_id, uid, modseq`,
    [
      input.accountId, input.folder, input.deliveryKey, input.size, seen ? 0 : 1, [...new Set(input.flags)], input.internalDate,
      input.blobHash, input.summary.subject, input.summary.from, input.summary.to, input.summary.date, input.enforceQuota,
      input.summary.messageId, input.mailboxId ?? null,
    ],
  );
  const row = rows[0];
  if (row) return { status: 'stored', mailboxId: row.mailbox_id, uid: row.uid, modseq: row.modseq };
  // the rare paths: find out which condition stopped it
  const why = await db.query<{ mailbox: number | null; dup: boolean }>(
    `SELECT (SELECT id FROM mailboxes WHERE account_id = $1 AND name = $2 AND NOT noselect) AS mailbox,
            EXISTS (SELECT 1 FROM messages m JOIN mailboxes b ON b.id = m.mailbox_id
                     WHERE b.account_id = $1 AND b.name = $2 AND m.delivery_key = $3) AS dup`,
    [input.accountId, input.folder, input.deliveryKey],
  );
  if (why.rows[0]?.mailbox == null) return { status: 'no-mailbox' };
  return why.rows[0].dup ? { status: 'duplicate' } : { status: 'over-quota' };
}
