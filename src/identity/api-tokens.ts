import { createHash, randomBytes } from 'node:crypto';
import type { Queryable } from '../store/db.js';
import { UserError } from '../shared/errors.js';
import { scopeFrom, type RoleName, type RoleScope } from './roles.js';

/**
 * Bearer tokens of the admin API. The secret is 32 random bytes shown once; only its
 * SHA-256 is stored (a 256-bit secret cannot be guessed, so no slow hash is needed).
 */
export const TOKEN_PREFIX = 'hopthu_';
const NAME = /^[A-Za-z0-9][A-Za-z0-9._-]{0,63}$/;
/** a secret's shape: the prefix and 43 base64url characters */
const SECRET = /^hopthu_[A-Za-z0-9_-]{43}$/;

export interface ApiToken {
  id: number;
  name: string;
  scope: RoleScope;
  createdBy: string;
  createdAt: Date;
  expiresAt: Date;
  revokedAt: Date | null;
  lastUsedAt: Date | null;
  lastUsedIp: string | null;
}

interface TokenRow {
  id: number;
  name: string;
  role: RoleName;
  domain_id: number | null;
  agency_id: number | null;
  account_id: number | null;
  created_by: string;
  created_at: Date;
  expires_at: Date;
  revoked_at: Date | null;
  last_used_at: Date | null;
  last_used_ip: string | null;
}

const toToken = (r: TokenRow): ApiToken => ({
  id: r.id,
  name: r.name,
  scope: scopeFrom(r.role, { domainId: r.domain_id, agencyId: r.agency_id, accountId: r.account_id }),
  createdBy: r.created_by,
  createdAt: r.created_at,
  expiresAt: r.expires_at,
  revokedAt: r.revoked_at,
  lastUsedAt: r.last_used_at,
  lastUsedIp: r.last_used_ip,
});

export const hashTokenSecret = (secret: string) => createHash('sha256').update(secret).digest('hex');

export interface NewApiToken {
  name: string;
  scope: RoleScope;
  expiresDays: number;
  createdBy: string;
}

/** Makes a token; the returned secret is the only copy there will ever be. */
export async function createApiToken(db: Queryable, input: NewApiToken): Promise<{ token: ApiToken; secret: string }> {
  if (!NAME.test(input.name)) throw new UserError('bad-token-name', `"${input.name}" is not a valid token name: use 1-64 letters, digits, ".", "_" or "-"`);
  if (!Number.isInteger(input.expiresDays) || input.expiresDays < 1 || input.expiresDays > 3650) {
    throw new UserError('bad-token-expiry', `a token expires after 1 to 3650 days, not ${input.expiresDays}`);
  }
  const secret = TOKEN_PREFIX + randomBytes(32).toString('base64url');
  const s = input.scope;
  const { rows } = await db.query<TokenRow>(
    `INSERT INTO api_tokens (name, secret_hash, role, domain_id, agency_id, account_id, created_by, expires_at)
     VALUES ($1, $2, $3, $4, $5, $6, $7, now() + make_interval(days => $8)) ON CONFLICT (name) DO NOTHING RETURNING *`,
    [
      input.name, hashTokenSecret(secret), s.role,
      s.role === 'domain-admin' ? s.domainId : null,
      s.role === 'agency-admin' ? s.agencyId : null,
      s.role === 'user' ? s.accountId : null,
      input.createdBy, input.expiresDays,
    ],
  );
  if (!rows[0]) throw new UserError('token-exists', `a token named ${input.name} already exists (names stay taken after revocation, so the audit log stays unambiguous)`);
  return { token: toToken(rows[0]), secret };
}

export type TokenCheck = { ok: true; token: ApiToken } | { ok: false; reason: 'unknown' | 'expired' | 'revoked' | 'account-disabled' };

/** Recording the last use at most this often keeps a busy token from writing on every request. */
const LAST_USE_RESOLUTION_SECONDS = 60;

/** Looks a presented secret up and records its use (time and source address). */
export async function checkApiToken(db: Queryable, secret: string, ip: string | undefined): Promise<TokenCheck> {
  if (!SECRET.test(secret)) return { ok: false, reason: 'unknown' };
  const { rows } = await db.query<TokenRow & { account_status: string | null }>(
    'SELECT t.*, a.status AS account_status FROM api_tokens t LEFT JOIN accounts a ON a.id = t.account_id WHERE t.secret_hash = $1',
    [hashTokenSecret(secret)],
  );
  const row = rows[0];
  if (!row) return { ok: false, reason: 'unknown' };
  if (row.revoked_at) return { ok: false, reason: 'revoked' };
  if (row.expires_at.getTime() <= Date.now()) return { ok: false, reason: 'expired' };
  // a user token is worth no more than its account
  if (row.account_status !== null && row.account_status !== 'active') return { ok: false, reason: 'account-disabled' };
  const stale = !row.last_used_at || Date.now() - row.last_used_at.getTime() > LAST_USE_RESOLUTION_SECONDS * 1000;
  if (stale || row.last_used_ip !== (ip ?? null)) {
    await db.query('UPDATE api_tokens SET last_used_at = now(), last_used_ip = $2 WHERE id = $1', [row.id, ip ?? null]);
    row.last_used_at = new Date();
    row.last_used_ip = ip ?? null;
  }
  return { ok: true, token: toToken(row) };
}

export async function listApiTokens(db: Queryable): Promise<ApiToken[]> {
  const { rows } = await db.query<TokenRow>('SELECT * FROM api_tokens ORDER BY name');
  return rows.map(toToken);
}

export async function revokeApiToken(db: Queryable, name: string): Promise<ApiToken> {
  const { rows } = await db.query<TokenRow>(
    'UPDATE api_tokens SET revoked_at = coalesce(revoked_at, now()) WHERE name = $1 RETURNING *',
    [name],
  );
  if (!rows[0]) throw new UserError('no-such-token', `there is no token named ${name} (see: hopthu token list)`);
  return toToken(rows[0]);
}
