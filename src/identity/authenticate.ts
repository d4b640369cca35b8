import type { Queryable } from '../store/db.js';
import { appendAudit } from '../audit/audit-log.js';
import { tryNormalizeAddress } from './address.js';
import { passwordHashOf, type Account } from './accounts.js';
import { verifyPassword, type Argon2Params } from './passwords.js';
import { checkBlocked, recordFailure, recordSuccess, type LoginGuard } from './lockout.js';

export type AuthFailure = 'bad-credentials' | 'disabled' | 'locked';

export interface AuthAttempt {
  username: string;
  password: string;
  /** 'smtp', 'imap', 'web', 'api' */
  service: string;
  remoteAddress?: string;
}

export type AuthOutcome = { ok: true; account: Account } | { ok: false; reason: AuthFailure; retryAfterSeconds?: number };

/**
 * Checks a username (the full address) and password. A locked account or blocked
 * address is refused before any argon2 work; an unknown user costs the same argon2
 * work as a wrong password, so timing does not tell which addresses exist. Every
 * success, failure and lockout is an audit event.
 */
export async function authenticatePassword(db: Queryable, params: Argon2Params, attempt: AuthAttempt, guard?: LoginGuard): Promise<AuthOutcome> {
  const address = tryNormalizeAddress(attempt.username);
  const actor = address ?? attempt.username.slice(0, 200);
  const audit = (action: string, data: Record<string, unknown> = {}) =>
    appendAudit(db, { actor, action, target: address, source: attempt.remoteAddress, data: { service: attempt.service, ...data } });
  const key = address ?? actor.toLowerCase();

  const blocked = guard ? await checkBlocked(guard, key, attempt.remoteAddress).catch(() => undefined) : undefined;
  if (blocked) {
    await audit(`auth.${attempt.service}.failure`, { reason: 'locked', by: blocked.by });
    return { ok: false, reason: 'locked', retryAfterSeconds: blocked.retryAfterSeconds };
  }

  const found = address ? await passwordHashOf(db, address) : undefined;
  const valid = await verifyPassword(found?.hash, attempt.password, params);
  if (found && valid && found.account.status === 'active') {
    if (guard) await recordSuccess(guard, key).catch(() => {});
    await audit(`auth.${attempt.service}.success`);
    return { ok: true, account: found.account };
  }
  const reason: AuthFailure = found && valid ? 'disabled' : 'bad-credentials';
  await audit(`auth.${attempt.service}.failure`, { reason });
  if (guard && reason === 'bad-credentials') {
    const locked = await recordFailure(guard, key, attempt.remoteAddress).catch(() => []);
    for (const lock of locked) await audit('auth.lockout', { by: lock.by, minutes: lock.minutes });
  }
  return { ok: false, reason };
}
