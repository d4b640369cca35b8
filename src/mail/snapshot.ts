import type { Queryable } from '../store/db.js';
import { UserError } from '../shared/errors.js';
import { toMailbox, type Mailbox, type MailboxRow } from './mailboxes.js';
import { sortFlags } from './flags.js';

/**
 * What SELECT/EXAMINE needs to number messages: every UID in order, with its flags and
 * MODSEQ, and the folder's counters, all from one snapshot (one statement). Arrays are
 * parallel and compact; equal flag lists share one array.
 */
export interface MailboxSnapshot {
  mailbox: Mailbox;
  /** ascending; message sequence number n is uids[n - 1] */
  uids: number[];
  modseqs: number[];
  flags: ReadonlyArray<readonly string[]>;
}

interface Row extends MailboxRow {
  s_uids: string | null;
  s_modseqs: string | null;
  s_flags: string | null;
}

const NO_FLAGS: readonly string[] = Object.freeze([]);

const numbers = (csv: string | null): number[] => (csv ? csv.split(',').map(Number) : []);

export async function mailboxSnapshot(db: Queryable, mailboxId: number): Promise<MailboxSnapshot> {
  // strings, not arrays: string_agg is the cheapest way to carry 10,000+ rows in one value;
  // flags are atoms (no SP, no CTL), so SP and LF can separate them
  const { rows } = await db.query<Row>(
    `SELECT mb.*, s.s_uids, s.s_modseqs, s.s_flags
       FROM mailboxes mb
      CROSS JOIN LATERAL (
        SELECT string_agg(m.uid::text, ',' ORDER BY m.uid) AS s_uids,
               string_agg(m.modseq::text, ',' ORDER BY m.uid) AS s_modseqs,
               string_agg(array_to_string(m.flags, ' '), E'\\n' ORDER BY m.uid) AS s_flags
          FROM messages m WHERE m.mailbox_id = mb.id) s
      WHERE mb.id = $1`,
    [mailboxId],
  );
  const row = rows[0];
  if (!row) throw new UserError('no-such-mailbox', 'the folder no longer exists');
  // RFC 9051 §6.3.2: a \Noselect name cannot be selected
  if (row.noselect) throw new UserError('noselect', `"${row.name}" is only a level in the folder tree and holds no messages`);
  const interned = new Map<string, readonly string[]>();
  const flags = row.s_flags === null
    ? []
    : row.s_flags.split('\n').map((joined) => {
        if (joined === '') return NO_FLAGS;
        let f = interned.get(joined);
        if (!f) interned.set(joined, (f = Object.freeze(sortFlags(joined.split(' ')))));
        return f;
      });
  return { mailbox: toMailbox(row), uids: numbers(row.s_uids), modseqs: numbers(row.s_modseqs), flags };
}
