import type { Db } from '../store/db.js';
import { canonicalFlags, isSystemFlag, KEYWORD_LIMITS, sortFlags } from './flags.js';
import { mailFunction } from './tx.js';
import { ASYNC_COMMIT } from '../store/wal-flush.js';
import { rangeArrays, type UidSet } from './uid-set.js';
import { MAX_FLAGS_IN_CHANGE, type MailboxChange } from './notify.js';

export interface StoreFlagsInput {
  mailboxId: number;
  uids: UidSet;
  /** RFC 9051 §6.4.6: FLAGS replaces, +FLAGS adds, -FLAGS removes */
  action: 'set' | 'add' | 'remove';
  flags: readonly string[];
  /** RFC 7162 §3.1.3 UNCHANGEDSINCE: only messages whose MODSEQ is at most this are changed */
  unchangedSince?: number;
}

export interface MessageFlags {
  uid: number;
  flags: string[];
  modseq: number;
}

export interface StoreFlagsResult {
  /** messages whose flags changed, with their new flags and MODSEQ */
  updated: MessageFlags[];
  /** messages in the set that already had the flags asked for: nothing changed, MODSEQ kept */
  unchanged: MessageFlags[];
  /** RFC 7162 §3.1.3: UIDs that failed the UNCHANGEDSINCE test (the MODIFIED response code) */
  modified: number[];
  /** the MODSEQ the updated messages now have; null when nothing changed */
  modseq: number | null;
  changes: MailboxChange[];
}

interface Row {
  uid: number;
  old: string[];
  new: string[];
  modseq: number;
  passed: boolean;
  changed: boolean;
}

/**
 * STORE / UID STORE: one call of mail_store_flags (migration 027), which locks the folder,
 * changes the messages with one MODSEQ for the whole command (RFC 7162 §3.1: messages it
 * changes share it; one whose flags would not change keeps its MODSEQ), and keeps
 * unseen_count and the folder's keyword list in step. The flags are checked here first.
 * A flag change commits without waiting for the WAL's fsync (store/wal-flush.ts
 * ASYNC_COMMIT), as Dovecot's mail_fsync=optimized leaves flag changes unsynced: the
 * folder's lock goes at once, and a crash of PostgreSQL itself can take back the last
 * fraction of a second of flag changes, never a message.
 */
export async function storeFlags(db: Db, input: StoreFlagsInput): Promise<StoreFlagsResult> {
  // valid flags without duplicates, keywords in the order given; the spelling of a keyword
  // the folder knows is the folder's, settled in the call
  const checked = canonicalFlags(input.flags, []);
  const flags = [...checked.flags.filter(isSystemFlag), ...checked.added];
  const { lo, hi } = rangeArrays(input.uids);
  const rows = await mailFunction<Row>(db, `SELECT f.* FROM ${ASYNC_COMMIT}, mail_store_flags($1, $2, $3, $4, $5, $6, $7) f`, [
    input.mailboxId,
    lo,
    hi,
    input.action,
    input.unchangedSince ?? null,
    flags,
    KEYWORD_LIMITS.maxPerMailbox,
  ]);
  const result: StoreFlagsResult = { updated: [], unchanged: [], modified: [], modseq: null, changes: [] };
  for (const r of rows) {
    if (!r.passed) result.modified.push(r.uid);
    else if (!r.changed) result.unchanged.push({ uid: r.uid, flags: sortFlags(r.old), modseq: r.modseq });
    else result.updated.push({ uid: r.uid, flags: sortFlags(r.new), modseq: r.modseq });
  }
  if (result.updated.length === 0) return result;
  const modseq = result.updated[0]!.modseq;
  result.modseq = modseq;
  const uids = result.updated.map((u) => u.uid);
  // the new flags ride along, so selected sessions need not read them back (notify.ts)
  if (uids.length <= MAX_FLAGS_IN_CHANGE) result.changes.push({ type: 'flags', mailboxId: input.mailboxId, uids, modseq, flags: result.updated.map((u) => u.flags) });
  else result.changes.push({ type: 'flags', mailboxId: input.mailboxId, uids, modseq });
  return result;
}
