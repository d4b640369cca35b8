import type { Queryable } from '../store/db.js';
import { UserError } from '../shared/errors.js';
import { toMailbox, type Mailbox, type MailboxRow } from './mailboxes.js';
import { sortFlags } from './flags.js';
import { storedFolderName } from './mailbox-names.js';

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
  return { mailbox: toMailbox(row), uids: numbers(row.s_uids), modseqs: numbers(row.s_modseqs), flags: flagLists(row.s_flags) };
}

/** Flag lists joined by SP, one per line; equal lists share one frozen array. */
function flagLists(joinedLines: string | null): ReadonlyArray<readonly string[]> {
  if (joinedLines === null) return [];
  const interned = new Map<string, readonly string[]>();
  return joinedLines.split('\n').map((joined) => {
    if (joined === '') return NO_FLAGS;
    let f = interned.get(joined);
    if (!f) interned.set(joined, (f = Object.freeze(sortFlags(joined.split(' ')))));
    return f;
  });
}

/**
 * What a selected session needs to catch up after `modseq` (its view's last HIGHESTMODSEQ):
 * the folder row, the messages added or re-flagged since (parallel arrays as in the
 * snapshot) and the UIDs expunged since (expunged_messages). Every change to a folder's
 * messages takes its row lock and raises highest_modseq in the same transaction, so one
 * statement sees a consistent cut: a change is either in it, with its modseq, or not yet.
 * Reading only the changes, instead of every message on each notification, is what keeps
 * a shared folder with several open sessions cheap (RFC 7162 §3.1.4's own idea, server-side).
 */
export interface MailboxChangesSince extends MailboxSnapshot {
  /** UIDs expunged after `modseq` (not ordered) */
  expunged: number[];
}

interface ChangesRow extends Row {
  s_expunged: string | null;
}

export async function mailboxChangesSince(db: Queryable, mailboxId: number, modseq: number): Promise<MailboxChangesSince> {
  const found = await changesSince(db, 'mb.id = $1', [mailboxId, modseq]);
  if (!found) throw new UserError('no-such-mailbox', 'the folder no longer exists');
  return found;
}

/**
 * The same for an account's folder by name (INBOX in any case): a SELECT of the folder a
 * view shows finds it and catches the view up in one read. Undefined when no folder has
 * the name; the caller compares the id with its view's.
 */
export async function ownMailboxChangesSince(db: Queryable, accountId: number, name: string, modseq: number): Promise<MailboxChangesSince | undefined> {
  return changesSince(db, 'mb.account_id = $1 AND mb.name = $3', [accountId, modseq, storedFolderName(name)]);
}

async function changesSince(db: Queryable, where: string, params: unknown[]): Promise<MailboxChangesSince | undefined> {
  const { rows } = await db.query<ChangesRow>(
    `SELECT mb.*, s.s_uids, s.s_modseqs, s.s_flags, e.s_expunged
       FROM mailboxes mb
      CROSS JOIN LATERAL (
        SELECT string_agg(m.uid::text, ',' ORDER BY m.uid) AS s_uids,
               string_agg(m.modseq::text, ',' ORDER BY m.uid) AS s_modseqs,
               string_agg(array_to_string(m.flags, ' '), E'\\n' ORDER BY m.uid) AS s_flags
          FROM messages m WHERE m.mailbox_id = mb.id AND m.modseq > $2) s
      CROSS JOIN LATERAL (
        SELECT string_agg(x.uid::text, ',') AS s_expunged
          FROM expunged_messages x WHERE x.mailbox_id = mb.id AND x.modseq > $2) e
      WHERE ${where}`,
    params,
  );
  const row = rows[0];
  if (!row) return undefined;
  return {
    mailbox: toMailbox(row),
    uids: numbers(row.s_uids),
    modseqs: numbers(row.s_modseqs),
    flags: flagLists(row.s_flags),
    expunged: numbers(row.s_expunged),
  };
}
