import { appendAudit } from '../../audit/audit-log.js';
import { findAccount, type Account } from '../../identity/accounts.js';
import { tryNormalizeAddress } from '../../identity/address.js';
import { listDelegations } from '../../identity/delegations.js';
import { grantedRights, grantsOnMailbox, removeMailboxGrant, setMailboxGrant } from '../../mail/index.js';
import { transaction } from '../../store/db.js';
import { canonicalRights, delegationRights, GRANTABLE_RIGHTS, OWNER_RIGHTS, parseRights, withObsoleteRights } from '../acl-rights.js';
import { AUTHENTICATED, type Command } from '../command.js';
import { ImapBad, ImapNo } from '../errors.js';
import { requireRight, resolveMailbox, type MailboxAccess } from '../mailbox-access.js';
import { atom, mailboxValue, untagged, type ImapValue } from '../protocol/response-writer.js';
import type { Session } from '../session.js';

/**
 * IMAP ACL (RFC 4314). Identifiers are the addresses people log in with. The owner of a
 * folder holds every right; a person shares an own folder with a colleague of the same
 * domain by SETACL (mail/mailbox-grants.ts); the delegation of an agency mailbox to staff
 * shows as read-only entries, since HR manages it through identity (CLI and admin API).
 */

/** RFC 4314 §3.6: rights = astring; letters are an atom, no rights the empty string */
const rightsValue = (rights: string): ImapValue => (rights ? atom(rights) : '');

/** RFC 4314 §3: the identifier is prepared (SASLprep, approximated by NFKC); one that comes out empty is BAD */
function identifierOf(raw: string): string {
  const id = raw.normalize('NFKC').trim();
  if (id === '') throw new ImapBad('An ACL identifier cannot be empty (RFC 4314 section 3)');
  return id;
}

/** The delegates of an agency mailbox with their rights as RFC 4314 letters (nothing for other accounts). */
async function delegatesOf(session: Session, owner: Account): Promise<Map<string, string>> {
  const out = new Map<string, string>();
  if (owner.kind !== 'agency') return out;
  for (const d of await listDelegations(session.ctx.db, owner.id)) {
    const rights = d.mailbox.address === owner.address ? delegationRights(d) : '';
    if (rights) out.set(d.delegate.address, rights);
  }
  return out;
}

/** A folder whose access list the session may read or change: RFC 4314 §4, GETACL, LISTRIGHTS, SETACL and DELETEACL need "a". */
async function administered(session: Session, name: string): Promise<MailboxAccess> {
  const access = await resolveMailbox(session, name);
  requireRight(access, 'a', 'see or change who has access');
  return access;
}

/** The account an identifier names, when it may be given rights on the owner's folder. */
async function colleague(session: Session, owner: Account, identifier: string): Promise<Account> {
  // RFC 4314 §2: "anyone" and negative rights ("-name") are the server's to support; these are not
  if (identifier.toLowerCase() === 'anyone' || identifier.startsWith('-')) {
    throw new ImapNo('CANNOT', `Folders are shared with named colleagues only; "${identifier}" is not supported`);
  }
  const address = tryNormalizeAddress(identifier);
  const grantee = address ? await findAccount(session.ctx.db, address) : undefined;
  if (!grantee) throw new ImapNo(null, `There is no account "${identifier}"; name a colleague by the address they log in with`);
  if (grantee.id === owner.id) throw new ImapNo('CANNOT', `${owner.address} owns this folder and keeps every right on it`);
  if (grantee.kind !== 'person') throw new ImapNo('CANNOT', `${grantee.address} is not a person's account; folders are shared with people`);
  if (grantee.domainId !== owner.domainId) throw new ImapNo('CANNOT', `Folders can be shared only with colleagues of ${owner.address.split('@')[1]}`);
  return grantee;
}

/** A delegation is HR's to change: SETACL and DELETEACL leave its entries alone. */
function refuseDelegate(delegates: Map<string, string>, grantee: Account, owner: Account): void {
  if (delegates.has(grantee.address)) {
    throw new ImapNo('NOPERM', `${grantee.address} reads ${owner.address} by a delegation, which HR manages with the administrators; it cannot be changed here`);
  }
}

/** RFC 4314 §3.6: ACL mailbox *(identifier rights) */
export const getAcl: Command<'GETACL'> = {
  states: AUTHENTICATED,
  async run(session, { mailbox }) {
    const access = await administered(session, mailbox);
    const entries = new Map<string, string>([[access.owner.address, OWNER_RIGHTS]]);
    for (const [address, rights] of await delegatesOf(session, access.owner)) entries.set(address, rights);
    for (const g of await grantsOnMailbox(session.ctx.db, access.mailbox.id)) entries.set(g.granteeAddress, canonicalRights((entries.get(g.granteeAddress) ?? '') + g.rights));
    const pairs: ImapValue[] = [...entries].flatMap(([id, rights]) => [id, rightsValue(withObsoleteRights(rights))]);
    session.send(untagged(atom('ACL'), mailboxValue(access.name, session.utf8), ...pairs));
  },
};

