import type { Queryable } from '../store/db.js';
import type { Account } from '../identity/accounts.js';
import { accountUsage } from '../mail/append.js';

/** Would `incomingBytes` more take the account over its quota? A quota of 0 means none. */
export async function exceedsQuota(db: Queryable, account: Pick<Account, 'id' | 'quotaBytes'>, incomingBytes: number): Promise<boolean> {
  if (account.quotaBytes <= 0) return false;
  return (await accountUsage(db, account.id)) + incomingBytes > account.quotaBytes;
}
