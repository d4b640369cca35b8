import type { Queryable } from '../store/db.js';
import { appendAudit } from '../audit/audit-log.js';
import { tryNormalizeAddress } from './address.js';
import { passwordHashOf, type Account } from './accounts.js';
import { verifyPassword, type Argon2Params } from './passwords.js';

export type AuthFailure = 'bad-credentials' | 'disabled';

export interface AuthAttempt {
  username: string;
  password: string;
  /** 'smtp', 'imap', 'web', 'api' */
  service: string;
  remoteAddress?: string;
}

/**
 * Checks a username (the full address) and password. Every success and failure is an
 * audit event. An unknown user costs the same argon2 work as a wrong password, so
 * timing does not tell which addresses exist.
 */
export async function authenticatePassword(
  db: Queryable,
  params: Argon2Params,
  attempt: AuthAttempt,
): Promise<{ ok: true; account: Account } | { ok: false; reason: AuthFailure }> {
  const address = tryNormalizeAddress(attempt.username);
  const found = address ? await passwordHashOf(db, address) : undefined;
  const valid = await verifyPassword(found?.hash, attempt.password, params);
  const reason: AuthFailure | undefined = !found || !valid ? 'bad-credentials' : found.account.status !== 'active' ? 'disabled' : undefined;
  await appendAudit(db, {
    actor: address ?? attempt.username.slice(0, 200),
    action: `auth.${attempt.service}.${reason ? 'failure' : 'success'}`,
    target: address,
    source: attempt.remoteAddress,
    data: reason ? { reason } : {},
  });
  if (reason || !found) return { ok: false, reason: reason ?? 'bad-credentials' };
  return { ok: true, account: found.account };
}
