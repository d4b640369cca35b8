import { transaction, type Queryable } from '../store/db.js';
import { adjustBlobRefs } from '../store/blob-refs.js';
import { expandRecipient, type Expansion } from '../identity/recipients.js';
import { getAccountById, toAccount, type Account, type AccountRow } from '../identity/accounts.js';
import { getMailbox } from '../mail/mailboxes.js';
import { storeDescriptionsCte, type PreparedDescription } from '../mail/parsed.js';
import { deliverToMailboxes, type DeliveryInput, type DeliveryResult } from '../mail/deliver.js';
import { publishMailboxChanges, type MailboxChange } from '../mail/notify.js';
import { sortFlags } from '../mail/flags.js';
import { Coalescer, coalescerPer } from '../shared/coalesce.js';
import type { DeliveryContext } from './context.js';
import { deliveryLatency } from '../shared/metrics.js';
import { expireIfDue } from './expiry.js';
import { settleSpools, type Settled } from './settle.js';
import { addRecipient, recordOutcomes, type SpoolRow, type SpoolRecipient, type RecipientOutcome } from './spool.js';
import { answerVacations } from './vacation.js';

/** One spool row's local work: its due local recipients and the submitter's Sent copy. */
export interface LocalDelivery {
  spool: SpoolRow;
  description: PreparedDescription;
  expired: boolean;
  decide: (r: SpoolRecipient, o: RecipientOutcome) => Date | undefined;
  /** the same transaction reports failures and closes the row (nothing remote to do) */
  settle: boolean;
}

/**
 * Delivers the due local recipients of a spool row (and the submitter's Sent copy) in
 * one transaction: their rows are locked, the message appended to each mailbox they
 * expand to under the delivery key of the spool row, and each row settled. Run twice,
 * it adds nothing the second time: exactly once per (spool row, mailbox). With
 * `settle`, the same transaction reports failures and closes the row (see settle.ts).
 *
 * Rows whose jobs run at the same moment share that transaction (see Coalescer): one
 * commit and a handful of statements for the lot instead of for each.
 */
export function deliverLocal(ctx: DeliveryContext, work: LocalDelivery): Promise<Settled | undefined> {
  return batcherOf(ctx).submit(work);
}

const batcherOf = coalescerPer(
  (ctx: DeliveryContext) => new Coalescer<LocalDelivery, Settled | undefined>((works) => deliverLocalBatch(ctx, works), { maxBatch: 32, parallel: 3 }),
);

/** A copy to store: which row and recipient it serves, and where it goes. */
interface Copy {
  work: number;
  recipient: LockedRecipient;
  account: Account;
  input: DeliveryInput;
}

export async function deliverLocalBatch(ctx: DeliveryContext, batch: readonly LocalDelivery[]): Promise<Array<Settled | undefined>> {
  // two jobs of one row at once (a retry beside a reconciled job): the second goes after the first
  const first = new Map<number, number>();
  batch.forEach((w, i) => first.has(w.spool.id) || first.set(w.spool.id, i));
  const works = [...first.values()].map((i) => batch[i]!);
  if (works.length < batch.length) {
    const done = await deliverLocalBatch(ctx, works);
    const again = await deliverLocalBatch(ctx, batch.filter((_, i) => first.get(batch[i]!.spool.id) !== i));
    let [a, b] = [0, 0];
    return batch.map((w, i) => (first.get(w.spool.id) === i ? done[a++] : again[b++]));
  }
  const done = await transaction(ctx.db, (client) => deliverLocalIn(client, ctx, works));
  await announceLocalDelivery(ctx, done);
  return done.settled;
}

/** What deliverLocalIn did, for after COMMIT. */
export interface LocalDeliveryDone {
  /** per work: how its row was settled (undefined when `settle` was not asked) */
  settled: Array<Settled | undefined>;
  changes: MailboxChange[];
  /** spool ids of vacation replies made */
  replies: number[];
}

/**
 * deliverLocal's work inside the caller's transaction (the works' spool rows distinct):
 * the SMTP intake runs it in the transaction that inserts the rows (delivery/accept.ts).
 */