/** RFC 4314 §3.7: LISTRIGHTS mailbox identifier required-rights *(optional-rights) */
export const listRights: Command<'LISTRIGHTS'> = {
  states: AUTHENTICATED,
  async run(session, args) {
    const identifier = identifierOf(args.identifier);
    const access = await administered(session, args.mailbox);
    const owner = access.owner;
    let required = '';
    let optional: string[] = [];
    if (tryNormalizeAddress(identifier) === owner.address) required = OWNER_RIGHTS;
    else {
      const grantee = await colleague(session, owner, identifier);
      const delegated = (await delegatesOf(session, owner)).get(grantee.address);
      // a delegation's rights are fixed here; a colleague may be given each grantable right on its own ("d" = "te")
      if (delegated) required = delegated;
      else optional = [...GRANTABLE_RIGHTS, 'd'];
    }
    // RFC 4314 §3.7: the identifier as the client gave it
    session.send(untagged(atom('LISTRIGHTS'), mailboxValue(access.name, session.utf8), args.identifier, rightsValue(withObsoleteRights(required)), ...optional.map(rightsValue)));
  },
};

/** RFC 4314 §3.8: MYRIGHTS mailbox rights; any right on the folder lets one ask */
export const myRights: Command<'MYRIGHTS'> = {
  states: AUTHENTICATED,
  async run(session, { mailbox }) {
    const access = await resolveMailbox(session, mailbox);
    session.send(untagged(atom('MYRIGHTS'), mailboxValue(access.name, session.utf8), rightsValue(withObsoleteRights(access.rights))));
  },
};

/** RFC 4314 §3.1: SETACL mailbox identifier [+|-]rights; an empty result removes the entry */
export const setAcl: Command<'SETACL'> = {
  states: AUTHENTICATED,
  async run(session, args) {
    // RFC 4314 §3.1: an unrecognized right is BAD, whatever else is wrong
    const asked = parseRights(args.rights);
    const identifier = identifierOf(args.identifier);
    const access = await administered(session, args.mailbox);
    const grantee = await colleague(session, access.owner, identifier);
    refuseDelegate(await delegatesOf(session, access.owner), grantee, access.owner);
    const current = await grantedRights(session.ctx.db, access.mailbox.id, grantee.id);
    const next =
      args.mode === 'replace' ? asked : args.mode === 'add' ? canonicalRights(current + asked) : [...current].filter((r) => !asked.includes(r)).join('');
    const beyond = [...next].filter((r) => !GRANTABLE_RIGHTS.includes(r));
    if (beyond.length) {
      throw new ImapNo('CANNOT', `A colleague can be given only "${GRANTABLE_RIGHTS}" (lookup, read, seen, flags, insert, delete and expunge messages), not "${beyond.join('')}"`);
    }
    await changeGrant(session, access, grantee, current, next);
  },
};

/** RFC 4314 §3.2: DELETEACL mailbox identifier; an identifier without an entry is no error */
export const deleteAcl: Command<'DELETEACL'> = {
  states: AUTHENTICATED,
  async run(session, args) {
    const identifier = identifierOf(args.identifier);
    const access = await administered(session, args.mailbox);
    const grantee = await colleague(session, access.owner, identifier);
    refuseDelegate(await delegatesOf(session, access.owner), grantee, access.owner);
    const current = await grantedRights(session.ctx.db, access.mailbox.id, grantee.id);
    await changeGrant(session, access, grantee, current, '');
  },
};

/** Stores the grantee's new rights ('' removes the grant) and audits the change, in one transaction. */
async function changeGrant(session: Session, access: MailboxAccess, grantee: Account, before: string, after: string): Promise<void> {
  if (before === after) return;
  const actor = session.account!.address;
  await transaction(session.ctx.db, async (client) => {
    if (after) await setMailboxGrant(client, { mailboxId: access.mailbox.id, granteeId: grantee.id, rights: after, createdBy: actor });
    else await removeMailboxGrant(client, access.mailbox.id, grantee.id);
    await appendAudit(client, {
      actor,
      action: after ? 'mailbox.acl.set' : 'mailbox.acl.delete',
      target: access.owner.address,
      source: session.remoteAddress,
      ...(access.owner.agencyId !== null ? { agencyId: access.owner.agencyId } : {}),
      data: { folder: access.mailbox.name, grantee: grantee.address, before, after },
    });
  });
}
