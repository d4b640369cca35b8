import { Queue, QueueEvents, Worker, type Job } from 'bullmq';
import type { Redis } from 'ioredis';
import type { Config } from '../config/index.js';
import type { Db } from '../store/db.js';
import type { Logger } from '../shared/logger.js';
import { UserError } from '../shared/errors.js';
import { applyPlan, type ApplySummary } from './apply.js';
import { getRun, planOfRun } from './runs.js';

export const PROVISIONING_QUEUE = 'provisioning';

export interface ApplyJobData {
  runId: number;
  actor: string;
  source?: string;
  allowMassDisable: boolean;
}

/** One job per run at a time: a second apply of the same plan joins the first. */
export const applyJobId = (runId: number) => `provision-run-${runId}`;

export interface ProvisioningJobContext {
  db: Db;
  config: Readonly<Config>;
  log: Logger;
  /** mails a scheduled sync's summary to the administrators (the worker role wires delivery in) */
  notify?: (to: readonly string[], subject: string, text: string) => Promise<void>;
}

/** Carries out a run's plan (stored with the run) and reports progress as a percentage. */
export async function runApplyJob(ctx: ProvisioningJobContext, data: ApplyJobData, report: (percent: number) => Promise<void>): Promise<ApplySummary> {
  const plan = await planOfRun(ctx.db, data.runId);
  return applyPlan(ctx.db, plan, {
    runId: data.runId,
    actor: data.actor,
    ...(data.source ? { source: data.source } : {}),
    batchSize: ctx.config.provisioning.batchSize,
    quotaBytes: ctx.config.accounts.defaultQuotaBytes,
    activationDays: ctx.config.activation.codeDays,
    allowMassDisable: data.allowMassDisable,
    onProgress: (done, total) => report(total ? Math.floor((100 * done) / total) : 100),
  });
}

const queuesByConnection = new WeakMap<Redis, Queue<ApplyJobData>>();

/** One queue handle per Redis connection, shared by the console's pages and the admin API's routes (it owns no connection of its own). */
export function sharedProvisioningQueue(connection: Redis, prefix: string): Queue<ApplyJobData> {
  let queue = queuesByConnection.get(connection);
  if (!queue) queuesByConnection.set(connection, (queue = provisioningQueue(connection, prefix)));
  return queue;
}

export function provisioningQueue(connection: Redis, prefix: string): Queue<ApplyJobData> {
  const queue = new Queue<ApplyJobData>(PROVISIONING_QUEUE, { connection, prefix, defaultJobOptions: { removeOnComplete: { age: 86_400 }, removeOnFail: { age: 86_400 }, attempts: 1 } });
  queue.on('error', () => {}); // the connection's errors are logged where it was opened (Runtime.connectRedis)
  return queue;
}

/** Adds the apply job of a run; an unfinished job of the same run is reused (BullMQ ignores a duplicate id). */
export async function enqueueApply(queue: Queue<ApplyJobData>, data: ApplyJobData): Promise<Job<ApplyJobData>> {
  const existing = await queue.getJob(applyJobId(data.runId));
  if (existing) {
    const state = await existing.getState();
    if (state === 'completed' || state === 'failed') await existing.remove();
    else return existing;
  }
  return queue.add('apply', data, { jobId: applyJobId(data.runId) });
}

/** The worker that applies plans; one run at a time, so two runs never interleave their changes. */
export function startProvisioningWorker(ctx: ProvisioningJobContext, connection: Redis): Worker<ApplyJobData, ApplySummary> {
  const worker = new Worker<ApplyJobData, ApplySummary>(
    PROVISIONING_QUEUE,
    (job) => runApplyJob(ctx, job.data, (percent) => job.updateProgress(percent)),
    { connection, prefix: ctx.config.redisPrefix, concurrency: 1, lockDuration: 120_000 },
  );
  worker.on('failed', (job, err) => ctx.log.warn({ runId: job?.data.runId, err: err.message }, 'provisioning run failed; apply the plan again to resume'));
  worker.on('error', (err) => ctx.log.error({ err: err.message }, 'provisioning worker error'));
  return worker;
}

/**
 * Waits for a run's job, calling `onProgress` with its percentage, and returns its
 * summary; a failed job's reason comes back as the error it was.
 */
export async function waitForApply(job: Job<ApplyJobData>, events: QueueEvents, db: Db, onProgress: (percent: number) => void): Promise<ApplySummary> {
  const listener = ({ jobId, data }: { jobId: string; data: unknown }) => {
    if (jobId === job.id && typeof data === 'number') onProgress(data);
  };
  events.on('progress', listener);
  try {
    return (await job.waitUntilFinished(events)) as ApplySummary;
  } catch (err) {
    const run = await getRun(db, job.data.runId);
    throw new UserError('provisioning-failed', run.error ?? (err as Error).message);
  } finally {
    events.off('progress', listener);
  }
}
