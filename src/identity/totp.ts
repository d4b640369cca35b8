import { generateSecret, generateURI, verify } from 'otplib';
import type { Queryable } from '../store/db.js';
import { appendAudit } from '../audit/audit-log.js';
import { UserError } from '../shared/errors.js';
import { getAccountById } from './accounts.js';
import { admitLogin, recordFailure, recordSuccess, type LoginGuard } from './lockout.js';
import { deleteRecoveryCodes, replaceRecoveryCodes, useRecoveryCode } from './recovery-codes.js';
import { inTransaction, type ChangedBy } from './secret-codes.js';

/**
 * TOTP second factor (RFC 6238, SHA-1, 6 digits, 30-second steps: what every
 * authenticator app does). An enrolment is pending until the person proves the app
 * works with one valid code; then it is active and ten recovery codes are made.
 * Secrets and codes are never logged nor put into audit events.
 */
const PERIOD = 30;
const TOTP_CODE = /^\d{6}$/;

interface TotpRow {
  secret: string;
  confirmed_at: Date | null;
  last_time_step: number | null;
}

async function totpRow(db: Queryable, accountId: number, lock = false): Promise<TotpRow | undefined> {
  const { rows } = await db.query<TotpRow>(`SELECT secret, confirmed_at, last_time_step FROM totp_credentials WHERE account_id = $1${lock ? ' FOR UPDATE' : ''}`, [accountId]);
  return rows[0];
}

/** Whether the account has an active (confirmed) second factor. */
export async function hasSecondFactor(db: Queryable, accountId: number): Promise<boolean> {
  const row = await totpRow(db, accountId);
  return Boolean(row?.confirmed_at);
}

/**
 * Starts (or restarts) an enrolment: a new secret, returned with its otpauth:// URI for
 * the QR code. Refused when a second factor is already active.
 */
export async function beginTotpEnrolment(
  db: Queryable,
  accountId: number,
  options: { issuer?: string; by?: ChangedBy } = {},
): Promise<{ secret: string; uri: string }> {
  return inTransaction(db, async (client) => {
    const account = await getAccountById(client, accountId);
    const existing = await totpRow(client, accountId, true);
    if (existing?.confirmed_at) throw new UserError('totp-already-enabled', `${account.address} already has a second factor; disable it before enrolling a new one`);
    // RFC 4226 §4 R6: at least 128 bits; 160 as RFC 6238's SHA-1 examples
    const secret = generateSecret({ length: 20 });
    await client.query(
      `INSERT INTO totp_credentials (account_id, secret) VALUES ($1, $2)
       ON CONFLICT (account_id) DO UPDATE SET secret = EXCLUDED.secret, confirmed_at = NULL, last_time_step = NULL, created_at = now()`,
      [accountId, secret],
    );
    await appendAudit(client, { actor: options.by?.actor ?? account.address, action: 'account.totp.enrol', target: account.address, source: options.by?.source, agencyId: account.agencyId ?? undefined });
    return { secret, uri: generateURI({ issuer: options.issuer ?? 'hopthu', label: account.address, secret, period: PERIOD }) };
  });
}

/** RFC 6238 §5.2: one step back or forward is accepted for clock drift; returns the matched step. */
async function matchStep(secret: string, code: string): Promise<number | undefined> {
  if (!TOTP_CODE.test(code)) return undefined;
  const result = await verify({ secret, token: code, epochTolerance: PERIOD, period: PERIOD });
  return result.valid && 'timeStep' in result ? result.timeStep : undefined;
}

/** Activates a pending enrolment with the first valid code; returns the ten recovery codes (shown once). */
export async function confirmTotpEnrolment(db: Queryable, accountId: number, code: string, options: { by?: ChangedBy } = {}): Promise<{ recoveryCodes: string[] }> {
  return inTransaction(db, async (client) => {
    const account = await getAccountById(client, accountId);
    const row = await totpRow(client, accountId, true);
    if (!row) throw new UserError('totp-not-enrolling', `${account.address} has no second-factor enrolment to confirm; begin one first`);
    if (row.confirmed_at) throw new UserError('totp-already-enabled', `${account.address} already has an active second factor`);
    const step = await matchStep(row.secret, code.trim());
    if (step === undefined) throw new UserError('totp-code-invalid', 'the code is not valid; check the authenticator app and the device clock, then try the current code');
    await client.query('UPDATE totp_credentials SET confirmed_at = now(), last_time_step = $2 WHERE account_id = $1', [accountId, step]);
    const recoveryCodes = await replaceRecoveryCodes(client, accountId);
    await appendAudit(client, { actor: options.by?.actor ?? account.address, action: 'account.totp.enable', target: account.address, source: options.by?.source, agencyId: account.agencyId ?? undefined });
    return { recoveryCodes };
  });
}

