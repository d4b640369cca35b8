import type { Db } from '../../../src/store/db.js';
import { transaction } from '../../../src/store/db.js';
import { eventHash } from '../../../src/audit/audit-log.js';

/**
 * Events in past months, as an older log would hold them: chained exactly as
 * audit_append chains them (the same hash over the same fields), inserted with their
 * time, and the chain head moved to the last one.
 */
export async function appendBackdated(db: Db, events: Array<{ at: string; actor: string; action: string; source?: string }>): Promise<number[]> {
  return transaction(db, async (c) => {
    const head = (await c.query<{ last_hash: string }>('SELECT last_hash FROM audit_chain_head FOR UPDATE')).rows[0]!;
    let prev = head.last_hash;
    const ids: number[] = [];
    for (const e of events) {
      const fields = { actor: e.actor, action: e.action, target: null, source: e.source ?? null, agencyId: null, data: {} };
      const hash = eventHash(prev, e.at, fields);
      const { rows } = await c.query<{ id: number }>(
        'INSERT INTO audit_events (at, actor, action, source, data, prev_hash, hash) VALUES ($1, $2, $3, $4, $5, $6, $7) RETURNING id',
        [e.at, e.actor, e.action, e.source ?? null, {}, prev, hash],
      );
      ids.push(rows[0]!.id);
      await c.query('UPDATE audit_chain_head SET last_id = $1, last_hash = $2, last_at = $3', [rows[0]!.id, hash, e.at]);
      prev = hash;
    }
    return ids;
  });
}
