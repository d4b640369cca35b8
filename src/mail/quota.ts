import type { Queryable } from '../store/db.js';
import { UserError } from '../shared/errors.js';

/**
 * An account's limits, as identity keeps them (an `Account` fits): 0 or absent means
 * no limit. The mail module does not read identity's tables; the caller passes these.
 */
export interface QuotaLimits {
  quotaBytes: number;
  quotaMessages?: number;
}

/** RFC 9208 §5: the resources we account for; all of an account's folders share one root. */
export type QuotaResource = 'STORAGE' | 'MESSAGE';

export class QuotaExceededError extends UserError {
  override name = 'QuotaExceededError';
  constructor(readonly resource: QuotaResource, message: string) {
    // the IMAP layer answers NO [OVERQUOTA] (RFC 9208 §4.3)
    super('over-quota', message);
  }
}

export interface AccountUsage {
  bytes: number;
  messages: number;
}

export async function accountUsageDetail(db: Queryable, accountId: number): Promise<AccountUsage> {
  const { rows } = await db.query<AccountUsage>(
    `SELECT COALESCE(sum(total_bytes), 0)::bigint AS bytes, COALESCE(sum(message_count), 0)::bigint AS messages
       FROM mailboxes WHERE account_id = $1`,
    [accountId],
  );
  return rows[0] ?? { bytes: 0, messages: 0 };
}

export interface QuotaReport {
  /** RFC 9208 §3.1: every folder of the account is under this one quota root */
  root: '';
  /** RFC 9208 §5.1: STORAGE in units of 1024 octets; limit null when there is none */
  storage: { usage: number; limit: number | null; usedBytes: number };
  /** RFC 9208 §5.2: MESSAGE is the number of messages in all the folders */
  message: { usage: number; limit: number | null };
}

export async function getQuota(db: Queryable, accountId: number, limits: QuotaLimits): Promise<QuotaReport> {
  const used = await accountUsageDetail(db, accountId);
  return {
    root: '',
    storage: {
      usage: Math.ceil(used.bytes / 1024),
      limit: limits.quotaBytes > 0 ? Math.floor(limits.quotaBytes / 1024) : null,
      usedBytes: used.bytes,
    },
    message: { usage: used.messages, limit: limits.quotaMessages ? limits.quotaMessages : null },
  };
}

/**
 * Throws QuotaExceededError when adding `bytes` in `messages` messages would take the
 * account over a limit. Run inside the transaction that adds them, after locking the
 * target folder; two changes to different folders of one account may still both pass
 * (a soft limit, as delivery's is).
 */
export async function checkQuota(db: Queryable, accountId: number, limits: QuotaLimits | undefined, bytes: number, messages: number): Promise<void> {
  if (!hasQuota(limits)) return;
  assertWithinQuota(await accountUsageDetail(db, accountId), limits, bytes, messages);
}

export const hasQuota = (limits: QuotaLimits | undefined | null): limits is QuotaLimits => !!limits && (limits.quotaBytes > 0 || !!limits.quotaMessages);

/** checkQuota on usage the caller already read (mail_append of migration 027 reads it with the folder locked) */
export function assertWithinQuota(used: AccountUsage, limits: QuotaLimits, bytes: number, messages: number): void {
  if (limits.quotaBytes > 0 && used.bytes + bytes > limits.quotaBytes) {
    throw new QuotaExceededError('STORAGE', `the mailbox is full: ${Math.ceil(used.bytes / 1024)} of ${Math.floor(limits.quotaBytes / 1024)} KiB used`);
  }
  if (limits.quotaMessages && used.messages + messages > limits.quotaMessages) {
    throw new QuotaExceededError('MESSAGE', `the mailbox is full: ${used.messages} of ${limits.quotaMessages} messages`);
  }
}
