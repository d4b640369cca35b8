import { transaction } from '../store/db.js';
import { describeBlob } from '../mail/parsed.js';
import type { DeliveryContext } from './context.js';
import { deliverLocal } from './local-delivery.js';
import { deliverRemote, readableOf } from './outbound.js';
import { dkimHeaderFor } from './dkim-for-spool.js';
import { expireIfDue } from './expiry.js';
import { settleSpool } from './settle.js';
import { Coalescer, coalescerPer } from '../shared/coalesce.js';
import {
  loadSpools, loadRecipients, lockPendingRecipient, recordOutcome, nextDue,
  type LoadedSpool, type SpoolRow, type SpoolRecipient, type RecipientOutcome,
} from './spool.js';

export interface SpoolProgress {
  /** the row is finished: every recipient delivered or failed */
  done: boolean;
  /** when the next attempt is due, if not done */
  nextAttemptAt?: Date;
}

/**
 * One pass over a spool row: every pending recipient that is due gets one attempt.
 * Safe to run concurrently with itself and to repeat: every recipient is settled in
 * its own transaction under a row lock.
 */
export async function processSpool(ctx: DeliveryContext, spoolId: number, now = new Date()): Promise<SpoolProgress> {
  const loaded = await loaderOf(ctx).submit(spoolId);
  if (!loaded || loaded.spool.doneAt) return { done: true };
  const spool = loaded.spool;
  const recipients = loaded.recipients.filter((r) => r.status === 'pending' && r.nextAttemptAt <= now);
  const expired = now >= spool.expiresAt;
  const decide = (r: SpoolRecipient, o: RecipientOutcome) => (o.status === 'deferred' && !expired ? retryAt(ctx, r.attempts, now) : undefined);

  if (recipients.some((r) => r.route !== 'remote')) {
    const description = await describeBlob(ctx.blobs, spool.blobHash, loaded.parsed);
    // with nothing remote to do, the same transaction settles and closes the row
    const localOnly = !recipients.some((r) => r.route === 'remote');
    const settled = await deliverLocal(ctx, { spool, description, expired, decide, settle: localOnly });
    if (settled?.bounceSpoolId) await ctx.queue.add(settled.bounceSpoolId).catch(() => {});
    ctx.log.info({ spoolId: spool.id, session: spool.sessionId, messageId: description.summary.messageId, local: recipients.length - recipients.filter((r) => r.route === 'remote').length }, 'delivered to local mailboxes');
    if (settled?.closed) return { done: true };
  }

  const remote = recipients.filter((r) => r.route === 'remote');
  // an alias may have added remote recipients while the local ones were delivered
  const added = (await loadRecipients(ctx.db, spoolId)).filter((r) => r.route === 'remote' && r.status === 'pending' && r.attempts === 0 && !remote.some((x) => x.recipient === r.recipient));
  remote.push(...added);
  const byDomain = new Map<string, SpoolRecipient[]>();
  for (const r of remote) {
    const domain = r.recipient.slice(r.recipient.lastIndexOf('@') + 1);
    byDomain.set(domain, [...(byDomain.get(domain) ?? []), r]);
  }
  for (const [domain, rcpts] of byDomain) await deliverDomain(ctx, spool, domain, rcpts, expired, decide);

  const closed = await settleAndClose(ctx, spool);
  if (closed) return { done: true };
  const due = await nextDue(ctx.db, spoolId);
  return due ? { done: false, nextAttemptAt: due } : { done: true };
}

/** The rows of jobs that start together are read in one query. */
const loaderOf = coalescerPer(
  (ctx: DeliveryContext) =>
    new Coalescer<number, LoadedSpool | undefined>(
      async (ids) => {
        const rows = await loadSpools(ctx.db, ids);
        return ids.map((id) => rows.get(id));
      },
      { maxBatch: 64, parallel: 2 },
    ),
);

/** When a deferred recipient is tried again: the configured schedule, its last step repeating. */
export function retryAt(ctx: DeliveryContext, attemptsBefore: number, now: Date): Date {
  const schedule = ctx.config.delivery.retryMinutes;
  const minutes = schedule[Math.min(attemptsBefore, schedule.length - 1)]!;
  return new Date(now.getTime() + minutes * 60_000);
}

async function deliverDomain(
  ctx: DeliveryContext,
  spool: SpoolRow,
  domain: string,
  rcpts: SpoolRecipient[],
  expired: boolean,
  decide: (r: SpoolRecipient, o: RecipientOutcome) => Date | undefined,
) {
  const dkim = await dkimHeaderFor(ctx, spool);
  const outcomes = await deliverRemote(ctx, domain, {
    mailFrom: spool.mailFrom,
    recipients: rcpts.map((r) => r.recipient),
    content: () => readableOf([...(dkim ? [dkim] : []), ctx.blobs.stream(spool.blobHash)]),
    size: spool.size + (dkim?.length ?? 0),
    envelopeId: spool.envelopeId,
    dsnRet: spool.dsnRet,
  });
  for (const r of rcpts) {
    const outcome = expireIfDue(outcomes.get(r.recipient) ?? { status: 'deferred', code: '4.0.0', message: 'not attempted' }, expired);
    await transaction(ctx.db, async (client) => {
      if (!(await lockPendingRecipient(client, spool.id, r.recipient, r.route))) return;
      await recordOutcome(client, r, outcome, decide(r, outcome));
    });
    ctx.log.info({ spoolId: spool.id, session: spool.sessionId, rcpt: r.recipient, status: outcome.status, code: outcome.code, mta: outcome.remoteMta }, 'outbound attempt');
  }
}

async function settleAndClose(ctx: DeliveryContext, spool: SpoolRow): Promise<boolean> {
  const settled = await transaction(ctx.db, (client) => settleSpool(client, ctx, spool));
  if (settled.bounceSpoolId) await ctx.queue.add(settled.bounceSpoolId).catch(() => {});
  return settled.closed;
}
