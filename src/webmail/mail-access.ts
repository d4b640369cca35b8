import type { Account } from '../identity/accounts.js';
import { getAccountById } from '../identity/accounts.js';
import { auditDelegationUse, delegatedMailboxesFor, mayReadMailboxOf } from '../identity/delegations.js';
import { getMailboxById, type Mailbox } from '../mail/mailboxes.js';
import { PageError, type WebContext } from './context.js';

/** A folder a page may show, with whose it is and whether the reader may change it. */
export interface OpenedMailbox {
  mailbox: Mailbox;
  owner: Account;
  /** the reader's own folder (false: an agency mailbox read through a delegation) */
  own: boolean;
}

/**
 * The one check every page that touches a folder makes: the folder is the reader's own,
 * or belongs to an agency mailbox delegated to them with read rights (checked at each
 * request, so a withdrawn delegation closes the page at once). Reading a delegated
 * mailbox is audited (delegation.read) when `audit` is set: once per folder page shown,
 * not per message listed.
 */
export async function openMailbox(ctx: WebContext, mailboxId: number, options: { audit?: boolean } = {}): Promise<OpenedMailbox> {
  const reader = ctx.account;
  if (!reader) throw new Error('openMailbox needs a logged-in account');
  const notFound = () => new PageError(404, ctx.t('error.not-found'));
  if (!Number.isSafeInteger(mailboxId) || mailboxId <= 0) throw notFound();
  const mailbox = await getMailboxById(ctx.deps.db, mailboxId);
  // someone else's folder looks exactly like a missing one
  if (!mailbox) throw notFound();
  if (mailbox.accountId === reader.id) return { mailbox, owner: reader, own: true };
  if (!(await mayReadMailboxOf(ctx.deps.db, reader.id, mailbox.accountId))) throw notFound();
  const owner = await getAccountById(ctx.deps.db, mailbox.accountId);
  if (options.audit) await auditDelegationUse(ctx.deps.db, { delegate: reader, mailbox: owner, action: 'read', source: ctx.ip, data: { folder: mailbox.name, via: 'webmail' } });
  return { mailbox, owner, own: false };
}

/** The mailboxes the reader may switch to: their own first, then the agency mailboxes delegated to them for reading. */
export async function readableMailboxOwners(ctx: WebContext): Promise<Array<{ account: Account; own: boolean; canSend: boolean }>> {
  const reader = ctx.account;
  if (!reader) throw new Error('readableMailboxOwners needs a logged-in account');
  const delegated = (await delegatedMailboxesFor(ctx.deps.db, reader.id)).filter((d) => d.canRead);
  return [{ account: reader, own: true, canSend: true }, ...delegated.map((d) => ({ account: d.account, own: false, canSend: d.canSend }))];
}
