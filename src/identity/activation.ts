import type { Db, Queryable } from '../store/db.js';
import { transaction } from '../store/db.js';
import { appendAudit } from '../audit/audit-log.js';
import { UserError } from '../shared/errors.js';
import { getAccountById } from './accounts.js';
import { setAccountPassword, type CredentialSettings } from './password-change.js';
import { canonicalBase32, groupCode, inTransaction, randomBase32, sha256, type ChangedBy } from './secret-codes.js';

/** 20 Crockford base32 characters (100 bits), shown as "ABCDE-FGHJK-MNPQR-STVWX" */
const CODE_CHARS = 20;

export interface ActivationCode {
  accountId: number;
  address: string;
  /** shown once; only its SHA-256 is stored */
  code: string;
  expiresAt: Date;
}

/**
 * Makes one activation code per account (an account's earlier unused code stops
 * working), valid for `days` (config activation.codeDays). Codes are random, so only
 * their SHA-256 is stored, and all rows go in with one INSERT: thousands per second.
 * One audit event records the batch. Pass a transaction client to make the codes part
 * of a larger change (provisioning); given the pool, it runs its own transaction.
 */
export async function createActivationCodes(
  db: Queryable,
  accountIds: readonly number[],
  opts: { days: number; by: ChangedBy; context?: Record<string, unknown> },
): Promise<ActivationCode[]> {
  const ids = [...new Set(accountIds)];
  if (!ids.length) return [];
  if (!(opts.days > 0)) throw new UserError('bad-activation-days', `an activation code must be valid for more than 0 days (got ${opts.days})`);
  return inTransaction(db, async (client) => {
    const { rows: accounts } = await client.query<{ id: number; address: string; status: string }>(
      'SELECT id, address, status FROM accounts WHERE id = ANY($1::bigint[]) ORDER BY address',
      [ids],
    );
    if (accounts.length !== ids.length) {
      const found = new Set(accounts.map((a) => a.id));
      throw new UserError('no-such-account', `there is no account with id ${ids.filter((id) => !found.has(id)).join(', ')}`);
    }
    const disabled = accounts.filter((a) => a.status !== 'active');
    if (disabled.length) throw new UserError('account-disabled', `no activation code for a disabled account: ${disabled.map((a) => a.address).join(', ')}`);
    const expiresAt = new Date(Date.now() + opts.days * 86_400_000);
    const codes = accounts.map((a) => ({ accountId: a.id, address: a.address, raw: randomBase32(CODE_CHARS) }));
    await client.query('DELETE FROM activation_codes WHERE account_id = ANY($1::bigint[]) AND used_at IS NULL', [ids]);
    await client.query(
      'INSERT INTO activation_codes (code_hash, account_id, expires_at) SELECT unnest($1::bytea[]), unnest($2::bigint[]), $3',
      [codes.map((c) => sha256(c.raw)), codes.map((c) => c.accountId), expiresAt],
    );
    await appendAudit(client, {
      actor: opts.by.actor,
      action: 'account.activation.create',
      target: accounts.length === 1 ? accounts[0]!.address : undefined,
      source: opts.by.source,
      data: { count: accounts.length, expiresAt: expiresAt.toISOString(), accounts: accounts.map((a) => a.address), ...opts.context },
    });
    return codes.map((c) => ({ accountId: c.accountId, address: c.address, code: groupCode(c.raw, 5), expiresAt }));
  });
}

/**
 * The person sets their own password with the code: the policy applies (history
 * included), the code works once, an expired or used one is refused with that reason,
 * and the forced change is cleared (they chose it). Success and failure are audited.
 */
export async function redeemActivationCode(
  db: Db,
  settings: CredentialSettings,
  code: string,
  newPassword: string,
  source?: string,
): Promise<{ accountId: number; address: string }> {
  const canonical = canonicalBase32(code, CODE_CHARS);
  const refuse = async (reason: string, message: string, target?: string): Promise<never> => {
    await appendAudit(db, { actor: target ?? 'anonymous', action: 'account.activation.failure', target, source, data: { reason } });
    throw new UserError(reason, message);
  };
  if (!canonical) return refuse('activation-code-invalid', `an activation code has ${CODE_CHARS} letters and digits, like ABCDE-FGHJK-MNPQR-STVWX`);
  // a refused password rolls back: the code stays usable
  type Refusal = { reason: string; message: string; target?: string };
  const result = await transaction(db, async (client): Promise<{ accountId: number; address: string } | Refusal> => {
    const { rows } = await client.query<{ account_id: number; expires_at: Date; used_at: Date | null }>(
      'SELECT account_id, expires_at, used_at FROM activation_codes WHERE code_hash = $1 FOR UPDATE',
      [sha256(canonical)],
    );
    const row = rows[0];
    if (!row) return { reason: 'activation-code-invalid', message: 'this activation code is not valid; check it, or ask your administrator for a new one' };
    const account = await getAccountById(client, row.account_id);
    const target = account.address;
    if (row.used_at) return { reason: 'activation-code-used', message: 'this activation code has already been used; log in with the password you set, or ask your administrator for a new code', target };
    if (row.expires_at.getTime() <= Date.now()) {
      return { reason: 'activation-code-expired', message: `this activation code expired on ${row.expires_at.toISOString().slice(0, 10)}; ask your administrator for a new one`, target };
    }
    if (account.status !== 'active') return { reason: 'account-disabled', message: 'this account is disabled; contact your administrator', target };
    await setAccountPassword(client, settings, account, newPassword, { by: 'activation' });
    await client.query('UPDATE activation_codes SET used_at = now() WHERE code_hash = $1', [sha256(canonical)]);
    await appendAudit(client, { actor: account.address, action: 'account.activate', target: account.address, source, agencyId: account.agencyId ?? undefined });
    return { accountId: account.id, address: account.address };
  });
  if ('reason' in result) return refuse(result.reason, result.message, result.target);
  return result;
}