export async function deliverLocalIn(client: Queryable, ctx: DeliveryContext, works: readonly LocalDelivery[]): Promise<LocalDeliveryDone> {
  const changes: MailboxChange[] = [];
  let replies: number[] = [];
  const locked = await lockDueLocalRecipients(client, works);
  const copies: Copy[] = [];
  const outcomes = new Map<LockedRecipient, RecipientOutcome>();
  for (const recipient of locked) {
    const refused = await plan(client, works[recipient.work]!, recipient, copies);
    if (refused) outcomes.set(recipient, refused);
  }
  const results = await store(client, copies);
  const stored = works.map(() => 0);
  const inboxed = works.map((): Account[] => []);
  const full = new Map<LockedRecipient, string[]>();
  copies.forEach((copy, i) => {
    const result = results[i]!;
    if (result.status === 'over-quota') full.set(copy.recipient, [...(full.get(copy.recipient) ?? []), copy.account.address]);
    if (result.status !== 'stored') return;
    stored[copy.work]!++;
    // with the UID and flags, a session selected on the folder takes the message in without a read (mail/notify.ts)
    changes.push({ type: 'exists', mailboxId: result.mailboxId, uid: result.uid, modseq: result.modseq, uids: [result.uid], flags: [sortFlags([...new Set(copy.input.flags)])] });
    if (copy.input.folder !== 'INBOX') return;
    inboxed[copy.work]!.push(copy.account);
    if (copy.input.enforceQuota) deliveryLatency.observe((Date.now() - works[copy.work]!.spool.receivedAt.getTime()) / 1000);
  });
  await recordOutcomes(
    client,
    locked.map((recipient) => {
      const work = works[recipient.work]!;
      const outcome = expireIfDue(outcomes.get(recipient) ?? fullOrDelivered(recipient, full.get(recipient)), work.expired);
      const nextAttemptAt = work.decide(recipient, outcome);
      return { recipient, outcome, ...(nextAttemptAt ? { nextAttemptAt } : {}) };
    }),
  );
  // the lock query says whose vacation is off: most deliveries then skip the vacation query
  const noVacation = new Set(locked.filter((r) => r.account && r.vacationOn === false).map((r) => r.account!.id));
  for (const [i, work] of works.entries()) {
    const answering = inboxed[i]!.filter((a) => !noVacation.has(a.id));
    if (answering.length) replies = replies.concat(await answerVacations(client, ctx, work.spool, work.description.parsed, answering));
  }
  const settling = works.flatMap((work, i) => (work.settle ? [{ spool: work.spool, storedCopies: stored[i]! }] : []));
  const closed = settling.length ? await settleSpools(client, ctx, settling) : [];
  const deltas = new Map<string, number>();
  works.forEach((work, i) => !work.settle && deltas.set(work.spool.blobHash, (deltas.get(work.spool.blobHash) ?? 0) + stored[i]!));
  await adjustBlobRefs(client, deltas);
  let next = 0;
  return { settled: works.map((work) => (work.settle ? closed[next++] : undefined)), changes, replies };
}

/** After COMMIT: sessions hear of the new messages, and the vacation replies get their jobs. */
export async function announceLocalDelivery(ctx: DeliveryContext, done: LocalDeliveryDone): Promise<void> {
  ctx.onDelivered?.();
  await publishMailboxChanges(ctx.redis, ctx.config.redisPrefix, done.changes).catch(() => {});
  // a reply the queue misses is found by the reconciler
  if (done.replies.length) await ctx.queue.addBatch(done.replies).catch(() => {});
}

