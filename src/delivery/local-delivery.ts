import { transaction, type Queryable } from '../store/db.js';
import { adjustBlobRef } from '../store/blob-refs.js';
import { expandRecipient, type Expansion } from '../identity/recipients.js';
import { getAccountById, toAccount, type Account, type AccountRow } from '../identity/accounts.js';
import { getMailbox } from '../mail/mailboxes.js';
import { storeDescriptionCte, type PreparedDescription } from '../mail/parsed.js';
import type { ParsedMessage } from '../mail/mime/index.js';
import { deliverToMailbox, type DeliveryResult } from '../mail/deliver.js';
import { publishMailboxChange, type MailboxChange } from '../mail/notify.js';
import type { DeliveryContext } from './context.js';
import { deliveryLatency } from '../shared/metrics.js';
import { expireIfDue } from './expiry.js';
import { settleSpool, type Settled } from './settle.js';
import { addRecipient, recordOutcome, type SpoolRow, type SpoolRecipient, type RecipientOutcome } from './spool.js';
import { answerVacations } from './vacation.js';

/**
 * Delivers the due local recipients of a spool row (and the submitter's Sent copy) in
 * one transaction: their rows are locked, the message appended to each mailbox they
 * expand to under the delivery key of the spool row, and each row settled. Run twice,
 * it adds nothing the second time: exactly once per (spool row, mailbox). With
 * `settle`, the same transaction reports failures and closes the row (see settle.ts).
 */
export async function deliverLocal(
  ctx: DeliveryContext,
  spool: SpoolRow,
  description: PreparedDescription,
  expired: boolean,
  decide: (r: SpoolRecipient, o: RecipientOutcome) => Date | undefined,
  settle: boolean,
): Promise<Settled | undefined> {
  const changes: MailboxChange[] = [];
  let replies: number[] = [];
  const settled = await transaction(ctx.db, async (client) => {
    const summary = description.summary;
    const locked = await lockDueLocalRecipients(client, spool, description.unstored ?? null);
    let stored = 0;
    const inboxed: Account[] = [];
    // the lock query says whose vacation is off: most deliveries then skip the vacation query
    const noVacation = new Set(locked.filter((r) => r.account && r.vacationOn === false).map((r) => r.account!.id));
    for (const recipient of locked) {
      const outcome = expireIfDue(await deliverOne(recipient), expired);
      await recordOutcome(client, recipient, outcome, decide(recipient, outcome));
    }
    replies = await answerVacations(client, ctx, spool, description.parsed, inboxed.filter((a) => !noVacation.has(a.id)));
    if (settle) return settleSpool(client, ctx, spool, stored);
    await adjustBlobRef(client, spool.blobHash, stored);
    return undefined;

    async function deliverOne(recipient: LockedRecipient): Promise<RecipientOutcome> {
      if (recipient.route === 'sent-copy') {
        if (spool.accountId === null) return { status: 'delivered', code: '2.0.0', message: 'the sending account no longer exists; no Sent copy kept' };
        await store(await getAccountById(client, spool.accountId), 'Sent', ['\\Seen'], false);
        return { status: 'delivered', code: '2.0.0', message: 'saved in Sent' };
      }
      const expansion = await expand(client, recipient);
      for (const remote of expansion.remote) await addRecipient(client, spool.id, { address: remote, route: 'remote' });
      const active = expansion.accounts.filter((a) => a.status === 'active');
      if (active.length === 0 && expansion.remote.length === 0) {
        // RFC 3463 §3.2: X.2.4 mailing list expansion problem — a group that reaches no one now
        if (expansion.groups.length && !expansion.accounts.length) return { status: 'failed', code: '5.2.4', message: `the group ${recipient.recipient} has no active members` };
        return expansion.accounts.length
          ? // RFC 3463 §3.2: X.2.1 mailbox disabled, not accepting messages
            { status: 'failed', code: '5.2.1', message: `the mailbox ${recipient.recipient} is disabled` }
          : { status: 'failed', code: '5.1.1', message: `there is no mailbox ${recipient.recipient} here` };
      }
      // every member gets its copy even when one mailbox is full; a retry adds only the missing ones
      const full: string[] = [];
      for (const account of active) {
        const result = await store(account, 'INBOX', [], true);
        if (result.status === 'over-quota') full.push(account.address);
      }
      // RFC 3463 §3.2: X.2.2 mailbox full — temporary, the owner may make room
      if (full.length) return { status: 'deferred', code: '4.2.2', message: full.length === 1 ? `the mailbox ${full[0]} is full` : `the mailboxes ${full.join(', ')} are full` };
      return { status: 'delivered', code: '2.0.0', message: 'delivered' };
    }

    async function store(account: Account, folder: string, flags: string[], enforceQuota: boolean): Promise<DeliveryResult> {
      const input = {
        accountId: account.id, folder, blobHash: spool.blobHash, size: spool.size, flags, internalDate: spool.receivedAt,
        summary, deliveryKey: `spool:${spool.id}`, enforceQuota,
      };
      let result = await deliverToMailbox(client, input);
      if (result.status === 'no-mailbox') {
        // missing, renamed or a \Noselect level: the folder with its special use, or a new one
        const mailbox = await getMailbox(client, account.id, folder);
        result = await deliverToMailbox(client, { ...input, mailboxId: mailbox.id });
      }
      if (result.status === 'stored') {
        stored++;
        if (folder === 'INBOX') inboxed.push(account);
        changes.push({ type: 'exists', mailboxId: result.mailboxId, uid: result.uid, modseq: result.modseq });
        if (enforceQuota) deliveryLatency.observe((Date.now() - spool.receivedAt.getTime()) / 1000);
      }
      return result;
    }
  });
  for (const change of changes) await publishMailboxChange(ctx.redis, ctx.config.redisPrefix, change).catch(() => {});
  // a reply the queue misses is found by the reconciler
  for (const id of replies) await ctx.queue.add(id).catch(() => {});
  return settled;
}

