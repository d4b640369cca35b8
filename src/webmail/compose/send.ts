import type { Account } from '../../identity/accounts.js';
import { auditDelegationUse } from '../../identity/delegations.js';
import { sendAsGrant } from '../../identity/recipients.js';
import { acceptMessage } from '../../delivery/accept.js';
import type { SpoolRecipientInput } from '../../delivery/spool.js';
import { checkRecipient } from '../../smtp/envelope-checks.js';
import { withinMessageRate } from '../../smtp/rate-limits.js';
import { SmtpReject } from '../../shared/errors.js';
import type { UploadedFile } from '../forms.js';
import type { WebContext } from '../context.js';
import { buildMessage, newMessageId, type OutgoingFile } from './build-message.js';
import { parseRecipients, type ComposeState } from './compose-state.js';
import { addFlag, appendToSpecialFolder, removeMessage } from './folders.js';
import { attachmentsOf, loadStoredMessage, parseAttachmentRef, parseMessageRef } from './stored-message.js';
import { COMPOSE, type ComposeText } from './strings.js';

/** Why a message was not sent: the HTTP status of the form shown again, and the sentence above it. */
export interface Refusal {
  status: 400 | 403 | 413 | 429;
  text: string;
}

export type SendOutcome = { sent: true } | { sent: false; refusal: Refusal };

/** The sender the form chose, with the account whose Sent folder keeps the copy. */
export interface Sender {
  address: string;
  name: string;
  /** the logged-in account, or the agency mailbox sent as through a delegation */
  mailbox: Account;
  delegated: boolean;
}

/**
 * RFC 6409 §8 as submission enforces it: the From address is the user's own, an alias
 * that reaches them, or an agency mailbox delegated to them with the right to send.
 */
export async function senderOf(ctx: WebContext, account: Account, address: string): Promise<Sender | undefined> {
  const grant = await sendAsGrant(ctx.deps.db, account, address);
  if (!grant) return undefined;
  if (grant.via === 'delegation') return { address: grant.mailbox.address, name: grant.mailbox.displayName, mailbox: grant.mailbox, delegated: true };
  return { address: address.toLowerCase(), name: account.displayName, mailbox: account, delegated: false };
}

/**
 * Attachments of stored messages the form carries by reference (a forward's, a
 * reopened draft's): each message is opened through the webmail's access check again.
 */
export async function keptAttachments(ctx: WebContext, refs: readonly string[]): Promise<Array<OutgoingFile & { ref: string }>> {
  const out: Array<OutgoingFile & { ref: string }> = [];
  const byMessage = new Map<string, Awaited<ReturnType<typeof attachmentsOf>>>();
  for (const text of new Set(refs)) {
    const ref = parseAttachmentRef(text);
    if (!ref) continue;
    const key = `${ref.mailboxId}:${ref.uid}`;
    if (!byMessage.has(key)) byMessage.set(key, attachmentsOf(await loadStoredMessage(ctx, ref)));
    const found = byMessage.get(key)![ref.index];
    if (found) out.push(found);
  }
  return out;
}

export const uploadedFiles = (files: readonly UploadedFile[]): OutgoingFile[] =>
  files.map((f) => ({ filename: f.filename, contentType: f.contentType, content: f.content }));

/**
 * Sends what the compose form holds, under the rules authenticated SMTP submission
 * applies (the same functions): sender ownership, the recipient count, each recipient as
 * RCPT TO checks it (unknown, disabled or full mailboxes, group posting rules), the
 * message size, the per-IP message rate. Then the message is made durable and spooled
 * (blob store, acceptMessage) exactly like a submitted one, a copy with Bcc kept goes to
 * the sender mailbox's Sent folder with \Seen, the message answered gets \Answered and a
 * draft that was sent is removed.
 */
