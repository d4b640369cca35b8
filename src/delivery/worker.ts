import { Worker, DelayedError, type Job } from 'bullmq';
import type { Redis } from 'ioredis';
import type { DeliveryContext } from './context.js';
import { DELIVERY_QUEUE, type SpoolJobData } from './queue.js';
import { processSpool } from './process-spool.js';

/**
 * The BullMQ worker: a job carries only a spool id. A row with recipients still
 * deferred puts its own job back as delayed until the next attempt is due.
 */
export function startDeliveryWorker(ctx: DeliveryContext, connection: Redis): Worker<SpoolJobData> {
  const worker = new Worker<SpoolJobData>(
    DELIVERY_QUEUE,
    async (job: Job<SpoolJobData>, token?: string) => {
      const progress = await processSpool(ctx, job.data.spoolId);
      if (!progress.done && progress.nextAttemptAt && token) {
        await job.moveToDelayed(Math.max(progress.nextAttemptAt.getTime(), Date.now() + 1000), token);
        throw new DelayedError();
      }
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
  worker.on('failed', (job, err) => ctx.log.error({ spoolId: job?.data.spoolId, err: err.message, stack: err.stack }, 'delivery job failed; the reconciler will retry it'));
  worker.on('error', (err) => ctx.log.error({ err: err.message }, 'delivery worker error'));
  return worker;
}
