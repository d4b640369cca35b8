import { findAccount, type Account } from '../identity/accounts.js';
import { delegatedMailboxesFor } from '../identity/delegations.js';
import { ancestorsOf, findMailbox, grantedRights, listMailboxes, mailboxesSharedWith, SEPARATOR, type ExtraListName, type Mailbox } from '../mail/index.js';
import { canonicalRights, delegationRights, hasRight, OWNER_RIGHTS } from './acl-rights.js';
import { ImapNo } from './errors.js';
import type { Session } from './session.js';
import { untaggedStatus } from './protocol/response-writer.js';

/**
 * The shared folders, answered as RFC 2342 §5's Other Users' Namespace: a
 * folder another account lets this one see is named "Shared/<owner address>/<folder>",
 * with the personal namespace's delimiter. Rights come from the delegation of an agency
 * mailbox (identity) and from the owner's grants on single folders (mail/mailbox-grants.ts),
 * and are looked up again by every command that names a folder, so a withdrawn right
 * takes effect at once.
 */
export const SHARED_PREFIX = 'Shared';

/** A folder as a command may use it: whose it is and what this session may do with it. */
export interface MailboxAccess {
  mailbox: Mailbox;
  /** the account the folder belongs to; the session's own account for its own folders */
  owner: Account;
  /** the name the session uses ("Shared/…" for another account's folder) */
  name: string;
  shared: boolean;
  /** RFC 4314 §2.1 letters, canonical order */
  rights: string;
  /** some of the rights come from a delegation of an agency mailbox (its use is audited) */
  delegated: boolean;
}

/** A folder of another account this session sees, for LIST. */
export interface SharedFolder {
  name: string;
  mailbox: Mailbox;
  ownerAddress: string;
  rights: string;
}

type SharedName = { kind: 'level' } | { kind: 'folder'; address: string; folder: string };

/** "Shared" and "Shared/<address>" are levels; "Shared/<address>/<folder>" a folder; null outside the namespace. */
export function parseSharedName(name: string): SharedName | null {
  if (name === SHARED_PREFIX) return { kind: 'level' };
  if (!name.startsWith(SHARED_PREFIX + SEPARATOR)) return null;
  const rest = name.slice(SHARED_PREFIX.length + 1);
  const cut = rest.indexOf(SEPARATOR);
  if (cut < 0 || cut === rest.length - 1) return { kind: 'level' };
  return { kind: 'folder', address: rest.slice(0, cut).toLowerCase(), folder: rest.slice(cut + 1) };
}

export const isSharedName = (name: string): boolean => parseSharedName(name) !== null;

export const sharedName = (ownerAddress: string, folder: string): string => [SHARED_PREFIX, ownerAddress, folder].join(SEPARATOR);

export const noSuchFolder = (name: string) => new ImapNo('NONEXISTENT', `There is no folder "${name}"`);

/** The rights `viewer` holds on a folder of `owner` (another account): delegation and grant together. */
export async function rightsOn(session: Session, owner: Account, mailboxId: number): Promise<{ rights: string; delegated: boolean }> {
  const db = session.ctx.db;
  const viewer = session.account!;
  const current = await findAccount(db, owner.address);
  if (!current || current.status !== 'active') return { rights: '', delegated: false };
  const delegation = current.kind === 'agency' ? (await delegatedMailboxesFor(db, viewer.id)).find((d) => d.account.id === current.id) : undefined;
  const fromDelegation = delegation ? delegationRights(delegation) : '';
  const granted = await grantedRights(db, mailboxId, viewer.id);
  return { rights: canonicalRights(fromDelegation + granted), delegated: fromDelegation !== '' };
}

/**
 * Finds a folder by the name the session uses. A folder of another account without any
 * right is answered as missing (RFC 4314 §6: do not reveal that it exists).
 */
