import type { Queryable } from '../store/db.js';
import { appendAudit } from '../audit/audit-log.js';
import { lockouts, logins } from '../shared/metrics.js';
import { tryNormalizeAddress } from './address.js';
import { toAccount, type Account, type AccountRow } from './accounts.js';
import { verifyPassword, type Argon2Params } from './passwords.js';
import { admitAttempt, noteRefusal, recordFailure, recordSuccess, type LoginGuard } from './lockout.js';
import { findAppPassword, recordAppPasswordUse } from './app-passwords.js';
import type { DirectoryPasswordCheck, PasswordSource } from './directory-passwords.js';

/** Who asks: the mail protocols, or the webmail and the admin API (which can act on a forced change and a second factor). */
export type AuthService = 'smtp' | 'imap' | 'web' | 'api';

/** 'unavailable': the directory that checks this domain's passwords could not be asked; try again later */
export type AuthFailure = 'bad-credentials' | 'disabled' | 'locked' | 'password-expired' | 'unavailable';

/**
 * A success says what the front end must still do:
 * - `mustChangePassword`: 'reset' (set by an administrator, or the account was made with a
 *   password) or 'expired' (older than passwordPolicy.maxAgeDays). The webmail and the API
 *   send the person to the change form before anything else. IMAP and SMTP cannot ask for
 *   a new password, so a reset password keeps working there; an expired one is refused
 *   there ('password-expired'), and the person changes it in the webmail.
 * - `secondFactorRequired`: for 'web' and 'api' on an account with TOTP; the front end
 *   asks for the code and calls verifySecondFactor before letting the person in.
 */
export type AuthOutcome =
  | { ok: true; account: Account; method: 'password' | 'app-password'; mustChangePassword: false | 'reset' | 'expired'; secondFactorRequired: boolean }
  | { ok: false; reason: AuthFailure; retryAfterSeconds?: number };

export interface AuthAttempt {
  username: string;
  password: string;
  service: AuthService;
  remoteAddress?: string;
  /** what the client says it is: the browser's User-Agent, the IMAP ID (RFC 2971), the SMTP EHLO name; audited with the attempt */
  client?: string | undefined;
}

/** What authentication needs from the configuration. */
export interface AuthSettings {
  argon2: Argon2Params;
  passwordPolicy: { maxAgeDays: number };
  /** for domains whose passwords the directory checks (domains.password_source) */
  directoryPasswords?: DirectoryPasswordCheck | undefined;
}

type LoginRow = AccountRow & { must_change_password: boolean; password_changed_at: Date | null; has_second_factor: boolean; password_source: PasswordSource };

const isMailProtocol = (service: AuthService) => service === 'imap' || service === 'smtp';

/**
 * Checks a username (the full address) and a password or app password.
 *
 * Order of the checks, each cheaper than the next:
 * 1. lockout (Redis): a locked account or blocked address, or a window whose attempts are
 *    used up, is refused before any password work; otherwise the attempt is counted;
 * 2. app password (SHA-256 lookup, no argon2): a live one scoped to this protocol lets a
 *    mail client in; a revoked one, one of another scope, and any for 'web'/'api' fail;
 * 3. the account's password (argon2id). An unknown user costs the same argon2 work as a
 *    wrong password, so timing does not tell which addresses exist. An account with a
 *    second factor cannot use its password over IMAP/SMTP (only app passwords): that
 *    costs the same decoy argon2 work and fails like a wrong password.
 * Every success, failure and lockout is an audit event (never with the password); attempts
 * refused while locked are one event per account, address and minute, with their count.
 */
