import type { Queryable } from './db.js';

/**
 * A statement with ASYNC_COMMIT in its FROM list commits with synchronous_commit off: its
 * row locks go at once, without waiting for the WAL's fsync. PostgreSQL's WAL writer writes
 * it out within wal_writer_delay (200 ms), and any later synchronous commit flushes it too.
 * Changes that may be lost in a crash of PostgreSQL itself use it alone (IMAP flag changes
 * and expunges, as Dovecot's mail_fsync=optimized syncs neither). Changes that must be
 * durable before they are acknowledged (audit events) await `walFlushed(pool)` after it:
 * a synchronous commit begun after the call, whose flush covers all WAL before it. One such
 * wait at a time per pool serves every caller that asked before it began, and PostgreSQL's
 * group commit shares the fsync with other processes.
 */
export const ASYNC_COMMIT = `(SELECT set_config('synchronous_commit', 'off', true)) async_commit`;

/**
 * Resolves once the WAL is flushed past every commit made before the call. The transaction
 * must write WAL of its own: one that only takes an id (pg_current_xact_id()) commits
 * without a flush, as PostgreSQL skips it for a commit record alone. A transactional
 * logical message is a WAL record any role may write, and nothing else.
 */
export async function waitForFlush(db: Queryable): Promise<void> {
  await db.query(`SELECT pg_logical_emit_message(true, 'hopthu', 'flush')`);
}

class FlushWaits {
  private waiting: Array<{ resolve(): void; reject(err: unknown): void }> = [];
  private flushing = false;

  constructor(private readonly db: Queryable) {}

  wait(): Promise<void> {
    return new Promise((resolve, reject) => {
      this.waiting.push({ resolve, reject });
      if (!this.flushing) void this.run();
    });
  }

  private async run(): Promise<void> {
    this.flushing = true;
    // a caller that came while a flush was under way waits for the next one: that one may have begun before its commit
    while (this.waiting.length) {
      const batch = this.waiting;
      this.waiting = [];
      try {
        await waitForFlush(this.db);
        for (const w of batch) w.resolve();
      } catch (err) {
        for (const w of batch) w.reject(err);
      }
    }
    this.flushing = false;
  }
}

const waits = new WeakMap<Queryable, FlushWaits>();

/** Resolves once every commit `pool`'s callers made before this call is durable; one flush serves many callers. */
export function walFlushed(pool: Queryable): Promise<void> {
  let w = waits.get(pool);
  if (!w) waits.set(pool, (w = new FlushWaits(pool)));
  return w.wait();
}
