import type { Account } from '../../identity/accounts.js';
import { appendFromClient } from '../../mail/imap-append.js';
import { expungeMessages } from '../../mail/expunge.js';
import { findSpecialMailbox, getMailbox, type SpecialUse } from '../../mail/mailboxes.js';
import { publishMailboxChanges, type MailboxChange } from '../../mail/notify.js';
import { storeFlags } from '../../mail/store-flags.js';
import { uidSetOf } from '../../mail/uid-set.js';
import type { WebContext } from '../context.js';
import type { MessageRef } from './stored-message.js';

const FOLDER_OF: Partial<Record<SpecialUse, string>> = { '\\Sent': 'Sent', '\\Drafts': 'Drafts' };

/** IMAP IDLE and NOTIFY sessions hear of the change as they do of a client's. */
const publish = (ctx: WebContext, changes: readonly MailboxChange[]) =>
  publishMailboxChanges(ctx.deps.redis, ctx.deps.config.redisPrefix, changes).catch(() => {});

/**
 * Appends a message to the account's Sent or Drafts folder the way IMAP APPEND does
 * (quota checked, blob referenced, description stored): the folder with that special use
 * (RFC 6154), or the default folder, made again when missing.
 */
export async function appendToSpecialFolder(ctx: WebContext, account: Account, use: '\\Sent' | '\\Drafts', raw: Buffer, flags: readonly string[]): Promise<MessageRef> {
  const { db, blobs } = ctx.deps;
  const mailbox = (await findSpecialMailbox(db, account.id, use)) ?? (await getMailbox(db, account.id, FOLDER_OF[use]!));
  const blob = await blobs.put([raw]);
  const result = await appendFromClient(db, blobs, { mailboxId: mailbox.id, quota: { quotaBytes: account.quotaBytes }, messages: [{ blobHash: blob.hash, size: blob.size, flags }] });
  await publish(ctx, result.changes);
  return { mailboxId: mailbox.id, uid: result.uids[0]! };
}

/** Adds a flag (\Answered after a reply is sent) as IMAP STORE +FLAGS does. */
export async function addFlag(ctx: WebContext, ref: MessageRef, flag: string): Promise<void> {
  const result = await storeFlags(ctx.deps.db, { mailboxId: ref.mailboxId, uids: uidSetOf([ref.uid]), action: 'add', flags: [flag] });
  await publish(ctx, result.changes);
}

/** Removes one message (a draft that was sent or saved anew): \Deleted, then EXPUNGE of that UID, so IMAP clients see it go. */
export async function removeMessage(ctx: WebContext, ref: MessageRef): Promise<void> {
  await addFlag(ctx, ref, '\\Deleted');
  const result = await expungeMessages(ctx.deps.db, ref.mailboxId, uidSetOf([ref.uid]));
  await publish(ctx, result.changes);
}
