import type { Queryable } from '../store/db.js';

export interface QueueEntry {
  spoolId: number;
  mailFrom: string;
  size: number;
  receivedAt: Date;
  expiresAt: Date;
  recipient: string;
  route: string;
  attempts: number;
  nextAttemptAt: Date;
  lastCode: string | null;
  lastError: string | null;
}

/** Recipients still waiting for delivery, oldest message first. */
export async function listQueue(db: Queryable, limit = 1000): Promise<QueueEntry[]> {
  const { rows } = await db.query<QueueEntry>(
    `SELECT s.id AS "spoolId", s.mail_from AS "mailFrom", s.size, s.received_at AS "receivedAt", s.expires_at AS "expiresAt",
            r.recipient, r.route, r.attempts, r.next_attempt_at AS "nextAttemptAt", r.last_code AS "lastCode", r.last_error AS "lastError"
       FROM spool s JOIN spool_recipients r ON r.spool_id = s.id
      WHERE s.done_at IS NULL AND r.status = 'pending'
      ORDER BY s.id, r.recipient LIMIT $1`,
    [limit],
  );
  return rows;
}

/** Makes pending recipients due now (all open rows, or one). Returns the spool ids touched. */
export async function retryNow(db: Queryable, spoolId?: number): Promise<number[]> {
  const { rows } = await db.query<{ spool_id: number }>(
    `UPDATE spool_recipients SET next_attempt_at = now(), updated_at = now()
      WHERE status = 'pending' AND ($1::bigint IS NULL OR spool_id = $1)
      RETURNING spool_id`,
    [spoolId ?? null],
  );
  return [...new Set(rows.map((r) => r.spool_id))];
}

/** Gives up on a message's pending recipients; the worker then sends the sender one DSN. */
export async function bounceNow(db: Queryable, spoolId: number, reason: string): Promise<number> {
  const { rowCount } = await db.query(
    `UPDATE spool_recipients SET status = 'failed', last_code = '5.0.0', last_error = $2, updated_at = now(), next_attempt_at = now()
      WHERE spool_id = $1 AND status = 'pending'`,
    [spoolId, reason],
  );
  return rowCount ?? 0;
}
