import { auditDelegationUse } from '../../identity/delegations.js';
import { ALL_UIDS, changesSince, expungeMessages, mailboxSnapshot, MAX_UID, SEPARATOR, type UidSet } from '../../mail/index.js';
import { AUTHENTICATED, SELECTED, type Command } from '../command.js';
import { ImapBad } from '../errors.js';
import { hasRight, writesAllowed } from '../acl-rights.js';
import { isSharedName, requireRight, resolveMailbox } from '../mailbox-access.js';
import { atom, codes, formatSequenceSet, mailboxValue, untagged, untaggedStatus } from '../protocol/response-writer.js';
import type { QresyncParams, SelectArgs } from '../protocol/select-args.js';
import { resolveSequenceSet, type SequenceSet } from '../protocol/sequence-set.js';
import { permanentFlagAtoms, SelectedMailbox } from '../selected-mailbox.js';
import type { Session } from '../session.js';

async function open(session: Session, { mailbox: name, condstore, qresync }: SelectArgs, examine: boolean) {
  let readOnly = examine;
  // RFC 7162 §3.2.5: the QRESYNC parameter without ENABLE QRESYNC first is BAD
  if (qresync && !session.qresync) throw new ImapBad('QRESYNC needs ENABLE QRESYNC first (RFC 7162 section 3.2.5)');
  // RFC 7162 §3.1.8: SELECT/EXAMINE (CONDSTORE) enables CONDSTORE
  if (condstore) session.condstore = true;
  // RFC 9051 §6.3.2: a SELECT ends the current selection first, even when it then fails;
  // RFC 7162 §3.2.11, RFC 9051 §7.1: [CLOSED] marks where the old folder's responses end
  const previous = session.deselect();
  if (previous) session.send(untaggedStatus('OK', 'Previous folder is now closed', 'CLOSED'));
  try {
    return await openAfterClosing(session, name, readOnly, examine, previous, qresync);
  } catch (err) {
    // the old view stops listening too
    session.select(null);
    throw err;
  }
}

async function openAfterClosing(session: Session, name: string, readOnly: boolean, examine: boolean, previous: SelectedMailbox | null, qresync: QresyncParams | null) {
  // the session's own folder again: its view with the changes heard of since, or found and caught up in one read (selected-mailbox.ts)
  const reopened = previous && !isSharedName(name) ? await previous.reopenOwn(session.ctx.db, session.account!.id, name, readOnly, session.heardChanges(previous)) : null;
  const { sel, shownName } = reopened ? { sel: reopened, shownName: reopened.name } : await openFolder(session, name, readOnly, previous);
  readOnly = sel.readOnly;
  session.send(untagged(atom('FLAGS'), permanentFlagAtoms(sel.keywords, false)));
  session.send(untagged(sel.exists, atom('EXISTS')));
  if (session.rev2) {
    // RFC 9051 §6.3.2: a LIST response gives the folder's name as the server spells it
    session.send(untagged(atom('LIST'), [], SEPARATOR, mailboxValue(shownName, true)));
  } else {
    // RFC 3501 §6.3.1: RECENT and the first unseen message, for IMAP4rev1 clients (IMAP4rev2 dropped both)
    session.send(untagged(0, atom('RECENT')));
    const firstUnseen = sel.uids.findIndex((uid) => !sel.flagsOf(uid).includes('\\Seen'));
    if (firstUnseen >= 0) session.send(untaggedStatus('OK', 'First unseen', codes.unseen(firstUnseen + 1)));
  }
  session.send(untaggedStatus('OK', 'UIDs valid', codes.uidValidity(sel.uidValidity)));
  session.send(untaggedStatus('OK', 'Predicted next UID', codes.uidNext(sel.uidNext)));
  // RFC 7162 §3.1.2.1: every SELECT/EXAMINE of a folder with persistent MODSEQs
  session.send(untaggedStatus('OK', 'Highest', codes.highestModseq(sel.highestModseq)));
  // RFC 9051 §7.1: PERMANENTFLAGS; an EXAMINEd folder takes no changes
  session.send(untaggedStatus('OK', readOnly ? 'No permanent flags' : 'Flags allowed', { name: 'PERMANENTFLAGS', args: [readOnly ? [] : permanentFlagAtoms(sel.keywords, true)] }));
  sel.vanished = session.qresync;
  session.select(sel);
  if (qresync && qresync.uidValidity === sel.uidValidity) await resync(session, sel, qresync);
  const text = examine ? 'EXAMINE completed' : readOnly ? 'SELECT completed; your access to this folder is read-only' : 'SELECT completed';
  return { text, code: readOnly ? 'READ-ONLY' : 'READ-WRITE' };
}

