import { Queue } from 'bullmq';
import type { Redis } from 'ioredis';

export const DELIVERY_QUEUE = 'delivery';

/** The BullMQ job id of a spool row: one job per row at a time. */
export const spoolJobId = (spoolId: number) => `spool-${spoolId}`;

/**
 * A job points at one spool row, or at the rows accepted together (one job for a batch
 * of concurrent SMTP acceptances: one queue round trip and one job's bookkeeping for
 * them all). Retries and the reconciler always use one row's job.
 */
export type SpoolJobData = { spoolId: number; spoolIds?: undefined } | { spoolIds: number[]; spoolId?: undefined };

export const spoolIdsOf = (data: SpoolJobData): number[] => data.spoolIds ?? [data.spoolId];

/**
 * The queue only points at spool rows; PostgreSQL holds the truth. Losing a job (Redis
 * flushed, worker killed) delays a message until the reconciler re-adds it.
 */
export class DeliveryQueue {
  readonly queue: Queue<SpoolJobData>;

  constructor(connection: Redis, prefix: string) {
    this.queue = new Queue<SpoolJobData>(DELIVERY_QUEUE, {
      connection,
      prefix,
      defaultJobOptions: { removeOnComplete: true, removeOnFail: true, attempts: 1 },
    });
    // a lost connection (a Redis restart, a Sentinel failover) is logged by whoever opened it
    // (Runtime.connectRedis); without a listener BullMQ writes each reconnect attempt to stderr
    this.queue.on('error', () => {});
  }

  /** Adds the job unless one for this row exists already (BullMQ ignores a duplicate job id). */
  async add(spoolId: number, delayMs = 0): Promise<void> {
    await this.queue.add('spool', { spoolId }, { jobId: spoolJobId(spoolId), delay: Math.max(0, delayMs) });
  }

  /** One job for rows accepted together (a single row gets its own job, as `add` makes). */
  async addBatch(spoolIds: readonly number[]): Promise<void> {
    if (spoolIds.length === 1) return this.add(spoolIds[0]!);
    if (spoolIds.length === 0) return;
    await this.queue.add('spool', { spoolIds: [...spoolIds] }, { jobId: `spools-${spoolIds[0]}-${spoolIds[spoolIds.length - 1]}` });
  }

  /**
   * Makes the row's job run now: a job waiting for its next try (delayed) is promoted, a
   * missing one added. `add` alone would be ignored while the delayed job exists.
   */
  async runNow(spoolId: number): Promise<void> {
    const job = await this.queue.getJob(spoolJobId(spoolId));
    // promote fails if the job moved on meanwhile (it ran, or is running): nothing left to hurry
    if (job && (await job.getState()) === 'delayed') return void (await job.promote().catch(() => {}));
    await this.add(spoolId);
  }

  async has(spoolId: number): Promise<boolean> {
    const job = await this.queue.getJob(spoolJobId(spoolId));
    if (!job) return false;
    const state = await job.getState();
    return state !== 'completed' && state !== 'failed' && state !== 'unknown';
  }

  close() {
    return this.queue.close();
  }
}
