import { Worker, DelayedError, type Job } from 'bullmq';
import type { Redis } from 'ioredis';
import type { DeliveryContext } from './context.js';
import { DELIVERY_QUEUE, spoolIdsOf, type SpoolJobData } from './queue.js';
import { processSpool, type SpoolProgress } from './process-spool.js';

/**
 * The BullMQ worker: a job carries only spool ids. A row with recipients still
 * deferred puts its own job back as delayed until the next attempt is due.
 */
export function startDeliveryWorker(ctx: DeliveryContext, connection: Redis): Worker<SpoolJobData> {
  const worker = new Worker<SpoolJobData>(
    DELIVERY_QUEUE,
    async (job: Job<SpoolJobData>, token?: string) => {
      const ids = spoolIdsOf(job.data);
      // the rows of one job (and of the jobs running beside it) are delivered together: see local-delivery.ts
      const progress = await Promise.all(ids.map((id) => processSpool(ctx, id)));
      const later = (p: SpoolProgress) => Math.max(p.nextAttemptAt!.getTime(), Date.now() + 1000);
      if (job.data.spoolId !== undefined) {
        const own = progress[0]!;
        if (!own.done && own.nextAttemptAt && token) {
          await job.moveToDelayed(later(own), token);
          throw new DelayedError();
        }
        return;
      }
      // a row of a batch that must wait gets a job of its own for its next attempt
      for (const [i, p] of progress.entries()) if (!p.done && p.nextAttemptAt) await ctx.queue.add(ids[i]!, later(p) - Date.now());
    },
    {
      connection,
      prefix: ctx.config.redisPrefix,
      concurrency: ctx.config.delivery.concurrency,
      // a worker killed mid-job gives the job back after this long
      lockDuration: ctx.config.delivery.jobLockSeconds * 1000,
      stalledInterval: ctx.config.delivery.jobLockSeconds * 500,
      maxStalledCount: 1000,
    },
  );
  worker.on('failed', (job, err) => ctx.log.error({ spoolIds: job ? spoolIdsOf(job.data) : undefined, err: err.message, stack: err.stack }, 'delivery job failed; the reconciler will retry it'));
  worker.on('error', (err) => ctx.log.error({ err: err.message }, 'delivery worker error'));
  return worker;
}
