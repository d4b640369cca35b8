import type { Queryable } from '../store/db.js';
import { filterConditions } from './filter.js';

/** Failed logins and lockouts of one account (or one source address) in a period. */
export interface FailureTally {
  /** the address tried (the username as typed when it is not an address), or the source IP */
  key: string;
  failures: number;
  lockouts: number;
  /** how many different accounts (for an IP) or addresses (for an account) took part */
  others: number;
  last: Date;
}

export interface FailedLoginSummary {
  byAccount: FailureTally[];
  byIp: FailureTally[];
}

// failures of every service (auth.web.failure, auth.imap.failure, ...) and lockouts
const FAILURE = `(action LIKE 'auth.%.failure' OR action = 'auth.lockout')`;

/**
 * The authentication failures and lockouts since a time, counted per account and per
 * source address, most recent first: what a security officer looks at for brute force.
 * Reads through the audit filter's time and action conditions (an index serves them).
 */
export async function failedLoginSummary(db: Queryable, since: Date, limit = 50): Promise<FailedLoginSummary> {
  const params: unknown[] = [];
  const where = [...filterConditions({ since, action: 'auth.' }, params), FAILURE].join(' AND ');
  params.push(limit);
  const tally = async (key: string, other: string) => {
    const { rows } = await db.query<{ key: string; failures: string; lockouts: string; others: string; last: Date }>(
      `SELECT ${key} AS key, count(*) FILTER (WHERE action <> 'auth.lockout') AS failures,
              count(*) FILTER (WHERE action = 'auth.lockout') AS lockouts, count(DISTINCT ${other}) AS others, max(at) AS last
         FROM audit_events WHERE ${where} AND ${key} IS NOT NULL
        GROUP BY 1 ORDER BY max(at) DESC LIMIT $${params.length}`,
      params,
    );
    return rows.map((r) => ({ key: r.key, failures: Number(r.failures), lockouts: Number(r.lockouts), others: Number(r.others), last: r.last }));
  };
  return { byAccount: await tally('coalesce(target, actor)', 'source'), byIp: await tally('source', 'coalesce(target, actor)') };
}
