import type { Db } from '../store/db.js';
import { transaction } from '../store/db.js';
import { UserError } from '../shared/errors.js';
import { appendAudit } from './audit-log.js';

export interface PrunedPeriod {
  /** the calendar month (UTC), 'YYYY-MM' */
  month: string;
  firstId: number;
  lastId: number;
  /** the anchor: the remaining chain links to this hash */
  lastHash: string;
  events: number;
}

export interface PruneResult {
  /** events before this instant (the first of a month, UTC) were eligible */
  before: Date;
  periods: PrunedPeriod[];
  events: number;
}

export interface PruneOptions {
  /** keep at least this many days (config audit.retentionDays); whole months older are removed */
  retentionDays: number;
  actor: string;
  source?: string;
  /** report what would be removed, remove nothing */
  dryRun?: boolean;
}

/** one prune at a time */
const AUDIT_PRUNE_LOCK = 4_242_009;

/** The first instant (UTC) of the month that holds `now - days`: everything before it is whole old months. */
export function pruneBoundary(now: Date, retentionDays: number): Date {
  const keepFrom = new Date(now.getTime() - retentionDays * 86_400_000);
  return new Date(Date.UTC(keepFrom.getUTCFullYear(), keepFrom.getUTCMonth(), 1));
}

const monthName = (d: Date) => d.toISOString().slice(0, 7);
const nextMonth = (d: Date) => new Date(Date.UTC(d.getUTCFullYear(), d.getUTCMonth() + 1, 1));

/**
 * Removes whole calendar months older than the retention, oldest first. For each month
 * removed an anchor (audit_anchors) records its last event and hash, in the transaction
 * that deletes it; the append-only trigger lets a DELETE through only for events such an
 * anchor covers (migration 009). The prune is itself an audit event, naming every anchor,
 * so verification can tell a real anchor from a forged one.
 */
export async function pruneAudit(db: Db, options: PruneOptions): Promise<PruneResult> {
  if (!Number.isInteger(options.retentionDays) || options.retentionDays < 1) {
    throw new UserError('no-retention', 'audit.retentionDays is 0 (keep forever): there is nothing to prune; set it to a number of days first');
  }
  return transaction(db, async (client) => {
    await client.query('SELECT pg_advisory_xact_lock($1)', [AUDIT_PRUNE_LOCK]);
    const now = (await client.query<{ now: Date }>('SELECT now()')).rows[0]!.now;
    const before = pruneBoundary(now, options.retentionDays);
    const oldest = (await client.query<{ at: Date | null }>('SELECT min(at) AS at FROM audit_events')).rows[0]?.at;
    const periods: PrunedPeriod[] = [];
    let after = (await client.query<{ last_id: number | null }>('SELECT max(last_id) AS last_id FROM audit_anchors')).rows[0]?.last_id ?? 0;
    if (oldest && oldest < before) {
      for (let start = new Date(Date.UTC(oldest.getUTCFullYear(), oldest.getUTCMonth(), 1)); start < before; start = nextMonth(start)) {
        const end = nextMonth(start);
        // the events before the first one at or after the month's end: a prefix of the chain
        const { rows } = await client.query<{ first_id: number | null; last_id: number | null; events: number }>(
          `SELECT min(id) AS first_id, max(id) AS last_id, count(*)::int AS events FROM audit_events
           WHERE id > $1 AND id < coalesce((SELECT min(id) FROM audit_events WHERE at >= $2), 9223372036854775807)`,
          [after, end],
        );
        const r = rows[0];
        if (!r || r.last_id === null || r.first_id === null) continue;
        const hash = (await client.query<{ hash: string }>('SELECT hash FROM audit_events WHERE id = $1', [r.last_id])).rows[0]!.hash;
        periods.push({ month: monthName(start), firstId: r.first_id, lastId: r.last_id, lastHash: hash, events: r.events });
        after = r.last_id;
        if (!options.dryRun) {
          await client.query(
            `INSERT INTO audit_anchors (period_start, period_end, first_id, last_id, last_hash, events) VALUES ($1, $2, $3, $4, $5, $6)`,
            [start, end, r.first_id, r.last_id, hash, r.events],
          );
        }
      }
    }
    const events = periods.reduce((n, p) => n + p.events, 0);
    if (!options.dryRun && periods.length) {
      const { rowCount } = await client.query('DELETE FROM audit_events WHERE id <= $1', [after]);
      if (rowCount !== events) throw new Error(`audit prune: expected to remove ${events} events, removed ${rowCount}`);
      await appendAudit(client, {
        actor: options.actor,
        action: 'audit.prune',
        ...(options.source ? { source: options.source } : {}),
        data: { retentionDays: options.retentionDays, before: before.toISOString(), events, periods },
      });
    }
    return { before, periods, events };
  });
}
