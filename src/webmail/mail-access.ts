import type { Account } from '../identity/accounts.js';
import { getAccountById } from '../identity/accounts.js';
import { auditDelegationUse, delegatedMailboxesFor } from '../identity/delegations.js';
import { activeInspection, auditInspectionOpen, listInspections, type Inspection } from '../identity/inspections.js';
import { getMailboxById, type Mailbox } from '../mail/mailboxes.js';
import { PageError, type WebContext } from './context.js';

/** A folder a page may show, with whose it is and what the reader may do with it. */
export interface OpenedMailbox {
  mailbox: Mailbox;
  owner: Account;
  /** the reader's own folder (false: an agency mailbox read through a delegation, or an inspection) */
  own: boolean;
  /**
   * nothing may change, not even the \Seen flag: during a security inspection, and for a
   * delegation with read but not send rights (the same rule as IMAP's rights: read alone
   * is `lr`, read and send `lrswite`)
   */
  readOnly: boolean;
  /** the security inspection that opens it, when that is how the reader gets in */
  inspection?: Inspection | undefined;
}

/**
 * The one check every page that touches a folder makes. The folder is:
 * - the reader's own;
 * - an agency mailbox delegated to them with read rights (with send rights too, staff
 *   work the office mailbox: they may mark, move and delete; with read alone it is
 *   read-only); reading it is audited (delegation.read) when `audit` is set: once per
 *   folder page shown, not per message listed;
 * - a mailbox under an approved, unexpired security inspection of which the reader is
 *   the auditor: read-only, and each message opened is audited (`noteMessageOpened`).
 * Checked at each request, so a withdrawn delegation or an ended inspection closes the
 * page at once; anything else looks exactly like a missing folder (404).
 */
export async function openMailbox(ctx: WebContext, mailboxId: number, options: { audit?: boolean } = {}): Promise<OpenedMailbox> {
  const reader = ctx.account;
  if (!reader) throw new Error('openMailbox needs a logged-in account');
  const notFound = () => new PageError(404, ctx.t('error.not-found'));
  if (!Number.isSafeInteger(mailboxId) || mailboxId <= 0) throw notFound();
  const mailbox = await getMailboxById(ctx.deps.db, mailboxId);
  if (!mailbox) throw notFound();
  if (mailbox.accountId === reader.id) return { mailbox, owner: reader, own: true, readOnly: false };
  const delegation = (await delegatedMailboxesFor(ctx.deps.db, reader.id)).find((d) => d.account.id === mailbox.accountId && d.canRead);
  if (delegation) {
    const owner = delegation.account;
    if (options.audit) await auditDelegationUse(ctx.deps.db, { delegate: reader, mailbox: owner, action: 'read', source: ctx.ip, data: { folder: mailbox.name, via: 'webmail' } });
    return { mailbox, owner, own: false, readOnly: !delegation.canSend };
  }
  const inspection = await activeInspection(ctx.deps.db, reader.id, mailbox.accountId);
  if (!inspection) throw notFound();
  return { mailbox, owner: await getAccountById(ctx.deps.db, mailbox.accountId), own: false, readOnly: true, inspection };
}

/** Call when a message is shown: during an inspection it is an audit event (inspection.open). */
export async function noteMessageOpened(
  ctx: WebContext,
  opened: OpenedMailbox,
  message: { uid: number; messageId?: string | null; subject?: string | null },
): Promise<void> {
  if (opened.inspection) await auditInspectionOpen(ctx.deps.db, opened.inspection, { folder: opened.mailbox.name, ...message }, ctx.ip);
}

/** The mailboxes the reader may switch to: their own first, the agency mailboxes delegated to them, then those under an inspection they run. */
export async function readableMailboxOwners(ctx: WebContext): Promise<Array<{ account: Account; own: boolean; canSend: boolean; readOnly: boolean }>> {
  const reader = ctx.account;
  if (!reader) throw new Error('readableMailboxOwners needs a logged-in account');
  const delegated = (await delegatedMailboxesFor(ctx.deps.db, reader.id)).filter((d) => d.canRead);
  const inspected = (await listInspections(ctx.deps.db, { auditorId: reader.id })).filter((i) => i.state === 'active');
  const inspectedAccounts = await Promise.all([...new Set(inspected.map((i) => i.mailboxId))].map((id) => getAccountById(ctx.deps.db, id)));
  return [
    { account: reader, own: true, canSend: true, readOnly: false },
    ...delegated.map((d) => ({ account: d.account, own: false, canSend: d.canSend, readOnly: !d.canSend })),
    ...inspectedAccounts.map((account) => ({ account, own: false, canSend: false, readOnly: true })),
  ];
}