/** A direct account came with its locked recipient row; anything else goes through alias and group expansion. */
async function expand(db: Queryable, recipient: LockedRecipient): Promise<Expansion> {
  if (recipient.account) return { accounts: [recipient.account], remote: [], unknown: [], groups: [] };
  return expandRecipient(db, recipient.recipient);
}

interface RecipientRow {
  spool_id: number; recipient: string; route: SpoolRecipient['route']; status: SpoolRecipient['status']; attempts: number;
  next_attempt_at: Date; last_code: string | null; last_error: string | null; remote_mta: string | null; notify: string | null;
  account: (Omit<AccountRow, 'created_at'> & { created_at: string }) | null;
  vacation_on: boolean;
}

/**
 * A recipient row with the account of the same address, when there is one (the common case: no expansion
 * needed), and whether that account's vacation responder is switched on.
 */
type LockedRecipient = SpoolRecipient & { account: Account | null; vacationOn: boolean };

/**
 * Locks this spool row's due local recipients, each with its account in the same query; rows another
 * worker holds are skipped. The same statement stores the blob's new parsed description, if any.
 */
async function lockDueLocalRecipients(db: Queryable, spool: SpoolRow, unstored: ParsedMessage | null): Promise<LockedRecipient[]> {
  const { rows } = await db.query<RecipientRow>(
    `WITH ${storeDescriptionCte(2, 3)}
     SELECT r.*, to_jsonb(a) AS account,
            EXISTS (SELECT 1 FROM account_preferences p WHERE p.account_id = a.id AND p.vacation_enabled) AS vacation_on
       FROM spool_recipients r LEFT JOIN accounts a ON a.address = r.recipient
      WHERE r.spool_id = $1 AND r.status = 'pending' AND r.route <> 'remote' AND r.next_attempt_at <= now()
      ORDER BY r.recipient FOR UPDATE OF r SKIP LOCKED`,
    [spool.id, spool.blobHash, unstored],
  );
  return rows.map((r) => ({
    spoolId: r.spool_id, recipient: r.recipient, route: r.route, status: r.status, attempts: r.attempts, nextAttemptAt: r.next_attempt_at,
    lastCode: r.last_code, lastError: r.last_error, remoteMta: r.remote_mta, notify: r.notify,
    account: r.account ? toAccount({ ...r.account, created_at: new Date(r.account.created_at) }) : null,
    vacationOn: r.vacation_on,
  }));
}