export async function authenticatePassword(db: Queryable, settings: AuthSettings, attempt: AuthAttempt, guard?: LoginGuard): Promise<AuthOutcome> {
  const address = tryNormalizeAddress(attempt.username);
  const actor = address ?? attempt.username.slice(0, 200);
  const ip = attempt.remoteAddress;
  /** the account's agency once it is known, so auditors can filter logins by agency */
  let agencyId: number | undefined;
  const audit = (action: string, data: Record<string, unknown> = {}) => {
    if (action.startsWith('auth.') && action !== 'auth.lockout') logins.inc({ service: attempt.service, result: action.endsWith('.success') ? 'success' : data.reason === 'locked' ? 'locked' : 'failure' });
    if (action === 'auth.lockout') lockouts.inc({ by: String(data.by) });
    return appendAudit(db, { actor, action, target: address, source: ip, agencyId, data: { service: attempt.service, ...(attempt.client ? { client: attempt.client.slice(0, 200) } : {}), ...data } });
  };
  const key = address ?? actor.toLowerCase();
  const failure = async (reason: AuthFailure, detail: Record<string, unknown> = {}): Promise<AuthOutcome> => {
    await audit(`auth.${attempt.service}.failure`, { reason, ...detail });
    if (guard && reason === 'bad-credentials') {
      const locked = await recordFailure(guard, key, ip).catch(() => []);
      for (const lock of locked) await audit('auth.lockout', { by: lock.by, minutes: lock.minutes });
    } else if (guard) {
      // the password was right (disabled account, expired password): not a guess
      await recordSuccess(guard, key, ip).catch(() => {});
    }
    return { ok: false, reason };
  };

  const admission = guard ? await admitAttempt(guard, key, ip).catch(() => ({ attempts: 1 })) : { attempts: 1 };
  const blocked = 'blocked' in admission ? admission.blocked : undefined;
  /** the directory could not answer: not a guess, so the attempt is given back */
  const unavailable = async (why: string): Promise<AuthOutcome> => {
    await audit(`auth.${attempt.service}.failure`, { reason: 'unavailable', why });
    if (guard) await recordSuccess(guard, key, ip).catch(() => {});
    return { ok: false, reason: 'unavailable' };
  };
  if (blocked) {
    // the first refusal of each minute per account and address is an event; it counts the previous minute's
    const refusal = guard ? await noteRefusal(guard, key, ip).catch(() => ({ first: true, refusedPreviousMinute: 0 })) : { first: true, refusedPreviousMinute: 0 };
    if (refusal.first) await audit(`auth.${attempt.service}.failure`, { reason: 'locked', by: blocked.by, refusedPreviousMinute: refusal.refusedPreviousMinute });
    return { ok: false, reason: 'locked', retryAfterSeconds: blocked.retryAfterSeconds };
  }

  const row = address ? await loginRow(db, address) : undefined;
  const account = row ? toAccount(row) : undefined;
  agencyId = account?.agencyId ?? undefined;

  const app = account ? await findAppPassword(db, account.id, attempt.password) : undefined;
  if (account && app) {
    const detail = { method: 'app-password', name: app.name };
    if (app.revokedAt) return failure('bad-credentials', { ...detail, why: 'app-password-revoked' });
    if (!isMailProtocol(attempt.service)) return failure('bad-credentials', { ...detail, why: 'app-password-not-for-this-service' });
    if (!app.scopes.includes(attempt.service as 'imap' | 'smtp')) return failure('bad-credentials', { ...detail, why: 'app-password-scope', scopes: app.scopes });
    if (account.status !== 'active') return failure('disabled', detail);
    await recordAppPasswordUse(db, app.id, ip);
    if (guard) await recordSuccess(guard, key, ip).catch(() => {});
    await audit(`auth.${attempt.service}.success`, detail);
    return { ok: true, account, method: 'app-password', mustChangePassword: false, secondFactorRequired: false };
  }

  // RFC 6238 accounts use app passwords for mail clients: the password is not tried (same decoy cost)
  const passwordBarred = Boolean(row?.has_second_factor) && isMailProtocol(attempt.service);
  // another unresolved attempt on this account (guessing, or a second try): its argon2 waits behind other people's
  const priority = 'attempts' in admission && (admission.attempts ?? 1) > 1 ? 'suspect' : 'normal';
  const inDirectory = row?.password_source === 'directory' && !passwordBarred;
  let valid: boolean;
  if (inDirectory && account) {
    // the domain keeps its passwords in the directory: a bind as the person's entry decides
    if (!account.externalId) return failure('bad-credentials', { why: 'not-in-directory' });
    if (!settings.directoryPasswords) return unavailable('the directory is not configured (provisioning.ldap)');
    try {
      valid = await settings.directoryPasswords(account.externalId, attempt.password);
    } catch (err) {
      return unavailable((err as Error).message);
    }
  } else {
    valid = await verifyPassword(passwordBarred ? undefined : row?.password_hash, attempt.password, settings.argon2, priority);
  }
  if (passwordBarred) return failure('bad-credentials', { why: 'second-factor-account-needs-app-password' });
  if (!row || !account || !valid) return failure('bad-credentials', inDirectory ? { checkedBy: 'directory' } : {});
  if (account.status !== 'active') return failure('disabled');

  // the directory keeps its own password ages; these are for passwords kept here
  const maxAgeDays = inDirectory ? 0 : settings.passwordPolicy.maxAgeDays;
  const setAt = row.password_changed_at ?? row.created_at;
  const expired = maxAgeDays > 0 && Date.now() - setAt.getTime() > maxAgeDays * 86_400_000;
  if (expired && isMailProtocol(attempt.service)) return failure('password-expired', { passwordSetAt: setAt.toISOString() });

  if (guard) await recordSuccess(guard, key, ip).catch(() => {});
  const mustChangePassword = expired ? 'expired' : row.must_change_password && !inDirectory ? 'reset' : false;
  const secondFactorRequired = row.has_second_factor && !isMailProtocol(attempt.service);
  await audit(`auth.${attempt.service}.success`, {
    method: 'password',
    ...(inDirectory ? { checkedBy: 'directory' } : {}),
    ...(mustChangePassword ? { mustChangePassword } : {}),
    ...(secondFactorRequired ? { secondFactor: 'pending' } : {}),
  });
  return { ok: true, account, method: 'password', mustChangePassword, secondFactorRequired };
}

async function loginRow(db: Queryable, address: string): Promise<LoginRow | undefined> {
  const { rows } = await db.query<LoginRow>(
    `SELECT a.*, (t.confirmed_at IS NOT NULL) AS has_second_factor, d.password_source
       FROM accounts a JOIN domains d ON d.id = a.domain_id
       LEFT JOIN totp_credentials t ON t.account_id = a.id AND t.confirmed_at IS NOT NULL
      WHERE a.address = $1`,
    [address],
  );
  return rows[0];
}
