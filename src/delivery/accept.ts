import type { StoredBlob } from '../store/blob-store.js';
import { transaction } from '../store/db.js';
import { describeBlob, type PreparedDescription } from '../mail/parsed.js';
import { Coalescer, coalescerPer } from '../shared/coalesce.js';
import type { DeliveryContext } from './context.js';
import { announceLocalDelivery, deliverLocalIn, type LocalDelivery } from './local-delivery.js';
import { retryAt } from './process-spool.js';
import { ensureBlobFile, insertSpools, type InsertedSpool, type SpoolRequest, type SpoolRow } from './spool.js';

/**
 * Accepts a message whose blob is already durable: commits the spool row, then asks
 * the queue for a job. A queue that is down does not fail the acceptance; the
 * reconciler finds the row.
 *
 * In a process that runs the worker role too (ctx.deliverAtAcceptance), the local
 * recipients are delivered in the same transaction that inserts the row, so
 * a message for this server's mailboxes is in them when the client hears 250, without
 * a trip through the queue; what is left (remote recipients, a full mailbox, an alias
 * that forwards) goes to the queue as before. Messages accepted at the same moment
 * (concurrent SMTP sessions) share that transaction and one queue round trip.
 */
export async function acceptMessage(ctx: DeliveryContext, req: SpoolRequest, rewriteBlob: () => Promise<StoredBlob>): Promise<number> {
  const hasLocal = req.recipients.some((r) => r.route !== 'remote');
  const description = ctx.deliverAtAcceptance && hasLocal ? await describeBlob(ctx.blobs, req.blob.hash, null) : undefined;
  const { id, newBlobRow } = await intakeOf(ctx).submit({ req: description ? { ...req, parsed: description.parsed } : req, description });
  await ensureBlobFile(ctx.blobs, req.blob.hash, newBlobRow, rewriteBlob);
  return id;
}

interface Intake {
  req: SpoolRequest;
  /** the parsed message, when it has local recipients */
  description: PreparedDescription | undefined;
}

/** One intake per delivery context (a listener's, the web role's): concurrent acceptances through it share statements. */
const intakeOf = coalescerPer((ctx: DeliveryContext) => new Coalescer<Intake, InsertedSpool>((items) => intake(ctx, items), { maxBatch: 64, parallel: 2 }));

async function intake(ctx: DeliveryContext, items: readonly Intake[]): Promise<InsertedSpool[]> {
  const reqs = items.map((i) => i.req);
  const local = items.flatMap((item, i) => (item.description ? [i] : []));
  let accepted;
  try {
    accepted = await transaction(ctx.db, async (client) => {
      const inserted = await insertSpools(client, reqs);
      const works = local.map((i) => localWork(ctx, items[i]!, inserted[i]!));
      return { inserted, done: works.length ? await deliverLocalIn(client, ctx, works) : undefined };
    });
  } catch (err) {
    // PostgreSQL refused the delivery part (the transaction is rolled back): the messages are
    // accepted alone, for the worker to deliver; anything else (a lost connection: the outcome
    // of the COMMIT is unknown) is the caller's error, as is a plain insert that failed
    if (local.length === 0 || !refusedByPostgres(err)) throw err;
    ctx.log.warn({ err: (err as Error).message }, 'delivery at acceptance failed; the messages go through the queue');
    const inserted = await insertSpools(ctx.db, reqs);
    await enqueue(ctx, inserted.map((r) => r.id));
    return inserted;
  }
  const { inserted, done } = accepted;
  if (done) await announceLocalDelivery(ctx, done);
  const closed = new Set(local.filter((_, k) => done?.settled[k]?.closed).map((i) => inserted[i]!.id));
  await enqueue(ctx, inserted.map((r) => r.id).filter((id) => !closed.has(id)));
  return inserted;
}

/** An error PostgreSQL answered with (a severity and an SQLSTATE), as opposed to a connection that broke (EPIPE...). */
const refusedByPostgres = (err: unknown) => {
  const e = err as { severity?: unknown; code?: unknown };
  return typeof e.severity === 'string' && /^[0-9A-Z]{5}$/.test(String(e.code ?? ''));
};

function localWork(ctx: DeliveryContext, item: Intake, row: InsertedSpool): LocalDelivery {
  const { unstored, ...stored } = item.description!;
  return {
    spool: spoolRowOf(item.req, row),
    // a new blob row got its description with the insert; an old one may still lack it
    description: row.newBlobRow ? stored : { ...stored, ...(unstored ? { unstored } : {}) },
    expired: false,
    decide: (r, o) => (o.status === 'deferred' ? retryAt(ctx, r.attempts, new Date()) : undefined),
    // with nothing remote to do, the same transaction closes the row
    settle: !item.req.recipients.some((r) => r.route === 'remote'),
  };
}

async function enqueue(ctx: DeliveryContext, ids: number[]): Promise<void> {
  await ctx.queue.addBatch(ids).catch((err: Error) => ctx.log.warn({ err: err.message, spoolIds: ids }, 'queue unavailable; the reconciler will pick the messages up'));
}

function spoolRowOf(req: SpoolRequest, row: InsertedSpool): SpoolRow {
  return {
    id: row.id, blobHash: req.blob.hash, size: req.blob.size, mailFrom: req.mailFrom, source: req.source, accountId: req.accountId ?? null,
    clientIp: req.clientIp ?? null, helo: req.helo ?? null, envelopeId: req.envelopeId ?? null, dsnRet: req.dsnRet ?? null,
    receivedAt: row.receivedAt, expiresAt: req.expiresAt, doneAt: null, sessionId: req.sessionId ?? null,
  };
}
