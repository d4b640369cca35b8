import { transaction, type Db, type Queryable } from '../store/db.js';
import { revokeSessionsOf } from './web-sessions.js';
import { appendAudit } from '../audit/audit-log.js';
import { UserError } from '../shared/errors.js';
import type { Account } from './accounts.js';
import { hashPassword, verifyPassword, type Argon2Params } from './passwords.js';
import { checkPasswordRules, PasswordPolicyError, type PasswordPolicy, type PolicyRefusal } from './password-policy.js';

/** What setting a password needs from the configuration. */
export interface CredentialSettings {
  argon2: Argon2Params;
  passwordPolicy: PasswordPolicy;
}

/**
 * Who sets the password decides whether the person must change it: an administrator's
 * reset and an account made with a password ('creation') set must_change_password; the
 * person themselves ('self', 'activation') clears it.
 */
export type PasswordSetter = 'self' | 'activation' | 'admin' | 'creation';

/** Is `password` the current one or one of the `count` most recent (the current counts)? Costs one argon2 verify per stored hash. */
export async function isRecentPassword(db: Queryable, params: Argon2Params, accountId: number, password: string, count: number): Promise<boolean> {
  if (count <= 0) return false;
  const { rows } = await db.query<{ password_hash: string }>(
    `SELECT password_hash FROM (
       SELECT password_hash, 0 AS rank, 0::bigint AS id FROM accounts WHERE id = $1 AND password_hash IS NOT NULL
       UNION ALL
       SELECT password_hash, 1, id FROM password_history WHERE account_id = $1
     ) h ORDER BY rank, id DESC LIMIT $2`,
    [accountId, count + 1],
  );
  const hashes = [...new Set(rows.map((r) => r.password_hash))].slice(0, count);
  for (const hash of hashes) if (await verifyPassword(hash, password, params)) return true;
  return false;
}

/** The policy in full, history included; throws PasswordPolicyError with the first refusal. */
export async function assertPasswordAllowed(db: Queryable, settings: CredentialSettings, account: Account, password: string): Promise<void> {
  const refusal = checkPasswordRules(password, settings.passwordPolicy, account);
  if (refusal) throw refusal;
  const n = settings.passwordPolicy.historyCount;
  if (await isRecentPassword(db, settings.argon2, account.id, password, n)) {
    throw new PasswordPolicyError('password-reused', `the password was used recently; choose one different from the last ${n}`);
  }
}

/**
 * Sets an account's password under the policy (history included), keeps its hash in the
 * history and sets or clears the forced change. `force` (superadmin CLI only) sets a
 * password the policy refuses and returns the refusal for the caller's audit event.
 * Run it inside the transaction that writes the audit event.
 */
export async function setAccountPassword(
  db: Queryable,
  settings: CredentialSettings,
  account: Account,
  password: string,
  options: { by: PasswordSetter; force?: boolean },
): Promise<{ overridden?: PolicyRefusal }> {
  const { rows: source } = await db.query<{ name: string; password_source: string }>('SELECT name, password_source FROM domains WHERE id = $1', [account.domainId]);
  if (source[0]?.password_source === 'directory') {
    throw new UserError('password-in-directory', `the passwords of ${source[0].name} are kept in the province's directory; change ${account.address}'s password there`);
  }
  let overridden: PolicyRefusal | undefined;
  try {
    await assertPasswordAllowed(db, settings, account, password);
  } catch (err) {
    if (!(err instanceof PasswordPolicyError) || !options.force) throw err;
    overridden = err.refusal;
  }
  const hash = await hashPassword(password, settings.argon2);
  const mustChange = options.by === 'admin' || options.by === 'creation';
  await db.query(
    'UPDATE accounts SET password_hash = $2, password_changed_at = now(), must_change_password = $3, updated_at = now() WHERE id = $1',
    [account.id, hash, mustChange],
  );
  await db.query('INSERT INTO password_history (account_id, password_hash) VALUES ($1, $2)', [account.id, hash]);
  // an administrator's reset answers a lost or stolen password: whoever holds a session with the old one is out
  if (options.by === 'admin') await revokeSessionsOf(db, [account.id]);
  await db.query(
    `DELETE FROM password_history WHERE account_id = $1 AND id NOT IN (
       SELECT id FROM password_history WHERE account_id = $1 ORDER BY id DESC LIMIT $2)`,
    [account.id, Math.max(1, settings.passwordPolicy.historyCount)],
  );
  return overridden ? { overridden } : {};
}

/**
 * The person changes their own password (the webmail's form): the current one is
 * checked, the new one must pass the policy, and the forced change is cleared.
 */
export async function changeOwnPassword(
  db: Db,
  settings: CredentialSettings,
  account: Account,
  current: string,
  next: string,
  source?: string,
): Promise<void> {
  const { rows } = await db.query<{ password_hash: string | null }>('SELECT password_hash FROM accounts WHERE id = $1', [account.id]);
  if (!(await verifyPassword(rows[0]?.password_hash, current, settings.argon2))) {
    await appendAudit(db, { actor: account.address, action: 'account.password.change-failed', target: account.address, source, agencyId: account.agencyId ?? undefined, data: { reason: 'wrong-current-password' } });
    throw new UserError('wrong-current-password', 'the current password is not correct');
  }
  await transaction(db, async (client) => {
    await setAccountPassword(client, settings, account, next, { by: 'self' });
    await appendAudit(client, { actor: account.address, action: 'account.password.change', target: account.address, source, agencyId: account.agencyId ?? undefined });
  });
}

/** Whether the account must choose a new password before using the webmail or the API. */
export async function mustChangePassword(db: Queryable, accountId: number): Promise<boolean> {
  const { rows } = await db.query<{ must_change_password: boolean }>('SELECT must_change_password FROM accounts WHERE id = $1', [accountId]);
  return rows[0]?.must_change_password ?? false;
}
