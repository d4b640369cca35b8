import type pg from 'pg';
import type { Db } from '../store/db.js';
import type { BlobStore } from '../store/blob-store.js';
import { canonicalFlags } from './flags.js';
import { checkQuota, type QuotaLimits } from './quota.js';
import { lockMailboxes, lockedOne, mailTransaction } from './tx.js';
import { addMessageBlobRefs } from './message-blobs.js';
import { rangeArrays, type UidSet } from './uid-set.js';
import type { MailboxChange } from './notify.js';

export interface TransferInput {
  sourceMailboxId: number;
  uids: UidSet;
  targetMailboxId: number;
  /** limits of the target folder's account; null: not checked */
  targetQuota?: QuotaLimits | null;
}

export interface TransferResult {
  /** RFC 4315 §3 COPYUID: the target's UIDVALIDITY, and source and target UIDs in corresponding order */
  uidValidity: number;
  sourceUids: number[];
  targetUids: number[];
  changes: MailboxChange[];
}

interface SourceRow {
  uid: number;
  flags: string[];
  size: number;
  hash: string;
}

/**
 * Copies or moves messages inside the caller's transaction. A move takes the rows
 * across (blob references stay as they are); the source records the UIDs as expunged
 * at its new MODSEQ. New UIDs follow the source UID order (RFC 4315 §3).
 */
export async function transferMessages(
  client: pg.PoolClient,
  blobs: BlobStore | null,
  input: TransferInput & { move: boolean },
): Promise<TransferResult> {
  const locked = await lockMailboxes(client, [input.sourceMailboxId, input.targetMailboxId]);
  const source = lockedOne(locked, input.sourceMailboxId);
  const target = lockedOne(locked, input.targetMailboxId);
  const { lo, hi } = rangeArrays(input.uids);
  const { rows } = await client.query<SourceRow>(
    `SELECT m.uid, m.flags, m.size, m.blob_hash AS hash
       FROM unnest($2::bigint[], $3::bigint[]) r(lo, hi)
       JOIN messages m ON m.mailbox_id = $1 AND m.uid BETWEEN r.lo AND r.hi
      ORDER BY m.uid`,
    [source.id, lo, hi],
  );
  if (rows.length === 0) return { uidValidity: target.uidValidity, sourceUids: [], targetUids: [], changes: [] };

  const bytes = rows.reduce((n, r) => n + r.size, 0);
  const unseen = rows.filter((r) => !r.flags.includes('\\Seen')).length;
  // a move inside one account changes no usage
  if (!input.move || source.accountId !== target.accountId) await checkQuota(client, target.accountId, input.targetQuota ?? undefined, bytes, rows.length);

  // keywords in the target's spelling (flags.ts); new ones join its FLAGS list
  const keywords = [...target.keywords];
  const flags = rows.map((r) => {
    const c = canonicalFlags(r.flags, keywords);
    keywords.push(...c.added);
    return c.flags.join(' ');
  });
  const sourceUids = rows.map((r) => r.uid);
  const targetUids = rows.map((_, i) => target.uidNext + i);
  // one MODSEQ for the whole command; a move within one folder uses it for both sides
  const modseq = target.highestModseq + 1;
  const sourceModseq = source.id === target.id ? modseq : source.highestModseq + 1;
  const pairs = [sourceUids, targetUids, flags];

  if (input.move) {
    await client.query(
      `UPDATE messages m SET mailbox_id = $2, uid = x.new_uid, modseq = $3, flags = string_to_array(x.flags, ' '), delivery_key = NULL
         FROM unnest($4::bigint[], $5::bigint[], $6::text[]) x(uid, new_uid, flags)
        WHERE m.mailbox_id = $1 AND m.uid = x.uid`,
      [source.id, target.id, modseq, ...pairs],
    );
    // RFC 6851 §3.3 + RFC 7162 §3.2.10: the source sees the moved UIDs as expunged
    await client.query('INSERT INTO expunged_messages (mailbox_id, uid, modseq) SELECT $1, unnest($2::bigint[]), $3', [source.id, sourceUids, sourceModseq]);
    await client.query(
      `UPDATE mailboxes SET message_count = message_count - $2, unseen_count = unseen_count - $3,
              total_bytes = total_bytes - $4, highest_modseq = $5
        WHERE id = $1`,
      [source.id, rows.length, unseen, bytes, sourceModseq],
    );
  } else {
    await client.query(
      `INSERT INTO messages (mailbox_id, uid, modseq, flags, internal_date, size, blob_hash,
                             subject, from_text, to_text, sent_date, message_id)
       SELECT $2, x.new_uid, $3, string_to_array(x.flags, ' '), m.internal_date, m.size, m.blob_hash,
              m.subject, m.from_text, m.to_text, m.sent_date, m.message_id
         FROM unnest($4::bigint[], $5::bigint[], $6::text[]) x(uid, new_uid, flags)
         JOIN messages m ON m.mailbox_id = $1 AND m.uid = x.uid`,
      [source.id, target.id, modseq, ...pairs],
    );
    if (!blobs) throw new Error('copying messages needs the blob store');
    await addMessageBlobRefs(client, blobs, rows);
  }
  await client.query(
    `UPDATE mailboxes SET uid_next = $2, highest_modseq = $3, message_count = message_count + $4,
            unseen_count = unseen_count + $5, total_bytes = total_bytes + $6, keywords = $7
      WHERE id = $1`,
    [target.id, target.uidNext + rows.length, modseq, rows.length, unseen, bytes, keywords],
  );

  const changes: MailboxChange[] = [];
  // a move within one folder is one change at one MODSEQ, announced as new messages (whose
  // readers find the expunged UIDs with them): two changes never share a MODSEQ (notify.ts)
  if (input.move && source.id !== target.id) changes.push({ type: 'expunge', mailboxId: source.id, uids: sourceUids, modseq: sourceModseq });
  changes.push({ type: 'exists', mailboxId: target.id, uid: targetUids[targetUids.length - 1]!, modseq });
  return { uidValidity: target.uidValidity, sourceUids, targetUids, changes };
}

/** RFC 9051 §6.4.7 COPY / UID COPY, with RFC 4315 COPYUID data. Throws QuotaExceededError (NO [OVERQUOTA]). */
export async function copyMessages(db: Db, blobs: BlobStore, input: TransferInput): Promise<TransferResult> {
  return mailTransaction(db, (client) => transferMessages(client, blobs, { ...input, move: false }));
}

/** RFC 6851 MOVE / UID MOVE: atomic, with COPYUID data and the source's expunged UIDs in `changes`. */
export async function moveMessages(db: Db, input: TransferInput): Promise<TransferResult> {
  return mailTransaction(db, (client) => transferMessages(client, null, { ...input, move: true }));
}
