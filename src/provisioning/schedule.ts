import { Queue, Worker } from 'bullmq';
import type { Redis } from 'ioredis';
import { applyPlan, type ApplySummary } from './apply.js';
import type { ProvisioningJobContext } from './job.js';
import type { Plan } from './plan-types.js';
import { describeApply, describePlan } from './plan-text.js';
import { runForPlan } from './runs.js';
import { planFromSnapshot, readSource } from './service.js';

/**
 * Its own queue, served only by the worker role: the worker `hopthu provision apply`
 * starts for its run never picks up a scheduled sync.
 */
export const SCHEDULE_QUEUE = 'provisioning-schedule';
/** The scheduler's id in BullMQ: one per installation, however many workers run. */
export const SCHEDULED_SYNC = 'scheduled-sync';
export const SCHEDULED_ACTOR = 'system:provisioning';

export interface ScheduledSyncResult {
  plan: Plan;
  /** absent when nothing was applied: nothing to change, or stopped */
  summary?: ApplySummary;
  /** the plan tripped provisioning.maxDisableShare: nothing was applied */
  stopped: boolean;
}

/**
 * One scheduled sync: plan, and apply when the plan is safe. A plan that would disable
 * more than maxDisableShare is never applied on schedule; the administrators are told
 * and decide (hopthu provision apply --allow-mass-disable). They get a summary whenever
 * something changed, a row was unreadable or the run stopped.
 */
export async function runScheduledSync(ctx: ProvisioningJobContext): Promise<ScheduledSyncResult> {
  const schedule = ctx.config.provisioning.schedule;
  if (!schedule) throw new Error('provisioning.schedule is not configured');
  const plan = await planFromSnapshot(ctx.db, ctx.config, await readSource(ctx.config, schedule.source, schedule.file));
  let result: ScheduledSyncResult = { plan, stopped: false };
  if (plan.disable.exceeded) result = { plan, stopped: true };
  else if (plan.items.length) {
    const run = await runForPlan(ctx.db, plan, SCHEDULED_ACTOR);
    const summary = await applyPlan(ctx.db, plan, {
      runId: run.id,
      actor: SCHEDULED_ACTOR,
      source: 'schedule',
      batchSize: ctx.config.provisioning.batchSize,
      quotaBytes: ctx.config.accounts.defaultQuotaBytes,
      activationDays: ctx.config.activation.codeDays,
      allowMassDisable: false,
    });
    result = { plan, summary, stopped: false };
  }
  ctx.log.info({ items: plan.items.length, stopped: result.stopped, runId: result.summary?.runId }, 'scheduled provisioning sync');
  if (ctx.notify && schedule.notify.length && (plan.items.length || plan.problems.length || result.stopped)) {
    const subject = result.stopped
      ? `Đồng bộ danh bạ bị dừng: ${plan.disable.count} tài khoản sẽ bị khóa`
      : `Đồng bộ danh bạ: ${plan.items.length} thay đổi${plan.problems.length ? `, ${plan.problems.length} dòng lỗi` : ''}`;
    const text = [describePlan(plan), ...(result.summary ? ['', describeApply(result.summary)] : []), ...(result.stopped ? ['', 'Nothing was applied. Check the directory, then: hopthu provision plan --source ldap --out plan.json && hopthu provision apply plan.json --allow-mass-disable'] : [])].join('\n');
    await ctx.notify(schedule.notify, subject, text);
  }
  return result;
}

/**
 * The scheduled sync in the worker role: the repeating job made to match the
 * configuration (every intervalMinutes, or removed), and a worker running one sync at a time.
 */
export async function startScheduledSync(ctx: ProvisioningJobContext, connect: () => Redis): Promise<() => Promise<void>> {
  const queue = new Queue(SCHEDULE_QUEUE, { connection: connect(), prefix: ctx.config.redisPrefix, defaultJobOptions: { removeOnComplete: true, removeOnFail: { age: 86_400 }, attempts: 1 } });
  queue.on('error', () => {}); // the connection's errors are logged where it was opened (Runtime.connectRedis)
  const schedule = ctx.config.provisioning.schedule;
  if (!schedule) {
    await queue.removeJobScheduler(SCHEDULED_SYNC);
    await queue.close();
    return async () => {};
  }
  await queue.upsertJobScheduler(SCHEDULED_SYNC, { every: Math.round(schedule.intervalMinutes * 60_000) }, { name: SCHEDULED_SYNC });
  const worker = new Worker(SCHEDULE_QUEUE, async () => (await runScheduledSync(ctx)).summary ?? null, { connection: connect(), prefix: ctx.config.redisPrefix, concurrency: 1, lockDuration: 120_000 });
  worker.on('failed', (_job, err) => ctx.log.warn({ err: err.message }, 'scheduled provisioning sync failed; the next one runs at its time'));
  worker.on('error', (err) => ctx.log.error({ err: err.message }, 'scheduled provisioning worker error'));
  return async () => {
    await worker.close();
    await queue.close();
  };
}
