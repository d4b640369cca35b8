import type pg from 'pg';
import { transaction, type Db, type Queryable } from '../store/db.js';
import { UserError } from '../shared/errors.js';
import { FlagError } from './flags.js';

/**
 * Locking rules of the mail store, so that sessions in many processes never deadlock
 * each other (and when delivery's order crosses ours, PostgreSQL's deadlock detector
 * breaks the tie and the loser is retried):
 *  1. a change locks the rows of every mailbox it touches first, in id order;
 *  2. then message rows; 3. then blob rows, in hash order.
 * The mailbox row holds uid_next and highest_modseq, so its lock also orders UIDs and
 * MODSEQs: they strictly ascend in commit order (RFC 9051 §2.3.1.1, RFC 7162 §3.1).
 */

/** deadlock_detected and serialization_failure: the transaction may simply be run again */
const RETRYABLE = new Set(['40P01', '40001']);
const MAX_ATTEMPTS = 4;

export function mailTransaction<T>(db: Db, fn: (client: pg.PoolClient) => Promise<T>): Promise<T> {
  return retryingConflicts(() => transaction(db, fn));
}

/**
 * One call of a mail function of migration 027 (a change that locks its folder and is
 * done within one statement; outside a transaction the lock lasts only while PostgreSQL
 * runs it), run again like mailTransaction.
 */
export function mailFunction<R extends pg.QueryResultRow>(db: Db, sql: string, params: unknown[]): Promise<R[]> {
  return retryingConflicts(() => callMailFunction<R>(db, sql, params));
}

/** callMailFunction once, on `q` (a transaction's client, or the pool), with the function's refusals (SQLSTATE class HM) as the UserErrors lockMailboxes throws. */
export async function callMailFunction<R extends pg.QueryResultRow>(q: Queryable, sql: string, params: unknown[]): Promise<R[]> {
  try {
    return (await q.query<R>(sql, params)).rows;
  } catch (err) {
    throw refusalOf(err) ?? err;
  }
}

/** Runs `run` again, a few times, when PostgreSQL broke a deadlock or a serialization conflict by failing it. */
export async function retryingConflicts<T>(run: () => Promise<T>): Promise<T> {
  for (let attempt = 1; ; attempt++) {
    try {
      return await run();
    } catch (err) {
      const code = (err as { code?: unknown }).code;
      if (attempt >= MAX_ATTEMPTS || typeof code !== 'string' || !RETRYABLE.has(code)) throw err;
      await new Promise((r) => setTimeout(r, 5 * attempt + Math.random() * 20));
    }
  }
}

function refusalOf(err: unknown): UserError | null {
  const { code, message } = err as { code?: unknown; message: string };
  if (code === 'HM001') return noSuchMailbox();
  if (code === 'HM002') return noselect(message);
  if (code === 'HM003') return new FlagError('too-many-keywords', `a folder can hold at most ${message} different keywords`);
  return null;
}

/** Several reads that must agree with each other (one snapshot), without taking locks. */
export function readSnapshot<T>(db: Db, fn: (client: pg.PoolClient) => Promise<T>): Promise<T> {
  return transaction(db, fn, 'BEGIN ISOLATION LEVEL REPEATABLE READ READ ONLY');
}

export interface LockedMailbox {
  id: number;
  accountId: number;
  name: string;
  uidValidity: number;
  uidNext: number;
  highestModseq: number;
  keywords: string[];
  noselect: boolean;
}

/**
 * Locks the mailbox rows in id order (rule 1) and returns them by id. FOR NO KEY UPDATE
 * still lets rows that reference the mailbox be inserted meanwhile (delivery's FK check).
 * Throws 'no-such-mailbox' for a missing one and 'noselect' for a \Noselect name.
 */
const LOCKED_COLUMNS = `mb.id, mb.account_id AS "accountId", mb.name, mb.uidvalidity AS "uidValidity", mb.uid_next AS "uidNext",
            mb.highest_modseq AS "highestModseq", mb.keywords, mb.noselect`;

export async function lockMailboxes(db: Queryable, ids: readonly number[]): Promise<Map<number, LockedMailbox>> {
  const unique = [...new Set(ids)].sort((a, b) => a - b);
  const { rows } = await db.query<LockedMailbox>(`SELECT ${LOCKED_COLUMNS} FROM mailboxes mb WHERE mb.id = ANY($1::bigint[]) ORDER BY mb.id FOR NO KEY UPDATE`, [unique]);
  const byId = new Map(rows.map((r) => [r.id, r]));
  for (const id of unique) usable(byId.get(id));
  return byId;
}

function usable<T extends LockedMailbox>(row: T | undefined): T {
  if (!row) throw noSuchMailbox();
  if (row.noselect) throw noselect(row.name);
  return row;
}

const noSuchMailbox = () => new UserError('no-such-mailbox', 'the folder no longer exists');
// RFC 9051 §6.3.5: a \Noselect name holds no messages
const noselect = (name: string) => new UserError('noselect', `"${name}" is only a level in the folder tree and holds no messages`);

export function lockedOne(map: Map<number, LockedMailbox>, id: number): LockedMailbox {
  const row = map.get(id);
  if (!row) throw noSuchMailbox();
  return row;
}

/** Serialises changes to one account's folder tree (create, delete, rename) across processes. */
export async function lockMailboxTree(db: Queryable, accountId: number): Promise<void> {
  await db.query('SELECT pg_advisory_xact_lock($1, $2)', [MAILBOX_TREE_LOCK, accountId % 2_147_483_647]);
}
const MAILBOX_TREE_LOCK = 4_242_005;
