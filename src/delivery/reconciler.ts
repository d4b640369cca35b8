import type { DeliveryContext } from './context.js';

/**
 * Re-enqueues spool rows that are due but have no job: Redis lost its data, a worker
 * died, or the queue was down when the message was accepted. Mail is then late,
 * never lost. Returns how many rows it gave back to the queue.
 */
export async function reconcileOnce(ctx: DeliveryContext, graceSeconds = ctx.config.delivery.reconcileGraceSeconds, limit = 5000): Promise<number> {
  const { rows } = await ctx.db.query<{ id: number; due: Date }>(
    // a row with nothing pending but not closed (a worker died between the last
    // delivery and closing it) is due now: its job reports failures and closes it
    `SELECT s.id, COALESCE(min(r.next_attempt_at), now()) AS due
       FROM spool s LEFT JOIN spool_recipients r ON r.spool_id = s.id AND r.status = 'pending'
      WHERE s.done_at IS NULL AND s.received_at < now() - make_interval(secs => $1)
        AND COALESCE((SELECT max(updated_at) FROM spool_recipients x WHERE x.spool_id = s.id), s.received_at) < now() - make_interval(secs => $1)
      GROUP BY s.id ORDER BY s.id LIMIT $2`,
    [graceSeconds, limit],
  );
  let requeued = 0;
  for (const row of rows) {
    if (await ctx.queue.has(row.id)) continue;
    // a job may have finished the row between the query and now
    const open = await ctx.db.query('SELECT 1 FROM spool WHERE id = $1 AND done_at IS NULL', [row.id]);
    if (!open.rowCount) continue;
    await ctx.queue.add(row.id, row.due.getTime() - Date.now());
    requeued++;
  }
  if (requeued) ctx.log.warn({ requeued }, 'reconciler re-enqueued spool rows that had no job');
  return requeued;
}

export function startReconciler(ctx: DeliveryContext): { stop(): void } {
  let running = false;
  const tick = async () => {
    if (running) return;
    running = true;
    try {
      await reconcileOnce(ctx);
    } catch (err) {
      ctx.log.warn({ err: (err as Error).message }, 'reconciler pass failed');
    } finally {
      running = false;
    }
  };
  void tick();
  const timer = setInterval(tick, ctx.config.delivery.reconcileSeconds * 1000);
  timer.unref();
  return { stop: () => clearInterval(timer) };
}
