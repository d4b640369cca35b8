import type { Runtime } from './runtime.js';
import type { DeliveryContext } from '../delivery/context.js';
import { sendSystemMail } from '../delivery/system-mail.js';
import { startProvisioningWorker, type ProvisioningJobContext } from '../provisioning/job.js';
import { startScheduledSync } from '../provisioning/schedule.js';

/**
 * The worker role's part in provisioning: it runs apply jobs (from the CLI or the API)
 * and, with provisioning.schedule, the scheduled sync, whose summary it mails through
 * the delivery pipeline from postmaster of provisioning.domain.
 */
export async function startProvisioningRole(runtime: Runtime, delivery: DeliveryContext): Promise<() => Promise<void>> {
  const { config } = runtime;
  const sender = `postmaster@${config.provisioning.domain ?? config.hostname}`;
  const ctx: ProvisioningJobContext = {
    db: runtime.db,
    config,
    log: runtime.log,
    notify: async (to, subject, text) => {
      await sendSystemMail(delivery, { from: sender, to, subject, text });
    },
  };
  const worker = startProvisioningWorker(ctx, runtime.connectRedis());
  const stopSchedule = await startScheduledSync(ctx, () => runtime.connectRedis());
  return async () => {
    await stopSchedule();
    await worker.close();
  };
}
