import { listMailboxNames, mailboxStatus, mailboxStatusByName, SEPARATOR, type MailboxStatus } from '../../mail/index.js';
import { hasRight } from '../acl-rights.js';
import { requireRight, resolveMailbox, sharedFolders, sharedListNames, SHARED_PREFIX, type SharedFolder } from '../mailbox-access.js';
import type { Session } from '../session.js';
import { AUTHENTICATED, type Command } from '../command.js';
import { atom, mailboxValue, untagged, type ImapValue } from '../protocol/response-writer.js';
import type { StatusItem } from '../protocol/list-args.js';

/** RFC 9051 §6.3.9, with LIST-EXTENDED (RFC 5258), LIST-STATUS (RFC 5819) and SPECIAL-USE attributes (RFC 6154 §2) */
export const list: Command<'LIST'> = {
  states: AUTHENTICATED,
  async run(session, args) {
    // RFC 9051 §6.3.9: LIST "" "" asks for the hierarchy delimiter and the root
    if (args.patterns.length === 1 && args.patterns[0] === '') {
      session.send(untagged(atom('LIST'), [atom('\\Noselect')], SEPARATOR, ''));
      return;
    }
    const shared = await sharedFolders(session);
    const sharedByName = new Map(shared.map((f) => [f.name, f]));
    const entries = await listMailboxNames(session.ctx.db, session.account!.id, {
      extra: sharedListNames(shared),
      reference: args.reference,
      patterns: args.patterns,
      subscribedOnly: args.selection.subscribed,
      recursiveMatch: args.selection.recursiveMatch,
      specialUseOnly: args.selection.specialUse,
      returnSubscribed: args.returns.subscribed || args.selection.subscribed,
    });
    for (const e of entries) {
      // RFC 5258 §4: ("CHILDINFO" ("SUBSCRIBED")) for a name listed for a subscribed descendant
      const extra: ImapValue[] = e.childInfo ? [['CHILDINFO', [...e.childInfo]]] : [];
      session.send(untagged(atom('LIST'), e.attributes.map(atom), SEPARATOR, mailboxValue(e.name, session.utf8), ...extra));
      // RFC 5819 §2: no STATUS for a name that is \Noselect or \NonExistent
      if (args.returns.status && !e.attributes.includes('\\Noselect') && !e.attributes.includes('\\NonExistent')) {
        const status = await listedStatus(session, e.name, sharedByName.get(e.name)).catch(() => null);
        if (status) session.send(statusLine(session.utf8, e.name, args.returns.status, status));
      }
    }
  },
};

/** RFC 3501 §6.3.9: LSUB lists subscribed names */
export const lsub: Command<'LSUB'> = {
  states: AUTHENTICATED,
  async run(session, { reference, pattern }) {
    if (pattern === '') {
      session.send(untagged(atom('LSUB'), [atom('\\Noselect')], SEPARATOR, ''));
      return;
    }
    const extra = sharedListNames(await sharedFolders(session));
    const entries = await listMailboxNames(session.ctx.db, session.account!.id, { reference, patterns: [pattern], subscribedOnly: true, extra });
    for (const e of entries) {
      const attrs = e.attributes.filter((a) => a !== '\\Subscribed' && a !== '\\NonExistent');
      if (e.attributes.includes('\\NonExistent')) attrs.push('\\Noselect');
      session.send(untagged(atom('LSUB'), attrs.map(atom), SEPARATOR, mailboxValue(e.name, session.utf8)));
    }
  },
};

/**
 * RFC 2342 §5: the personal namespace, and "Shared/" as the Other Users' Namespace (other
 * accounts' folders under their addresses, mailbox-access.ts; Dovecot answers its
 * shared/%u namespace the same way); no namespace shared by everyone.
 */
export const namespace: Command<'NAMESPACE'> = {
  states: AUTHENTICATED,
  async run(session) {
    session.send(untagged(atom('NAMESPACE'), [['', SEPARATOR]], [[SHARED_PREFIX + SEPARATOR, SEPARATOR]], null));
  },
};

const STATUS_VALUE: Record<StatusItem, (s: MailboxStatus) => number> = {
  MESSAGES: (s) => s.messages,
  UIDNEXT: (s) => s.uidNext,
  UIDVALIDITY: (s) => s.uidValidity,
  UNSEEN: (s) => s.unseen,
  DELETED: (s) => s.deleted,
  SIZE: (s) => s.size,
  // \Recent is not kept (RFC 9051 dropped it)
  RECENT: () => 0,
  HIGHESTMODSEQ: (s) => s.highestModseq,
  // RFC 9208 §4.2.2: what EXPUNGE would free, in units of 1024 octets, as STORAGE counts
  'DELETED-STORAGE': (s) => Math.ceil(s.deletedBytes / 1024),
};

function statusLine(utf8: boolean, name: string, items: readonly StatusItem[], s: MailboxStatus): Buffer {
  return untagged(atom('STATUS'), mailboxValue(name, utf8), items.flatMap((i) => [atom(i), STATUS_VALUE[i](s)]));
}

/** LIST-STATUS of a listed name: own folders by name, shared ones by the folder LIST found (with "r", RFC 4314 §4) */
async function listedStatus(session: Session, name: string, shared: SharedFolder | undefined): Promise<MailboxStatus | null> {
  if (!shared) return mailboxStatusByName(session.ctx.db, session.account!.id, name);
  return hasRight(shared.rights, 'r') ? mailboxStatus(session.ctx.db, shared.mailbox.id) : null;
}

/** RFC 9051 §6.3.11 */
export const status: Command<'STATUS'> = {
  states: AUTHENTICATED,
  async run(session, { mailbox, items }) {
    const access = await resolveMailbox(session, mailbox);
    // RFC 4314 §4: STATUS needs "r"
    requireRight(access, 'r', 'read the folder status');
    const s = await mailboxStatus(session.ctx.db, access.mailbox.id);
    session.send(statusLine(session.utf8, mailbox, items, s));
  },
};
