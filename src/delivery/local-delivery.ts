import { transaction } from '../store/db.js';
import { addBlobRef } from '../store/blob-refs.js';
import { expandRecipient } from '../identity/recipients.js';
import { getAccountById, type Account } from '../identity/accounts.js';
import { getMailbox } from '../mail/mailboxes.js';
import { appendMessage, type MessageSummary } from '../mail/append.js';
import { exceedsQuota } from './quota.js';
import { publishMailboxChange, type MailboxChange } from '../mail/notify.js';
import type { DeliveryContext } from './context.js';
import { expireIfDue } from './expiry.js';
import { lockPendingRecipient, recordOutcome, addRecipient, type SpoolRow, type SpoolRecipient, type RecipientOutcome } from './spool.js';

/**
 * Delivers one local recipient (or the submitter's Sent copy) in one transaction: the
 * recipient row is locked, the message appended to each mailbox it expands to under
 * the delivery key of the spool row, and the row marked delivered. Run twice, it adds
 * nothing the second time: exactly once per (spool row, mailbox).
 */
export async function deliverLocal(
  ctx: DeliveryContext,
  spool: SpoolRow,
  recipient: SpoolRecipient,
  summary: MessageSummary,
  expired: boolean,
  decide: (o: RecipientOutcome) => Date | undefined,
): Promise<RecipientOutcome | undefined> {
  const changes: MailboxChange[] = [];
  const outcome = await transaction(ctx.db, async (client) => {
    const locked = await lockPendingRecipient(client, spool.id, recipient.recipient, recipient.route);
    if (!locked) return undefined; // done already, or another worker has it
    let result: RecipientOutcome;
    if (recipient.route === 'sent-copy') {
      if (spool.accountId === null) {
        result = { status: 'delivered', code: '2.0.0', message: 'the sending account no longer exists; no Sent copy kept' };
      } else {
        const account = await getAccountById(client, spool.accountId);
        await deliverInto(account, 'Sent', ['\\Seen']);
        result = { status: 'delivered', code: '2.0.0', message: 'saved in Sent' };
      }
    } else {
      result = await deliverToRecipient();
    }
    result = expireIfDue(result, expired);
    await recordOutcome(client, recipient, result, decide(result));
    return result;

    async function deliverToRecipient(): Promise<RecipientOutcome> {
      const expansion = await expandRecipient(client, recipient.recipient);
      for (const remote of expansion.remote) await addRecipient(client, spool.id, { address: remote, route: 'remote' });
      if (expansion.accounts.length === 0 && expansion.remote.length === 0) {
        return { status: 'failed', code: '5.1.1', message: `there is no mailbox ${recipient.recipient} here` };
      }
      const active = expansion.accounts.filter((a) => a.status === 'active');
      if (active.length === 0 && expansion.remote.length === 0) {
        // RFC 3463 §3.2: X.2.1 mailbox disabled, not accepting messages
        return { status: 'failed', code: '5.2.1', message: `the mailbox ${recipient.recipient} is disabled` };
      }
      for (const account of active) {
        // RFC 3463 §3.2: X.2.2 mailbox full — temporary, the owner may make room
        if (await exceedsQuota(client, account, spool.size)) {
          return { status: 'deferred', code: '4.2.2', message: `the mailbox ${account.address} is full` };
        }
      }
      for (const account of active) await deliverInto(account, 'INBOX', []);
      return { status: 'delivered', code: '2.0.0', message: 'delivered' };
    }

    async function deliverInto(account: Account, folder: string, flags: string[]) {
      const mailbox = await getMailbox(client, account.id, folder);
      const appended = await appendMessage(client, {
        mailboxId: mailbox.id,
        blobHash: spool.blobHash,
        size: spool.size,
        flags,
        internalDate: spool.receivedAt,
        summary,
        deliveryKey: `spool:${spool.id}`,
      });
      if (!appended) return; // this spool row reached this mailbox before
      await addBlobRef(client, ctx.blobs, spool.blobHash, spool.size);
      changes.push({ type: 'exists', mailboxId: mailbox.id, uid: appended.uid, modseq: appended.modseq });
    }
  });
  for (const change of changes) {
    await publishMailboxChange(ctx.redis, ctx.config.redisPrefix, change).catch(() => {});
  }
  return outcome;
}
