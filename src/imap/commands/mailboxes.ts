import { createMailbox, deleteMailbox, renameMailbox, SEPARATOR, subscribeMailbox, unsubscribeMailbox } from '../../mail/index.js';
import { AUTHENTICATED, type Command } from '../command.js';
import { ImapNo } from '../errors.js';
import { isSharedName, SHARED_PREFIX } from '../mailbox-access.js';

/**
 * RFC 4314 §4: CREATE needs "k" on the parent, DELETE and RENAME "x"; other people's
 * folders (the shared namespace) are never given those, so their owners alone shape them.
 */
function refuseShared(name: string, doing: string): void {
  if (isSharedName(name)) throw new ImapNo('NOPERM', `You may not ${doing} under "${SHARED_PREFIX}${SEPARATOR}": those folders belong to other people`);
}

/** RFC 9051 §6.3.4; RFC 6154 §3 CREATE-SPECIAL-USE is not announced, so only the first USE is kept */
export const create: Command<'CREATE'> = {
  states: AUTHENTICATED,
  // RFC 9051 §6.3.4: CREATE of an existing name, INBOX included, is NO [ALREADYEXISTS] (mail's 'already-exists')
  async run(session, { mailbox }) {
    refuseShared(mailbox, 'create folders');
    await createMailbox(session.ctx.db, session.account!.id, mailbox);
  },
};

/** RFC 9051 §6.3.5 */
export const del: Command<'DELETE'> = {
  states: AUTHENTICATED,
  async run(session, { mailbox }) {
    refuseShared(mailbox, 'delete folders');
    const { changes } = await deleteMailbox(session.ctx.db, session.account!.id, mailbox);
    session.ctx.events.publish(changes);
  },
};

/** RFC 9051 §6.3.6 */
export const rename: Command<'RENAME'> = {
  states: AUTHENTICATED,
  async run(session, { from, to }) {
    refuseShared(from, 'rename folders');
    refuseShared(to, 'rename folders');
    const { changes } = await renameMailbox(session.ctx.db, session.account!.id, from, to);
    session.ctx.events.publish(changes);
  },
};

/** RFC 9051 §6.3.7 */
export const subscribe: Command<'SUBSCRIBE'> = {
  states: AUTHENTICATED,
  async run(session, { mailbox }) {
    await subscribeMailbox(session.ctx.db, session.account!.id, mailbox);
  },
};

/** RFC 9051 §6.3.8 */
export const unsubscribe: Command<'UNSUBSCRIBE'> = {
  states: AUTHENTICATED,
  async run(session, { mailbox }) {
    await unsubscribeMailbox(session.ctx.db, session.account!.id, mailbox);
  },
};
