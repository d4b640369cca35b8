import type { Queryable } from '../store/db.js';
import { DELIVERY_LIMITS } from '../shared/limits.js';
import { toVacation, type Vacation } from './preferences.js';

/**
 * What the vacation responder (delivery/vacation.ts) asks of identity: whose vacation is
 * on today, which addresses are an account's, and whether a sender was answered
 * within the period (`vacation_replies`, migration 018).
 */

/**
 * The vacations to honour on `today` ('YYYY-MM-DD') among these accounts: switched on,
 * and today between the start and end days (both included). One probe of a partial
 * index: the delivery path asks this for every message it stores in an INBOX.
 */
export async function activeVacations(db: Queryable, accountIds: readonly number[], today: string): Promise<Map<number, Vacation>> {
  if (!accountIds.length) return new Map();
  const { rows } = await db.query<{ account_id: number; vacation_enabled: boolean; vacation_subject: string; vacation_body: string; vacation_start: string | null; vacation_end: string | null; vacation_days: number }>(
    `SELECT account_id, vacation_enabled, vacation_subject, vacation_body, vacation_days,
            to_char(vacation_start, 'YYYY-MM-DD') AS vacation_start, to_char(vacation_end, 'YYYY-MM-DD') AS vacation_end
       FROM account_preferences
      WHERE account_id = ANY ($1::bigint[]) AND vacation_enabled
        AND (vacation_start IS NULL OR vacation_start <= $2::date) AND (vacation_end IS NULL OR vacation_end >= $2::date)`,
    [accountIds, today],
  );
  return new Map(rows.map((r) => [r.account_id, toVacation(r)]));
}

/**
 * Every address that delivers to this account without passing a distribution group:
 * its own and the aliases that lead to it, directly or through other aliases.
 */
export async function addressesOf(db: Queryable, accountAddress: string): Promise<string[]> {
  const { rows } = await db.query<{ address: string }>(
    `WITH RECURSIVE reaching (address, depth) AS (
       SELECT $1::text, 0
       UNION
       SELECT a.address, r.depth + 1 FROM aliases a JOIN reaching r ON r.address = ANY (a.targets) WHERE r.depth < $2
     )
     SELECT DISTINCT address FROM reaching`,
    [accountAddress, DELIVERY_LIMITS.maxAliasDepth],
  );
  return rows.map((r) => r.address);
}

/**
 * Records a reply to `sender` now, unless one went out less than `days` days ago; true
 * when the caller may send it. The row lock of the upsert makes concurrent deliveries
 * from one sender agree: exactly one wins. Call it in the transaction that spools the
 * reply, so the record and the reply commit together.
 */
export async function claimVacationReply(db: Queryable, accountId: number, sender: string, days: number): Promise<boolean> {
  const { rowCount } = await db.query(
    `INSERT INTO vacation_replies (account_id, sender, last_sent_at) VALUES ($1, $2, now())
     ON CONFLICT (account_id, sender) DO UPDATE SET last_sent_at = excluded.last_sent_at
      WHERE vacation_replies.last_sent_at <= excluded.last_sent_at - make_interval(days => $3)`,
    [accountId, sender, days],
  );
  return rowCount === 1;
}
