import { copyMessages, moveMessages, uidSetOf } from '../../mail/index.js';
import { appendTarget } from './append.js';
import { requireRight } from '../mailbox-access.js';
import { SELECTED, type Command, type CommandInfo, type Outcome } from '../command.js';
import { ImapNo } from '../errors.js';
import { codes, untaggedStatus } from '../protocol/response-writer.js';
import type { SequenceSet } from '../protocol/sequence-set.js';
import type { Session } from '../session.js';

async function transfer(session: Session, set: SequenceSet, mailbox: string, info: CommandInfo, move: boolean): Promise<Outcome | void> {
  const sel = session.selected!;
  if (move) {
    // RFC 4314 §4: MOVE takes the messages out: "t" and "e" on the source, as STORE \Deleted and EXPUNGE would
    requireRight(sel, 't', 'move messages out');
    requireRight(sel, 'e', 'move messages out');
    if (sel.readOnly) throw new ImapNo('READ-ONLY', 'The folder is open read-only (EXAMINE)');
  }
  const uids = sel.uidsOf(set, info.uid);
  const access = await appendTarget(session, mailbox);
  // RFC 4314 §4: COPY (and MOVE) need "i" on the target
  requireRight(access, 'i', 'add messages');
  const target = access.mailbox;
  if (uids.length === 0) return;
  const input = { sourceMailboxId: sel.id, uids: uidSetOf(uids), targetMailboxId: target.id, targetQuota: { quotaBytes: access.owner.quotaBytes } };
  const result = await session.ctx.events.change({ mailboxIds: [sel.id, target.id] }, () => (move ? moveMessages(session.ctx.db, input) : copyMessages(session.ctx.db, session.ctx.blobs, input)));
  const copyUid = result.sourceUids.length ? codes.copyUid(result.uidValidity, result.sourceUids, result.targetUids) : null;
  if (!move) return { code: copyUid };
  // RFC 6851 §4.3: COPYUID in an untagged OK before the EXPUNGE responses
  if (copyUid) session.send(untaggedStatus('OK', 'Moved', copyUid));
  for (const line of sel.expunge(result.sourceUids)) session.send(line);
}

/** RFC 9051 §6.4.7, COPYUID (RFC 4315 §3) */
export const copy: Command<'COPY'> = {
  states: SELECTED,
  run: (session, { set, mailbox }, info) => transfer(session, set, mailbox, info, false),
};

/** RFC 6851 §3.1 */
export const move: Command<'MOVE'> = {
  states: SELECTED,
  run: (session, { set, mailbox }, info) => transfer(session, set, mailbox, info, true),
};
