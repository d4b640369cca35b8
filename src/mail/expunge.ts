import type { Db } from '../store/db.js';
import { lockMailboxes, lockedOne, mailTransaction } from './tx.js';
import { releaseMessageBlobRefs } from './message-blobs.js';
import { rangeArrays, ALL_UIDS, type UidSet } from './uid-set.js';
import type { MailboxChange } from './notify.js';

export interface ExpungeResult {
  /** expunged UIDs, ascending */
  uids: number[];
  /** the MODSEQ of the removal (RFC 7162 §3.2.10: VANISHED since a MODSEQ); null when nothing went */
  modseq: number | null;
  changes: MailboxChange[];
}

interface Gone {
  uid: number;
  size: number;
  hash: string;
  seen: boolean;
}

/**
 * EXPUNGE (RFC 9051 §6.4.3) and UID EXPUNGE (RFC 9051 §6.4.9, RFC 4315 §2.1): removes
 * the messages flagged \Deleted, all of them or those in `uids`. Their UIDs are kept in
 * expunged_messages with the MODSEQ of the removal, for QRESYNC; their blob references
 * are released (the blob goes when no row points at it).
 */
export async function expungeMessages(db: Db, mailboxId: number, uids: UidSet = ALL_UIDS, options: { deletedOnly?: boolean } = {}): Promise<ExpungeResult> {
  // retention removes messages whatever their flags; a client's EXPUNGE only the \Deleted ones
  const deletedOnly = options.deletedOnly ?? true;
  return mailTransaction(db, async (client) => {
    const mailbox = lockedOne(await lockMailboxes(client, [mailboxId]), mailboxId);
    const { lo, hi } = rangeArrays(uids);
    const { rows } = await client.query<Gone>(
      `DELETE FROM messages m USING unnest($2::bigint[], $3::bigint[]) r(lo, hi)
        WHERE m.mailbox_id = $1 AND m.uid BETWEEN r.lo AND r.hi AND (NOT $4::boolean OR '\\Deleted' = ANY (m.flags))
       RETURNING m.uid, m.size, m.blob_hash AS hash, '\\Seen' = ANY (m.flags) AS seen`,
      [mailbox.id, lo, hi, deletedOnly],
    );
    if (rows.length === 0) return { uids: [], modseq: null, changes: [] };
    const modseq = mailbox.highestModseq + 1;
    const gone = rows.map((r) => r.uid).sort((a, b) => a - b);
    await client.query('INSERT INTO expunged_messages (mailbox_id, uid, modseq) SELECT $1, unnest($2::bigint[]), $3', [mailbox.id, gone, modseq]);
    await client.query(
      `UPDATE mailboxes SET highest_modseq = $2, message_count = message_count - $3,
              unseen_count = unseen_count - $4, total_bytes = total_bytes - $5
        WHERE id = $1`,
      [mailbox.id, modseq, rows.length, rows.filter((r) => !r.seen).length, rows.reduce((n, r) => n + r.size, 0)],
    );
    await releaseMessageBlobRefs(client, rows.map((r) => r.hash));
    return { uids: gone, modseq, changes: [{ type: 'expunge', mailboxId: mailbox.id, uids: gone, modseq }] };
  });
}
