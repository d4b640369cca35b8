import type { Db } from '../store/db.js';
import { UserError } from '../shared/errors.js';
import { sortFlags } from './flags.js';
import { readSnapshot } from './tx.js';
import { rangeArrays, ALL_UIDS, type UidSet } from './uid-set.js';
import type { MessageFlags } from './store-flags.js';

export interface ChangesSince {
  /** messages added or whose flags changed after the MODSEQ, ascending by UID */
  changed: MessageFlags[];
  /** RFC 7162 §3.2.10 VANISHED (EARLIER): UIDs expunged after the MODSEQ, ascending */
  vanished: number[];
  /** the folder's HIGHESTMODSEQ in the same snapshot */
  highestModseq: number;
}

/**
 * What changed in a folder since `modseq`: CONDSTORE FETCH CHANGEDSINCE (RFC 7162
 * §3.1.4.1) and QRESYNC SELECT (RFC 7162 §3.2.5), optionally limited to `uids` (the
 * client's known UIDs). All three answers come from one snapshot.
 */
export async function changesSince(db: Db, mailboxId: number, modseq: number, uids: UidSet = ALL_UIDS): Promise<ChangesSince> {
  const { lo, hi } = rangeArrays(uids);
  return readSnapshot(db, async (client) => {
    const { rows: mb } = await client.query<{ highest_modseq: number }>('SELECT highest_modseq FROM mailboxes WHERE id = $1', [mailboxId]);
    if (!mb[0]) throw new UserError('no-such-mailbox', 'the folder no longer exists');
    const { rows: changed } = await client.query<MessageFlags>(
      `SELECT m.uid, m.flags, m.modseq
         FROM unnest($2::bigint[], $3::bigint[]) r(lo, hi)
         JOIN messages m ON m.mailbox_id = $1 AND m.uid BETWEEN r.lo AND r.hi
        WHERE m.modseq > $4
        ORDER BY m.uid`,
      [mailboxId, lo, hi, modseq],
    );
    const { rows: vanished } = await client.query<{ uid: number }>(
      `SELECT e.uid
         FROM unnest($2::bigint[], $3::bigint[]) r(lo, hi)
         JOIN expunged_messages e ON e.mailbox_id = $1 AND e.uid BETWEEN r.lo AND r.hi
        WHERE e.modseq > $4
        ORDER BY e.uid`,
      [mailboxId, lo, hi, modseq],
    );
    return {
      changed: changed.map((c) => ({ uid: c.uid, flags: sortFlags(c.flags), modseq: c.modseq })),
      vanished: vanished.map((v) => v.uid),
      highestModseq: mb[0].highest_modseq,
    };
  });
}