export async function resolveMailbox(session: Session, name: string): Promise<MailboxAccess> {
  const db = session.ctx.db;
  const account = session.account!;
  const parsed = parseSharedName(name);
  if (!parsed) {
    const mailbox = await findMailbox(db, account.id, name);
    if (!mailbox) throw noSuchFolder(name);
    return { mailbox, owner: account, name: mailbox.name, shared: false, rights: OWNER_RIGHTS, delegated: false };
  }
  if (parsed.kind === 'level') throw new ImapNo('CANNOT', `"${name}" is only a level of the shared folders and holds no messages`);
  const owner = await findAccount(db, parsed.address);
  if (!owner || owner.id === account.id) throw noSuchFolder(name);
  const mailbox = await findMailbox(db, owner.id, parsed.folder);
  if (!mailbox) throw noSuchFolder(name);
  const { rights, delegated } = await rightsOn(session, owner, mailbox.id);
  if (!rights) throw noSuchFolder(name);
  return { mailbox, owner, name: sharedName(owner.address, mailbox.name), shared: true, rights, delegated };
}

/**
 * RFC 4314 §4: a command needs a right on the folder. Without it: NO [NOPERM] with what
 * is missing, or, without even the lookup right, as if the folder did not exist (§6).
 */
export function requireRight(access: { name: string; rights: string }, right: string, doing: string): void {
  if (hasRight(access.rights, right)) return;
  if (!hasRight(access.rights, 'l') && !hasRight(access.rights, 'r')) throw noSuchFolder(access.name);
  throw new ImapNo('NOPERM', `You may not ${doing} in "${access.name}": your access to it does not include that`);
}

/**
 * Before a command in another account's folder, its rights are read again, so a
 * withdrawn delegation or grant takes effect at once. Without "r" left, the session ends
 * as when the selected folder is deleted (RFC 9051 §7.1.5 BYE); returns false then.
 */
export async function recheckSelectedAccess(session: Session): Promise<boolean> {
  const sel = session.selected;
  if (!sel?.owner) return true;
  const { rights } = await rightsOn(session, sel.owner, sel.id);
  sel.rights = rights;
  if (hasRight(rights, 'r')) return true;
  session.send(untaggedStatus('BYE', `Your access to "${sel.name}" was withdrawn`));
  session.close();
  return false;
}

/** Every folder of other accounts this session may see (RFC 4314 "l"), by shared name. */
export async function sharedFolders(session: Session): Promise<SharedFolder[]> {
  const db = session.ctx.db;
  const viewer = session.account!;
  const byName = new Map<string, SharedFolder>();
  const add = (ownerAddress: string, mailbox: Mailbox, rights: string) => {
    const name = sharedName(ownerAddress, mailbox.name);
    const known = byName.get(name);
    byName.set(name, { name, mailbox, ownerAddress, rights: canonicalRights((known?.rights ?? '') + rights) });
  };
  for (const d of await delegatedMailboxesFor(db, viewer.id)) {
    const rights = delegationRights(d);
    if (rights) for (const mailbox of await listMailboxes(db, d.account.id)) add(d.account.address, mailbox, rights);
  }
  for (const s of await mailboxesSharedWith(db, viewer.id)) add(s.ownerAddress, s.mailbox, s.rights);
  return [...byName.values()].filter((f) => hasRight(f.rights, 'l'));
}

/** The shared folders as LIST names, with the levels above them ("Shared", "Shared/<address>", parents not shared) as \Noselect. */
export function sharedListNames(folders: readonly SharedFolder[]): ExtraListName[] {
  const out = new Map<string, ExtraListName>();
  // no special-use attributes: a client would take another account's Sent for its own (RFC 6154 §2 makes them optional)
  for (const f of folders) out.set(f.name, { name: f.name, noselect: f.mailbox.noselect, specialUse: null });
  for (const f of folders) {
    for (const level of ancestorsOf(f.name)) if (!out.has(level)) out.set(level, { name: level, noselect: true, specialUse: null });
  }
  return [...out.values()];
}
