import type { Queryable } from '../store/db.js';
import { UserError } from '../shared/errors.js';

/** The header fields kept beside each message for listing, search and sort. */
export interface MessageSummary {
  subject: string | null;
  from: string | null;
  to: string | null;
  date: Date | null;
  messageId: string | null;
}

export class OverQuotaError extends UserError {
  constructor(readonly address: string, readonly quotaBytes: number) {
    super('over-quota', `the mailbox of ${address} is full`);
  }
}

/** Bytes the account's mailboxes hold: what its quota is measured against. */
export async function accountUsage(db: Queryable, accountId: number): Promise<number> {
  const { rows } = await db.query<{ used: number }>(
    'SELECT COALESCE(sum(total_bytes), 0)::bigint AS used FROM mailboxes WHERE account_id = $1',
    [accountId],
  );
  return rows[0]?.used ?? 0;
}
