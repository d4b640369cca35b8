import type { Queryable } from '../store/db.js';
import { DEFAULT_MAILBOXES } from './mailboxes.js';

/**
 * `createDefaultMailboxes` for many accounts in two statements: bulk provisioning makes
 * thousands of accounts at once. Folders an account has already are left alone.
 */
export async function createDefaultMailboxesBatch(db: Queryable, accountIds: readonly number[]): Promise<void> {
  if (!accountIds.length) return;
  const names = DEFAULT_MAILBOXES.map((m) => m.name);
  const uses = DEFAULT_MAILBOXES.map((m) => m.specialUse);
  await db.query(
    `INSERT INTO mailboxes (account_id, name, special_use)
     SELECT a.id, m.name, m.special_use FROM unnest($1::bigint[]) AS a(id) CROSS JOIN unnest($2::text[], $3::text[]) AS m(name, special_use)
     ORDER BY a.id ON CONFLICT (account_id, name) DO NOTHING`,
    [accountIds, names, uses],
  );
  await db.query(
    `INSERT INTO mailbox_subscriptions (account_id, name)
     SELECT a.id, m.name FROM unnest($1::bigint[]) AS a(id) CROSS JOIN unnest($2::text[]) AS m(name) ON CONFLICT DO NOTHING`,
    [accountIds, names],
  );
}