/** What one locked recipient needs: copies to store, or the reason there are none. */
async function plan(client: Queryable, work: LocalDelivery, recipient: LockedRecipient, copies: Copy[]): Promise<RecipientOutcome | undefined> {
  const { spool, description } = work;
  const copy = (account: Account, folder: string, flags: string[], enforceQuota: boolean) =>
    copies.push({
      work: recipient.work,
      recipient,
      account,
      input: {
        accountId: account.id, folder, blobHash: spool.blobHash, size: spool.size, flags, internalDate: spool.receivedAt,
        summary: description.summary, deliveryKey: `spool:${spool.id}`, enforceQuota,
      },
    });
  if (recipient.route === 'sent-copy') {
    if (spool.accountId === null) return { status: 'delivered', code: '2.0.0', message: 'the sending account no longer exists; no Sent copy kept' };
    const account = recipient.account?.id === spool.accountId ? recipient.account : await getAccountById(client, spool.accountId);
    copy(account, 'Sent', ['\\Seen'], false);
    return undefined;
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
  for (const account of active) copy(account, 'INBOX', [], true);
  return undefined;
}

function fullOrDelivered(recipient: LockedRecipient, full: string[] | undefined): RecipientOutcome {
  if (recipient.route === 'sent-copy') return { status: 'delivered', code: '2.0.0', message: 'saved in Sent' };
  // RFC 3463 §3.2: X.2.2 mailbox full — temporary, the owner may make room
  if (full?.length) return { status: 'deferred', code: '4.2.2', message: full.length === 1 ? `the mailbox ${full[0]} is full` : `the mailboxes ${full.join(', ')} are full` };
  return { status: 'delivered', code: '2.0.0', message: 'delivered' };
}

/** Stores the copies; a folder that is missing, renamed or a \Noselect level is found (or made) by getMailbox and tried again. */
async function store(client: Queryable, copies: readonly Copy[]): Promise<DeliveryResult[]> {
  const results = await deliverToMailboxes(client, copies.map((c) => c.input));
  const missing = copies.flatMap((c, i) => (results[i]!.status === 'no-mailbox' ? [i] : []));
  if (missing.length === 0) return results;
  const retried: DeliveryInput[] = [];
  for (const i of missing) {
    const input = copies[i]!.input;
    retried.push({ ...input, mailboxId: (await getMailbox(client, input.accountId, input.folder)).id });
  }
  const again = await deliverToMailboxes(client, retried);
  missing.forEach((i, k) => (results[i] = again[k]!));
  return results;
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
 * needed), whether that account's vacation responder is switched on, and which of the batch's works it is of.
 */
type LockedRecipient = SpoolRecipient & { account: Account | null; vacationOn: boolean; work: number };

/**
 * Locks the due local recipients of the works' spool rows, each with its account in the same query; rows
 * another worker holds are skipped. The same statement stores the blobs' new parsed descriptions, if any.
 */
async function lockDueLocalRecipients(db: Queryable, works: readonly LocalDelivery[]): Promise<LockedRecipient[]> {
  const unstored = new Map(works.flatMap((w) => (w.description.unstored ? [[w.spool.blobHash, JSON.stringify(w.description.unstored)] as const] : [])));
  const { rows } = await db.query<RecipientRow>(
    `WITH ${storeDescriptionsCte(2, 3)}
     SELECT r.*, to_jsonb(a) AS account,
            EXISTS (SELECT 1 FROM account_preferences p WHERE p.account_id = a.id AND p.vacation_enabled) AS vacation_on
       FROM spool_recipients r LEFT JOIN accounts a ON a.address = r.recipient
      WHERE r.spool_id = ANY ($1::bigint[]) AND r.status = 'pending' AND r.route <> 'remote' AND r.next_attempt_at <= now()
      ORDER BY r.spool_id, r.recipient FOR UPDATE OF r SKIP LOCKED`,
    [works.map((w) => w.spool.id), [...unstored.keys()], [...unstored.values()]],
  );
  const workOf = new Map(works.map((w, i) => [w.spool.id, i]));
  return rows.map((r) => ({
    spoolId: r.spool_id, recipient: r.recipient, route: r.route, status: r.status, attempts: r.attempts, nextAttemptAt: r.next_attempt_at,
    lastCode: r.last_code, lastError: r.last_error, remoteMta: r.remote_mta, notify: r.notify,
    account: r.account ? toAccount({ ...r.account, created_at: new Date(r.account.created_at) }) : null,
    vacationOn: r.vacation_on,
    work: workOf.get(Number(r.spool_id))!,
  }));
}
