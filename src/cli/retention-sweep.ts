import type { Redis } from 'ioredis';
import type { Db } from '../store/db.js';
import type { BlobStore } from '../store/blob-store.js';
import type { Logger } from '../shared/logger.js';
import { applyRetention, type RetentionDefaults } from '../mail/retention.js';
import { archiveDepartedAccounts } from '../mail/archive/sweep.js';
import { publishMailboxChanges } from '../mail/notify.js';

export interface RetentionSweepContext {
  db: Db;
  blobs: BlobStore;
  dataDir: string;
  redis: Redis;
  redisPrefix: string;
  log: Logger;
  retention: RetentionDefaults;
}

/** One round: Trash and Junk emptied, then the disabled accounts past their retention archived; open sessions see the removals. */
export async function sweepRetention(ctx: RetentionSweepContext): Promise<void> {
  const run = await applyRetention(ctx.db, ctx.retention);
  await publishMailboxChanges(ctx.redis, ctx.redisPrefix, run.changes).catch(() => {});
  if (run.messages) ctx.log.info({ mailboxes: run.mailboxes, messages: run.messages }, 'retention emptied Trash and Junk');
  const sweep = await archiveDepartedAccounts(ctx, ctx.retention.disabledAccountDays);
  await publishMailboxChanges(ctx.redis, ctx.redisPrefix, sweep.changes).catch(() => {});
  for (const a of sweep.archived) ctx.log.info({ account: a.address, file: a.archive.path, messages: a.archive.messages }, 'disabled account archived');
  for (const h of sweep.held) ctx.log.info({ account: h.address, holds: h.holds.map((x) => x.id) }, 'disabled account kept: under legal hold');
  for (const f of sweep.failed) ctx.log.warn({ account: f.address, err: f.error }, 'archiving a disabled account failed; will try again');
}

/** The worker's share: a round every `everyMs`; a round still running (a big archive) makes the next ones wait their turn. */
export function startRetentionSweep(ctx: RetentionSweepContext, everyMs: number): { stop(): Promise<void> } {
  let running: Promise<void> | undefined;
  const timer = setInterval(() => {
    if (running) return;
    running = sweepRetention(ctx)
      .catch((err: Error) => ctx.log.warn({ err: err.message }, 'retention failed; will try again'))
      .finally(() => (running = undefined));
  }, everyMs);
  timer.unref();
  return {
    async stop() {
      clearInterval(timer);
      await running;
    },
  };
}