/** Removes the second factor and its recovery codes (the person, or an administrator for a lost phone). */
export async function disableTotp(db: Queryable, accountId: number, by: ChangedBy): Promise<boolean> {
  return inTransaction(db, async (client) => {
    const account = await getAccountById(client, accountId);
    const removed = await client.query('DELETE FROM totp_credentials WHERE account_id = $1', [accountId]);
    await deleteRecoveryCodes(client, accountId);
    if (removed.rowCount) await appendAudit(client, { actor: by.actor, action: 'account.totp.disable', target: account.address, source: by.source, agencyId: account.agencyId ?? undefined });
    return Boolean(removed.rowCount);
  });
}

/** New recovery codes replacing the old ones; only for an account with an active second factor. */
export async function regenerateRecoveryCodes(db: Queryable, accountId: number, by: ChangedBy): Promise<string[]> {
  return inTransaction(db, async (client) => {
    const account = await getAccountById(client, accountId);
    if (!(await hasSecondFactor(client, accountId))) throw new UserError('totp-not-enabled', `${account.address} has no active second factor`);
    const codes = await replaceRecoveryCodes(client, accountId);
    await appendAudit(client, { actor: by.actor, action: 'account.recovery-codes.regenerate', target: account.address, source: by.source, agencyId: account.agencyId ?? undefined });
    return codes;
  });
}

export type SecondFactorResult =
  | { ok: true; method: 'totp' }
  | { ok: true; method: 'recovery-code'; recoveryCodesLeft: number }
  | { ok: false; reason: 'invalid' | 'replayed' | 'not-enabled' | 'locked'; retryAfterSeconds?: number };

/**
 * The second step of a webmail or admin-console login: a 6-digit TOTP code (a code's
 * step is accepted once: a replay is refused) or one of the recovery codes (each works
 * once). Failures count towards the same lockout as wrong passwords when a guard is given.
 */
export async function verifySecondFactor(
  db: Queryable,
  accountId: number,
  codeOrRecovery: string,
  options: { guard?: LoginGuard; source?: string; service?: 'web' | 'api' } = {},
): Promise<SecondFactorResult> {
  const account = await getAccountById(db, accountId);
  const audit = (action: string, data: Record<string, unknown>) =>
    appendAudit(db, { actor: account.address, action, target: account.address, source: options.source, agencyId: account.agencyId ?? undefined, data: { service: options.service ?? 'web', ...data } });
  const { guard } = options;
  if (guard) {
    const blocked = await admitLogin(guard, account.address, options.source);
    if (blocked) {
      await audit('auth.second-factor.failure', { reason: 'locked', by: blocked.by });
      return { ok: false, reason: 'locked', retryAfterSeconds: blocked.retryAfterSeconds };
    }
  }
  const fail = async (reason: 'invalid' | 'replayed' | 'not-enabled'): Promise<SecondFactorResult> => {
    await audit('auth.second-factor.failure', { reason });
    if (guard) for (const lock of await recordFailure(guard, account.address, options.source)) await audit('auth.lockout', { by: lock.by, minutes: lock.minutes });
    return { ok: false, reason };
  };
  const succeed = async (result: SecondFactorResult & { ok: true }): Promise<SecondFactorResult> => {
    if (guard) await recordSuccess(guard, account.address, options.source);
    await audit('auth.second-factor.success', { method: result.method });
    return result;
  };

  const row = await totpRow(db, accountId);
  if (!row?.confirmed_at) return fail('not-enabled');
  const typed = codeOrRecovery.trim().replace(/\s/g, '');
  if (TOTP_CODE.test(typed)) {
    const step = await matchStep(row.secret, typed);
    if (step === undefined) return fail('invalid');
    // RFC 6238 §5.2: the verifier must not accept the second attempt of the same OTP
    const taken = await db.query(
      'UPDATE totp_credentials SET last_time_step = $2 WHERE account_id = $1 AND (last_time_step IS NULL OR last_time_step < $2) RETURNING 1',
      [accountId, step],
    );
    if (!taken.rowCount) return fail('replayed');
    return succeed({ ok: true, method: 'totp' });
  }
  const left = await useRecoveryCode(db, accountId, typed);
  if (left === undefined) return fail('invalid');
  return succeed({ ok: true, method: 'recovery-code', recoveryCodesLeft: left });
}

