import { expungeMessages, findMailbox, mailboxSnapshot } from '../../mail/index.js';
import { AUTHENTICATED, SELECTED, type Command } from '../command.js';
import { ImapNo } from '../errors.js';
import { atom, codes, untagged, untaggedStatus } from '../protocol/response-writer.js';
import { permanentFlagAtoms, SelectedMailbox } from '../selected-mailbox.js';
import type { Session } from '../session.js';

async function open(session: Session, name: string, readOnly: boolean, condstore: boolean) {
  // RFC 7162 §3.1.8: SELECT/EXAMINE (CONDSTORE) enables CONDSTORE
  if (condstore) session.condstore = true;
  // RFC 9051 §6.3.2: a SELECT ends the current selection first, even when it then fails
  session.select(null);
  const mailbox = await findMailbox(session.ctx.db, session.account!.id, name);
  if (!mailbox) throw new ImapNo('NONEXISTENT', `There is no folder "${name}"`);
  await session.ctx.events.watch(mailbox.id, session);
  let sel: SelectedMailbox;
  try {
    sel = new SelectedMailbox(await mailboxSnapshot(session.ctx.db, mailbox.id), readOnly);
  } catch (err) {
    session.ctx.events.unwatch(mailbox.id, session);
    throw err;
  }
  const snap = sel;
  session.send(untagged(atom('FLAGS'), permanentFlagAtoms(snap.keywords, false)));
  session.send(untagged(snap.exists, atom('EXISTS')));
  session.send(untagged(0, atom('RECENT'))); // RFC 3501 §7.3.2, for IMAP4rev1 clients
  const firstUnseen = snap.uids.findIndex((uid) => !snap.flagsOf(uid).includes('\\Seen'));
  if (firstUnseen >= 0) session.send(untaggedStatus('OK', 'First unseen', codes.unseen(firstUnseen + 1)));
  session.send(untaggedStatus('OK', 'UIDs valid', codes.uidValidity(snap.uidValidity)));
  session.send(untaggedStatus('OK', 'Predicted next UID', codes.uidNext(snap.uidNext)));
  // RFC 7162 §3.1.2.1: every SELECT/EXAMINE of a folder with persistent MODSEQs
  session.send(untaggedStatus('OK', 'Highest', codes.highestModseq(snap.highestModseq)));
  // RFC 9051 §7.1: PERMANENTFLAGS; an EXAMINEd folder takes no changes
  session.send(untaggedStatus('OK', readOnly ? 'No permanent flags' : 'Flags allowed', { name: 'PERMANENTFLAGS', args: [readOnly ? [] : permanentFlagAtoms(snap.keywords, true)] }));
  session.select(sel);
  return { text: `${readOnly ? 'EXAMINE' : 'SELECT'} completed`, code: readOnly ? 'READ-ONLY' : 'READ-WRITE' };
}

/** RFC 9051 §6.3.2 */
export const select: Command<'SELECT'> = {
  states: AUTHENTICATED,
  run: (session, { mailbox, condstore }) => open(session, mailbox, false, condstore),
};

/** RFC 9051 §6.3.3 */
export const examine: Command<'EXAMINE'> = {
  states: AUTHENTICATED,
  run: (session, { mailbox, condstore }) => open(session, mailbox, true, condstore),
};

/** RFC 9051 §6.4.1: removes \Deleted messages silently (no EXPUNGE responses), then deselects */
export const close: Command<'CLOSE'> = {
  states: SELECTED,
  async run(session) {
    const sel = session.selected!;
    session.select(null);
    if (!sel.readOnly) {
      const { changes } = await expungeMessages(session.ctx.db, sel.id);
      session.ctx.events.publish(changes);
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
