import type { Db } from '../store/db.js';
import { canonicalFlags, sortFlags } from './flags.js';
import { lockMailboxes, lockedOne, mailTransaction } from './tx.js';
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
 * STORE / UID STORE. One MODSEQ for the whole command (RFC 7162 §3.1: each STORE gets a
 * MODSEQ of its own; messages it changes share it). A message whose flags would not
 * change keeps its MODSEQ. unseen_count and the folder's keyword list stay in step.
 */
export async function storeFlags(db: Db, input: StoreFlagsInput): Promise<StoreFlagsResult> {
  return mailTransaction(db, async (client) => {
    const mailbox = lockedOne(await lockMailboxes(client, [input.mailboxId]), input.mailboxId);
    const canonical = canonicalFlags(input.flags, mailbox.keywords);
    const flags = canonical.flags;
    // removing a keyword the folder never had does not make it one of the folder's keywords
    const added = input.action === 'remove' ? [] : canonical.added;
    const modseq = mailbox.highestModseq + 1;
    const { lo, hi } = rangeArrays(input.uids);
    // one statement changes the messages and settles the folder's row (HIGHESTMODSEQ, unseen
    // count, keywords) from what it changed: a round trip less for every STORE
    const { rows } = await client.query<Row>(
      `WITH target AS (
         SELECT m.id, m.uid, m.flags, m.modseq,
                -- RFC 7162 §3.1.3: changed only if its MODSEQ is <= UNCHANGEDSINCE
                ($5::bigint IS NULL OR m.modseq <= $5) AS passed,
                CASE $4
                  WHEN 'set' THEN $6::text[]
                  WHEN 'add' THEN ARRAY(SELECT DISTINCT f FROM unnest(m.flags || $6::text[]) f)
                  ELSE ARRAY(SELECT f FROM unnest(m.flags) f WHERE f <> ALL ($6::text[]))
                END AS new
           FROM unnest($2::bigint[], $3::bigint[]) r(lo, hi)
           JOIN messages m ON m.mailbox_id = $1 AND m.uid BETWEEN r.lo AND r.hi
       ), updated AS (
         UPDATE messages m SET flags = t.new, modseq = $7
           FROM target t
          WHERE m.id = t.id AND t.passed AND NOT (t.new @> t.flags AND t.flags @> t.new)
         RETURNING m.id, ('\\Seen' = ANY (t.flags))::int - ('\\Seen' = ANY (t.new))::int AS unseen_delta
       ), folder AS (
         UPDATE mailboxes SET highest_modseq = CASE WHEN u.n > 0 THEN $7 ELSE highest_modseq END,
                unseen_count = unseen_count + u.unseen_delta, keywords = keywords || $8::text[]
           FROM (SELECT count(*) AS n, COALESCE(sum(unseen_delta), 0) AS unseen_delta FROM updated) u
          WHERE id = $1 AND (u.n > 0 OR cardinality($8::text[]) > 0)
       )
       SELECT t.uid, t.flags AS old, t.new, t.modseq, t.passed, (u.id IS NOT NULL) AS changed
         FROM target t LEFT JOIN updated u ON u.id = t.id
        ORDER BY t.uid`,
      [mailbox.id, lo, hi, input.action, input.unchangedSince ?? null, flags, modseq, added],
    );

    const result: StoreFlagsResult = { updated: [], unchanged: [], modified: [], modseq: null, changes: [] };
    for (const r of rows) {
      if (!r.passed) result.modified.push(r.uid);
      else if (!r.changed) result.unchanged.push({ uid: r.uid, flags: sortFlags(r.old), modseq: r.modseq });
      else result.updated.push({ uid: r.uid, flags: sortFlags(r.new), modseq });
    }
    if (result.updated.length === 0) return result;
    result.modseq = modseq;
    const uids = result.updated.map((u) => u.uid);
    // the new flags ride along, so selected sessions need not read them back (notify.ts)
    if (uids.length <= MAX_FLAGS_IN_CHANGE) result.changes.push({ type: 'flags', mailboxId: mailbox.id, uids, modseq, flags: result.updated.map((u) => u.flags) });
    else result.changes.push({ type: 'flags', mailboxId: mailbox.id, uids, modseq });
    return result;
  });
}