/** a folder by any name, with the session's rights on it: its messages read, or the previous view of it caught up */
async function openFolder(session: Session, name: string, readOnly: boolean, previous: SelectedMailbox | null): Promise<{ sel: SelectedMailbox; shownName: string }> {
  const access = await resolveMailbox(session, name);
  // RFC 4314 §4: SELECT and EXAMINE need "r"; SELECT is read-only without a right that changes the folder
  requireRight(access, 'r', 'read messages');
  if (!writesAllowed(access.rights)) readOnly = true;
  const mailbox = access.mailbox;
  if (access.delegated) {
    // one audit event per opening of a delegated agency mailbox, before it is opened (identity/delegations.ts)
    await auditDelegationUse(session.ctx.db, { delegate: session.account!, mailbox: access.owner, action: 'read', source: session.remoteAddress, data: { protocol: 'imap', folder: mailbox.name, readOnly } });
  }
  await session.ctx.events.watch(mailbox.id, session);
  let sel: SelectedMailbox;
  try {
    // the same folder again: catch the old view up rather than read every message (selected-mailbox.ts)
    sel = previous?.id === mailbox.id ? await previous.reopen(session.ctx.db, readOnly, mailbox) : new SelectedMailbox(await mailboxSnapshot(session.ctx.db, mailbox.id), readOnly);
  } catch (err) {
    session.ctx.events.unwatch(mailbox.id, session);
    throw err;
  }
  sel.rights = access.rights;
  if (access.shared) {
    sel.owner = access.owner;
    sel.name = access.name;
  }
  return { sel, shownName: access.name };
}

/**
 * RFC 7162 §3.2.5.2: what changed since the client's MODSEQ, among the UIDs it knows (all
 * of them when it names none): VANISHED (EARLIER) for the expunged ones, then FETCH
 * (UID FLAGS MODSEQ) for the changed ones. Every expunged UID is kept with its MODSEQ
 * (expunged_messages), so the sequence match data is not needed to narrow the answer.
 */
async function resync(session: Session, sel: SelectedMailbox, q: QresyncParams): Promise<void> {
  const known = q.knownUids ? uidRanges(q.knownUids) : ALL_UIDS;
  const changes = await changesSince(session.ctx.db, sel.id, q.modseq, known);
  // a UID expunged after the view was taken is still in it: the next update announces it
  const vanished = changes.vanished.filter((uid) => sel.seqOf(uid) === 0);
  if (vanished.length) session.send(untagged(atom('VANISHED'), [atom('EARLIER')], atom(formatSequenceSet(vanished))));
  for (const c of changes.changed) {
    const seq = sel.seqOf(c.uid);
    if (seq === 0) continue;
    sel.setFlags(c.uid, c.flags);
    session.send(untagged(seq, atom('FETCH'), [atom('UID'), c.uid, atom('FLAGS'), c.flags.map(atom), atom('MODSEQ'), [c.modseq]]));
  }
}

/** a UID set without "*" or "$" (RFC 7162 §7 known-uids) as the store's ranges */
export const uidRanges = (set: SequenceSet): UidSet => resolveSequenceSet(set, MAX_UID);

/** RFC 9051 §6.3.2 */
export const select: Command<'SELECT'> = {
  states: AUTHENTICATED,
  run: (session, args) => open(session, args, false),
};

/** RFC 9051 §6.3.3 */
export const examine: Command<'EXAMINE'> = {
  states: AUTHENTICATED,
  run: (session, args) => open(session, args, true),
};

/** RFC 9051 §6.4.1: removes \Deleted messages silently (no EXPUNGE responses), then deselects */
export const close: Command<'CLOSE'> = {
  states: SELECTED,
  async run(session) {
    const sel = session.selected!;
    session.select(null);
    // RFC 4314 §4: CLOSE expunges only with "e"; without it the folder is just closed
    if (!sel.readOnly && hasRight(sel.rights, 'e')) {
      await session.ctx.events.change({ mailboxIds: [sel.id] }, () => expungeMessages(session.ctx.db, sel.id));
    }
  },
};

/** RFC 3691 §2: deselect without expunging */
export const unselect: Command<'UNSELECT'> = {
  states: SELECTED,
  async run(session) {
    session.select(null);
  },
};

/** RFC 9051 §6.4.1 (CHECK is NOOP in IMAP4rev2) */
export const check: Command<'CHECK'> = {
  states: SELECTED,
  async run(session) {
    session.selected!.stale = true;
  },
};
