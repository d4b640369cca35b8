import type { Queryable } from '../store/db.js';
import { appendAudit } from '../audit/audit-log.js';
import { UserError } from '../shared/errors.js';
import type { Account } from './accounts.js';
import { groupCode, inTransaction, randomLetters, sha256, type ChangedBy } from './secret-codes.js';

/** App passwords let mail clients in; never the webmail or the API. */
export type AppPasswordScope = 'imap' | 'smtp';
export const APP_PASSWORD_SCOPES: readonly AppPasswordScope[] = ['imap', 'smtp'];

export interface AppPassword {
  id: number;
  accountId: number;
  name: string;
  scopes: AppPasswordScope[];
  createdAt: Date;
  revokedAt: Date | null;
  lastUsedAt: Date | null;
  lastUsedIp: string | null;
}

interface AppPasswordRow {
  id: number;
  account_id: number;
  name: string;
  scopes: AppPasswordScope[];
  created_at: Date;
  revoked_at: Date | null;
  last_used_at: Date | null;
  last_used_ip: string | null;
}

const toAppPassword = (r: AppPasswordRow): AppPassword => ({
  id: r.id,
  accountId: r.account_id,
  name: r.name,
  scopes: r.scopes,
  createdAt: r.created_at,
  revokedAt: r.revoked_at,
  lastUsedAt: r.last_used_at,
  lastUsedIp: r.last_used_ip,
});

/** 20 letters a-z (94 bits) shown in groups of four: "abcd-efgh-ijkl-mnop-qrst" */
const SECRET_LETTERS = 20;
/** what is hashed: lower case, without the spaces and dashes a person may type or paste */
const canonicalSecret = (typed: string) => typed.toLowerCase().replace(/[\s-]/g, '');

/** "imap,smtp" → ['imap', 'smtp']; anything else is refused by name */
export function parseScopes(text: string): AppPasswordScope[] {
  const parts = [...new Set(text.split(',').map((s) => s.trim().toLowerCase()).filter(Boolean))];
  if (!parts.length) throw new UserError('bad-app-password-scope', 'give the scope: imap, smtp or imap,smtp');
  for (const p of parts) {
    if (!APP_PASSWORD_SCOPES.includes(p as AppPasswordScope)) {
      throw new UserError('bad-app-password-scope', `"${p}" is not a scope an app password can have: use imap and/or smtp (the webmail and the API take the account's own password)`);
    }
  }
  return parts as AppPasswordScope[];
}

function checkName(name: string): string {
  const n = name.normalize('NFC').trim();
  if (!n || [...n].length > 64) throw new UserError('bad-app-password-name', 'an app password needs a name of 1 to 64 characters, e.g. "Thunderbird at the office"');
  return n;
}

/** Makes an app password; the secret is returned once and only its SHA-256 is kept. */
export async function createAppPassword(
  db: Queryable,
  account: Account,
  input: { name: string; scopes: AppPasswordScope[] },
  by: ChangedBy,
): Promise<{ appPassword: AppPassword; secret: string }> {
  const name = checkName(input.name);
  const scopes = parseScopes(input.scopes.join(','));
  const secret = groupCode(randomLetters(SECRET_LETTERS), 4);
  return inTransaction(db, async (client) => {
    const { rows } = await client.query<AppPasswordRow>(
      `INSERT INTO app_passwords (account_id, name, secret_hash, scopes) VALUES ($1, $2, $3, $4)
       ON CONFLICT (account_id, lower(name)) WHERE revoked_at IS NULL DO NOTHING RETURNING *`,
      [account.id, name, sha256(canonicalSecret(secret)), scopes],
    );
    if (!rows[0]) throw new UserError('app-password-exists', `${account.address} already has an app password named "${name}"; revoke it first or pick another name`);
    await appendAudit(client, { actor: by.actor, action: 'account.app-password.add', target: account.address, source: by.source, agencyId: account.agencyId ?? undefined, data: { name, scopes } });
    return { appPassword: toAppPassword(rows[0]), secret };
  });
}

export async function listAppPasswords(db: Queryable, accountId: number, options: { includeRevoked?: boolean } = {}): Promise<AppPassword[]> {
  const { rows } = await db.query<AppPasswordRow>(
    `SELECT * FROM app_passwords WHERE account_id = $1 ${options.includeRevoked ? '' : 'AND revoked_at IS NULL'} ORDER BY created_at, id`,
    [accountId],
  );
  return rows.map(toAppPassword);
}

/** Revokes the live app password of that name (compared ignoring case). */
export async function revokeAppPassword(db: Queryable, account: Account, name: string, by: ChangedBy): Promise<AppPassword> {
  return inTransaction(db, async (client) => {
    const { rows } = await client.query<AppPasswordRow>(
      'UPDATE app_passwords SET revoked_at = now() WHERE account_id = $1 AND lower(name) = lower($2) AND revoked_at IS NULL RETURNING *',
      [account.id, name.normalize('NFC').trim()],
    );
    if (!rows[0]) throw new UserError('no-such-app-password', `${account.address} has no app password named "${name}"`);
    await appendAudit(client, { actor: by.actor, action: 'account.app-password.revoke', target: account.address, source: by.source, agencyId: account.agencyId ?? undefined, data: { name: rows[0].name, scopes: rows[0].scopes } });
    return toAppPassword(rows[0]);
  });
}

/** The app password (live or revoked) of this account that `typed` is, found by SHA-256: no argon2 work. */
export async function findAppPassword(db: Queryable, accountId: number, typed: string): Promise<AppPassword | undefined> {
  const { rows } = await db.query<AppPasswordRow>('SELECT * FROM app_passwords WHERE secret_hash = $1 AND account_id = $2', [sha256(canonicalSecret(typed)), accountId]);
  return rows[0] ? toAppPassword(rows[0]) : undefined;
}

export async function recordAppPasswordUse(db: Queryable, id: number, ip: string | undefined): Promise<void> {
  await db.query('UPDATE app_passwords SET last_used_at = now(), last_used_ip = $2 WHERE id = $1', [id, ip ?? null]);
}
