import type pg from 'pg';
import type { Queryable } from '../store/db.js';
import type { HashedFields } from './canonical.js';
import { bodyAroundTime } from './canonical.js';
import { walFlushed } from '../store/wal-flush.js';

export interface AppendedAudit {
  id: number;
  at: Date;
  hash: string;
}

/** one event as audit_append (migration 009) takes it */
function wireEvent(f: HashedFields) {
  const { head, tail } = bodyAroundTime(f);
  return { actor: f.actor, action: f.action, target: f.target, source: f.source, agencyId: f.agencyId, data: f.data, head, tail };
}

const APPEND = 'SELECT id, at, hash FROM audit_append($1::jsonb, $2)';
/** Appends inside the caller's transaction, in order: the events commit (or not) with the change. */
export async function appendInTransaction(db: Queryable, events: readonly HashedFields[]): Promise<AppendedAudit[]> {
  if (!events.length) return [];
  const { rows } = await db.query<AppendedAudit>(APPEND, [JSON.stringify(events.map(wireEvent)), false]);
  return rows;
}

interface Pending {
  event: ReturnType<typeof wireEvent>;
  resolve(a: AppendedAudit): void;
  reject(err: unknown): void;
}

const MAX_BATCH = 500;

/**
 * Events on their own (logins, failures) from one process: while one batch holds the
 * chain head, the next gathers; each batch is one statement that releases the head
 * without waiting for the fsync, and the fsync is awaited afterwards, outside the lock, by
 * one wait for every batch committed meanwhile (PostgreSQL's group commit shares it with
 * other processes too). A caller's promise resolves only once its event is durable.
 */
class PoolAppender {
  private queue: Pending[] = [];
  private appending = false;
  constructor(private readonly pool: pg.Pool) {}

  append(f: HashedFields): Promise<AppendedAudit> {
    return new Promise((resolve, reject) => {
      this.queue.push({ event: wireEvent(f), resolve, reject });
      if (!this.appending) void this.drain();
    });
  }

  private async drain() {
    this.appending = true;
    try {
      while (this.queue.length) {
        const batch = this.queue.splice(0, MAX_BATCH);
        let appended: AppendedAudit[];
        try {
          appended = await this.write(batch);
        } catch (err) {
          // one bad event must not fail its neighbours: write them one by one
          if (batch.length === 1) batch[0]!.reject(err);
          else for (const p of batch) this.write([p]).then((rows) => this.committed([p], rows), (e: unknown) => p.reject(e));
          continue;
        }
        this.committed(batch, appended);
      }
    } finally {
      this.appending = false;
    }
  }

  private async write(batch: Pending[]): Promise<AppendedAudit[]> {
    const { rows } = await this.pool.query<AppendedAudit>(APPEND, [JSON.stringify(batch.map((p) => p.event)), true]);
    return rows;
  }

  /** the batch resolves once the WAL is flushed past it (store/wal-flush.ts: one flush wait serves every batch committed before it began) */
  private committed(batch: Pending[], rows: AppendedAudit[]) {
    walFlushed(this.pool).then(
      () => batch.forEach((p, i) => p.resolve(rows[i]!)),
      (err: unknown) => batch.forEach((p) => p.reject(err)),
    );
  }
}

const appenders = new WeakMap<pg.Pool, PoolAppender>();

export function appendAlone(pool: pg.Pool, f: HashedFields): Promise<AppendedAudit> {
  let appender = appenders.get(pool);
  if (!appender) appenders.set(pool, (appender = new PoolAppender(pool)));
  return appender.append(f);
}
