import { createMailbox, deleteMailbox, renameMailbox, subscribeMailbox, unsubscribeMailbox } from '../../mail/index.js';
import { AUTHENTICATED, type Command } from '../command.js';
import { ImapNo } from '../errors.js';

/** RFC 9051 §6.3.4; RFC 6154 §3 CREATE-SPECIAL-USE is not announced, so only the first USE is kept */
export const create: Command<'CREATE'> = {
  states: AUTHENTICATED,
  // RFC 9051 §6.3.4: CREATE of an existing name, INBOX included, is NO [ALREADYEXISTS] (mail's 'already-exists')
  async run(session, { mailbox }) {
    await createMailbox(session.ctx.db, session.account!.id, mailbox);
  },
};

/** RFC 9051 §6.3.5 */
export const del: Command<'DELETE'> = {
  states: AUTHENTICATED,
  async run(session, { mailbox }) {
    const { changes } = await deleteMailbox(session.ctx.db, session.account!.id, mailbox);
    session.ctx.events.publish(changes);
  },
};

/** RFC 9051 §6.3.6 */
export const rename: Command<'RENAME'> = {
  states: AUTHENTICATED,
  async run(session, { from, to }) {
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

export const noSuchMailbox = (name: string) => new ImapNo('NONEXISTENT', `There is no folder "${name}"`);
