import { createHash, randomBytes } from 'node:crypto';
import type { Queryable } from '../store/db.js';
import { toAccount, type Account, type AccountRow } from './accounts.js';

export type SessionStage = 'second-factor' | 'change-password' | 'ready';

/** A webmail or console session as a request sees it. */
export interface WebSession {
  id: number;
  accountId: number;
  stage: SessionStage;
  /** the token every form of this session carries (CSRF) */
  csrfToken: string;
  /** the password must be replaced once the second factor is given */
  mustChange: boolean;
  createdAt: Date;
  lastSeenAt: Date;
  expiresAt: Date;
  ip: string | null;
  userAgent: string | null;
}

export interface SessionLimits {
  idleMinutes: number;
  maxHours: number;
}

interface SessionRow {
  id: string;
  account_id: string;
  stage: SessionStage;
  csrf_token: string;
  must_change: boolean;
  created_at: Date;
  last_seen_at: Date;
  expires_at: Date;
  ip: string | null;
  user_agent: string | null;
}

const toSession = (r: SessionRow): WebSession => ({
  id: Number(r.id),
  accountId: Number(r.account_id),
  stage: r.stage,
  csrfToken: r.csrf_token,
  mustChange: r.must_change,
  createdAt: r.created_at,
  lastSeenAt: r.last_seen_at,
  expiresAt: r.expires_at,
  ip: r.ip,
  userAgent: r.user_agent,
});

const COLUMNS = 'id, account_id, stage, csrf_token, must_change, created_at, last_seen_at, expires_at, ip, user_agent';
const hashToken = (token: string) => createHash('sha256').update(token).digest();
export const randomToken = () => randomBytes(32).toString('base64url');

/** Opens a session after a password check; the returned token goes into the cookie only. */
export async function createSession(
  db: Queryable,
  input: { accountId: number; stage: SessionStage; mustChange?: boolean; ip?: string; userAgent?: string },
  limits: SessionLimits,
): Promise<{ session: WebSession; token: string }> {
  const token = randomToken();
  const { rows } = await db.query<SessionRow>(
    `INSERT INTO web_sessions (token_hash, account_id, stage, csrf_token, must_change, expires_at, ip, user_agent)
     VALUES ($1, $2, $3, $4, $5, now() + make_interval(hours => $6), $7, $8) RETURNING ${COLUMNS}`,
    [hashToken(token), input.accountId, input.stage, randomToken(), input.mustChange ?? false, limits.maxHours, input.ip ?? null, input.userAgent?.slice(0, 300) ?? null],
  );
  return { session: toSession(rows[0]!), token };
}

/**
 * The live session a cookie's token opens, with its account, or undefined when it is
 * unknown, ended, past its lifetime or idle too long. One query for both: every page asks.
 * last_seen_at is written at most once a minute.
 */
export async function findSession(db: Queryable, token: string, limits: SessionLimits): Promise<{ session: WebSession; account: Account } | undefined> {
  const { rows } = await db.query<SessionRow & { account: AccountRow }>(
    `SELECT ${COLUMNS.split(', ').map((c) => `s.${c}`).join(', ')}, row_to_json(a.*) AS account
       FROM web_sessions s JOIN accounts a ON a.id = s.account_id
      WHERE s.token_hash = $1 AND s.revoked_at IS NULL AND s.expires_at > now()
        AND s.last_seen_at > now() - make_interval(mins => $2)`,
    [hashToken(token), limits.idleMinutes],
  );
  const row = rows[0];
  if (!row) return undefined;
  if (Date.now() - row.last_seen_at.getTime() > 60_000) {
    await db.query('UPDATE web_sessions SET last_seen_at = now() WHERE id = $1', [row.id]);
  }
  return { session: toSession(row), account: toAccount(rowDates(row.account)) };
}

/** row_to_json gives timestamps as text; the account's Date fields want Dates */
function rowDates(r: AccountRow): AccountRow {
  const out: Record<string, unknown> = { ...r };
  for (const [k, v] of Object.entries(out)) if (typeof v === 'string' && /_at$/.test(k)) out[k] = new Date(v);
  return out as unknown as AccountRow;
}

export async function setSessionStage(db: Queryable, sessionId: number, stage: SessionStage): Promise<void> {
  await db.query('UPDATE web_sessions SET stage = $2 WHERE id = $1', [sessionId, stage]);
}

/** The account's live sessions, newest first, for the settings page. */
export async function listSessions(db: Queryable, accountId: number): Promise<WebSession[]> {
  const { rows } = await db.query<SessionRow>(
    `SELECT ${COLUMNS} FROM web_sessions WHERE account_id = $1 AND revoked_at IS NULL AND expires_at > now() ORDER BY last_seen_at DESC`,
    [accountId],
  );
  return rows.map(toSession);
}

/** Ends one of the account's sessions; false when there is no such live session. */
export async function revokeSession(db: Queryable, accountId: number, sessionId: number): Promise<boolean> {
  const { rowCount } = await db.query('UPDATE web_sessions SET revoked_at = now() WHERE id = $1 AND account_id = $2 AND revoked_at IS NULL', [sessionId, accountId]);
  return (rowCount ?? 0) > 0;
}

/** Ends every session of the account (logout everywhere, a password reset, a disabled account), but one when asked; returns how many. */
export async function revokeAllSessions(db: Queryable, accountId: number, except?: number): Promise<number> {
  const { rowCount } = await db.query('UPDATE web_sessions SET revoked_at = now() WHERE account_id = $1 AND revoked_at IS NULL AND id IS DISTINCT FROM $2', [accountId, except ?? null]);
  return rowCount ?? 0;
}

/** Ends every session of these accounts (disabled, or their password reset by an administrator). */
export async function revokeSessionsOf(db: Queryable, accountIds: readonly number[]): Promise<number> {
  if (!accountIds.length) return 0;
  const { rowCount } = await db.query('UPDATE web_sessions SET revoked_at = now() WHERE account_id = ANY($1::bigint[]) AND revoked_at IS NULL', [accountIds]);
  return rowCount ?? 0;
}

/** Deletes sessions ended or expired more than a day ago (the worker's daily sweep). */
export async function pruneSessions(db: Queryable): Promise<number> {
  const { rowCount } = await db.query("DELETE FROM web_sessions WHERE coalesce(revoked_at, expires_at) < now() - interval '1 day'");
  return rowCount ?? 0;
}
