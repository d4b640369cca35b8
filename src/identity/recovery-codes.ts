import type { Queryable } from '../store/db.js';
import { canonicalBase32, groupCode, randomBase32, sha256 } from './secret-codes.js';

/** How many recovery codes an account gets; each works once. */
export const RECOVERY_CODE_COUNT = 10;
/** 10 Crockford base32 characters (50 bits), shown as "ABCDE-FGHJK"; guessing is also bounded by the lockout */
const RECOVERY_CODE_CHARS = 10;

/** Replaces the account's recovery codes with new ones; returns them (shown once). Call inside the caller's transaction. */
export async function replaceRecoveryCodes(db: Queryable, accountId: number): Promise<string[]> {
  const codes = Array.from({ length: RECOVERY_CODE_COUNT }, () => randomBase32(RECOVERY_CODE_CHARS));
  await db.query('DELETE FROM recovery_codes WHERE account_id = $1', [accountId]);
  await db.query(
    'INSERT INTO recovery_codes (account_id, code_hash) SELECT $1, unnest($2::bytea[])',
    [accountId, codes.map((c) => sha256(c))],
  );
  return codes.map((c) => groupCode(c, 5));
}

/** Uses up a recovery code if it is one of the account's unused ones; returns how many are left, or undefined. */
export async function useRecoveryCode(db: Queryable, accountId: number, typed: string): Promise<number | undefined> {
  const code = canonicalBase32(typed, RECOVERY_CODE_CHARS);
  if (!code) return undefined;
  const used = await db.query(
    'UPDATE recovery_codes SET used_at = now() WHERE account_id = $1 AND code_hash = $2 AND used_at IS NULL RETURNING 1',
    [accountId, sha256(code)],
  );
  if (!used.rowCount) return undefined;
  return unusedRecoveryCodes(db, accountId);
}

export async function unusedRecoveryCodes(db: Queryable, accountId: number): Promise<number> {
  const { rows } = await db.query<{ n: number }>('SELECT count(*)::int AS n FROM recovery_codes WHERE account_id = $1 AND used_at IS NULL', [accountId]);
  return rows[0]?.n ?? 0;
}

export async function deleteRecoveryCodes(db: Queryable, accountId: number): Promise<void> {
  await db.query('DELETE FROM recovery_codes WHERE account_id = $1', [accountId]);
}
