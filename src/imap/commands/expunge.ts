import { expungeMessages, uidSetOf, ALL_UIDS } from '../../mail/index.js';
import { SELECTED, type Command } from '../command.js';
import { ImapNo } from '../errors.js';
import { requireRight } from '../mailbox-access.js';

/** RFC 9051 §6.4.3 EXPUNGE; UID EXPUNGE (RFC 9051 §6.4.9, RFC 4315 §2.1) only touches the UIDs given */
export const expunge: Command<'EXPUNGE'> = {
  states: SELECTED,
  async run(session, { set }) {
    const sel = session.selected!;
    // RFC 4314 §4: EXPUNGE needs "e"
    requireRight(sel, 'e', 'expunge messages');
    if (sel.readOnly) throw new ImapNo('READ-ONLY', 'The folder is open read-only (EXAMINE)');
    let uids = ALL_UIDS;
    if (set) {
      const chosen = sel.uidsOfUidSet(set);
      if (chosen.length === 0) return;
      uids = uidSetOf(chosen);
    }
    const result = await session.ctx.events.change({ mailboxIds: [sel.id] }, () => expungeMessages(session.ctx.db, sel.id, uids));
    for (const line of sel.expunge(result.uids)) session.send(line);
  },
};