export async function sendComposed(ctx: WebContext, account: Account, state: ComposeState, uploads: readonly OutgoingFile[]): Promise<SendOutcome> {
  const t = ctx.strings(COMPOSE);
  const { config, db } = ctx.deps;
  const refuse = (status: Refusal['status'], text: string): SendOutcome => ({ sent: false, refusal: { status, text } });

  const sender = await senderOf(ctx, account, state.from);
  if (!sender) return refuse(403, t('refuse.from', { address: state.from }));

  const recipients = [...parseRecipients(state.to), ...parseRecipients(state.cc), ...parseRecipients(state.bcc)];
  const unique = [...new Map(recipients.map((r) => [r.address.toLowerCase(), r.address])).values()];
  if (unique.length === 0) return refuse(400, t('refuse.no-recipients'));
  // RFC 5321 §4.5.3.1.8: the limit submission applies per message
  if (unique.length > config.smtp.maxRecipients) return refuse(400, t('refuse.too-many', { max: config.smtp.maxRecipients }));

  const routes: SpoolRecipientInput[] = [];
  for (const address of unique) {
    try {
      const route = await checkRecipient(db, address, { accountId: account.id, address: sender.address }, true);
      routes.push({ address: address.toLowerCase(), route });
    } catch (err) {
      if (err instanceof SmtpReject) return refuse(400, recipientRefusal(t, address, err));
      throw err;
    }
  }

  const files = [...(await keptAttachments(ctx, state.keep)), ...uploads];
  const messageId = newMessageId(config.hostname);
  const from = { name: sender.name, address: sender.address };
  const raw = await buildMessage(state, { from, files, messageId, keepBcc: false });
  // RFC 1870: the size submission announces and enforces
  if (raw.length > config.smtp.maxMessageBytes) {
    return refuse(413, t('refuse.too-large', { size: ctx.format.size(raw.length), max: ctx.format.size(config.smtp.maxMessageBytes) }));
  }
  if (!(await withinMessageRate(ctx.deps.redis, config.redisPrefix, ctx.ip, config.smtp.maxMessagesPerIpPerMinute))) return refuse(429, t('refuse.rate'));

  // every use of a delegation is audited before the message is accepted, as submission does
  if (sender.delegated) {
    const data = { envelopeFrom: sender.address, from: [sender.address], recipients: unique, messageId, via: 'webmail' };
    await auditDelegationUse(db, { delegate: account, mailbox: sender.mailbox, action: 'send', source: ctx.ip, data });
  }
  const blob = await ctx.deps.blobs.put([raw]);
  await acceptMessage(
    ctx.deps,
    {
      blob, mailFrom: sender.address, source: 'submission', accountId: account.id, clientIp: ctx.ip, helo: null,
      recipients: routes, expiresAt: new Date(Date.now() + config.delivery.maxQueueHours * 3_600_000),
    },
    () => ctx.deps.blobs.put([raw]),
  );

  // the message is the server's now; what follows must not make the user send it twice
  await afterSending(ctx, state, sender, async () => buildMessage(state, { from, files, messageId, keepBcc: true }));
  return { sent: true };
}

async function afterSending(ctx: WebContext, state: ComposeState, sender: Sender, sentCopy: () => Promise<Buffer>): Promise<void> {
  const log = ctx.deps.log;
  const step = async (what: string, run: () => Promise<unknown>) => {
    try {
      await run();
    } catch (err) {
      log.warn({ err: (err as Error).message, what }, 'webmail: a message was sent but a step after it failed');
    }
  };
  // the Sent copy goes to the mailbox the message was sent as (an agency's Sent folder for its staff to see)
  await step('sent copy', async () => appendToSpecialFolder(ctx, sender.mailbox, '\\Sent', await sentCopy(), ['\\Seen']));
  const answered = parseMessageRef(state.answers);
  if (answered) {
    await step('answered flag', async () => {
      await loadStoredMessage(ctx, answered);
      await addFlag(ctx, answered, '\\Answered');
    });
  }
  const draft = parseMessageRef(state.draft);
  if (draft) await step('draft removal', async () => removeDraft(ctx, draft));
}

/** Removes a draft after it was sent or saved anew: only from the user's own Drafts folder, never another message. */
export async function removeDraft(ctx: WebContext, ref: { mailboxId: number; uid: number }): Promise<void> {
  const message = await loadStoredMessage(ctx, ref);
  if (!message.opened.own || (message.opened.mailbox.specialUse !== '\\Drafts' && message.opened.mailbox.name !== 'Drafts')) return;
  await removeMessage(ctx, ref);
}

/** The sentence for a recipient RCPT would refuse, by its enhanced status code (RFC 3463). */
function recipientRefusal(t: ComposeText, address: string, err: SmtpReject): string {
  switch (err.enhanced) {
    case '5.1.1':
      return t('refuse.unknown', { address });
    case '5.1.3':
      return t('refuse.invalid', { address });
    case '5.2.1':
      return t('refuse.disabled', { address });
    case '4.2.2':
      return t('refuse.full', { address });
    case '5.7.1':
      return t('refuse.group', { address });
    default:
      return t('refuse.other', { address, reason: err.message });
  }
}
