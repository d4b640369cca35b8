import type { Db } from '../store/db.js';
import { lockMailboxes, lockedOne, mailTransaction } from './tx.js';
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
  hash: string;
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
    const modseq = mailbox.highestModseq + 1;
    // one statement removes the rows, keeps their UIDs for QRESYNC, settles the folder's
    // counters and releases the blob references (round trips less: UID EXPUNGE is a hot
    // command). Blob rows are updated in hash order as far as the plan follows the sorted
    // list; a crossing order is a deadlock that mailTransaction runs again (tx.ts).
    const { rows } = await client.query<Gone>(
      `WITH gone AS (
         DELETE FROM messages m USING unnest($2::bigint[], $3::bigint[]) r(lo, hi)
          WHERE m.mailbox_id = $1 AND m.uid BETWEEN r.lo AND r.hi AND (NOT $4::boolean OR '\\Deleted' = ANY (m.flags))
         RETURNING m.uid, m.size, m.blob_hash AS hash, '\\Seen' = ANY (m.flags) AS seen
       ), kept AS (
         INSERT INTO expunged_messages (mailbox_id, uid, modseq) SELECT $1, uid, $5 FROM gone
       ), counters AS (
         UPDATE mailboxes SET highest_modseq = $5, message_count = message_count - g.n,
                unseen_count = unseen_count - g.unseen, total_bytes = total_bytes - g.bytes
           FROM (SELECT count(*) AS n, count(*) FILTER (WHERE NOT seen) AS unseen, COALESCE(sum(size), 0) AS bytes FROM gone) g
          WHERE id = $1 AND g.n > 0
       ), released AS (
         UPDATE blobs b SET refcount = b.refcount - r.n
           FROM (SELECT hash, count(*) AS n FROM gone GROUP BY hash ORDER BY hash) r
          WHERE b.hash = r.hash
         RETURNING b.hash, b.refcount
       ), collectable AS (
         -- store/blob-refs.ts adjustBlobRef: a blob no row points at is noted for the collector
         INSERT INTO blob_gc (hash) SELECT hash FROM released WHERE refcount = 0 ON CONFLICT (hash) DO UPDATE SET since = now()
       )
       SELECT uid, hash FROM gone`,
      [mailbox.id, lo, hi, deletedOnly, modseq],
    );
    if (rows.length === 0) return { uids: [], modseq: null, changes: [] };
    const gone = rows.map((r) => r.uid).sort((a, b) => a - b);
    return { uids: gone, modseq, changes: [{ type: 'expunge', mailboxId: mailbox.id, uids: gone, modseq }] };
  });
}
