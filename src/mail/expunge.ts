import type { Db } from '../store/db.js';
import { mailFunction } from './tx.js';
import { ASYNC_COMMIT } from '../store/wal-flush.js';
import { rangeArrays, ALL_UIDS, type UidSet } from './uid-set.js';
import type { MailboxChange } from './notify.js';

export interface ExpungeResult {
  /** expunged UIDs, ascending */
  uids: number[];
  /** the MODSEQ of the removal (RFC 7162 §3.2.10: VANISHED since a MODSEQ); null when nothing went */
  modseq: number | null;
  changes: MailboxChange[];
}

/**
 * EXPUNGE (RFC 9051 §6.4.3) and UID EXPUNGE (RFC 9051 §6.4.9, RFC 4315 §2.1): removes
 * the messages flagged \Deleted, all of them or those in `uids`, in one call of
 * mail_expunge (migration 027). Their UIDs are kept in expunged_messages with the MODSEQ
 * of the removal, for QRESYNC; their blob references are released (the blob goes when no
 * row points at it). Like a flag change it commits without waiting for the WAL's fsync
 * (store-flags.ts): a crash of PostgreSQL itself within a fraction of a second can bring an
 * expunged message back, never lose one.
 */
export async function expungeMessages(db: Db, mailboxId: number, uids: UidSet = ALL_UIDS, options: { deletedOnly?: boolean } = {}): Promise<ExpungeResult> {
  // retention removes messages whatever their flags; a client's EXPUNGE only the \Deleted ones
  const deletedOnly = options.deletedOnly ?? true;
  const { lo, hi } = rangeArrays(uids);
  const rows = await mailFunction<{ uid: number; modseq: number }>(db, `SELECT f.* FROM ${ASYNC_COMMIT}, mail_expunge($1, $2, $3, $4) f`, [mailboxId, lo, hi, deletedOnly]);
  if (rows.length === 0) return { uids: [], modseq: null, changes: [] };
  const gone = rows.map((r) => r.uid);
  const modseq = rows[0]!.modseq;
  return { uids: gone, modseq, changes: [{ type: 'expunge', mailboxId, uids: gone, modseq }] };
}
