import type pg from 'pg';
import { transaction, type Db, type Queryable } from '../store/db.js';
import { UserError } from '../shared/errors.js';

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

export async function mailTransaction<T>(db: Db, fn: (client: pg.PoolClient) => Promise<T>): Promise<T> {
  for (let attempt = 1; ; attempt++) {
    try {
      return await transaction(db, fn);
    } catch (err) {
      const code = (err as { code?: unknown }).code;
      if (attempt >= MAX_ATTEMPTS || typeof code !== 'string' || !RETRYABLE.has(code)) throw err;
      await new Promise((r) => setTimeout(r, 5 * attempt + Math.random() * 20));
    }
  }
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
  if (!row) throw new UserError('no-such-mailbox', 'the folder no longer exists');
  // RFC 9051 §6.3.5: a \Noselect name holds no messages
  if (row.noselect) throw new UserError('noselect', `"${row.name}" is only a level in the folder tree and holds no messages`);
  return row;
}

/**
 * lockMailboxes for one folder, with what its account's folders hold (the quota's usage)
 * in the same statement: a round trip less for every APPEND. The locked row's own counters
 * are its latest (the lock waits for any change to it); the other folders' are as of the
 * statement's start, which is all quota.ts's soft limit asks.
 */
export async function lockMailboxWithUsage(db: Queryable, id: number): Promise<LockedMailbox & { usage: { bytes: number; messages: number } }> {
  const { rows } = await db.query<LockedMailbox & { bytes: number; messages: number; otherBytes: number; otherMessages: number }>(
    `SELECT ${LOCKED_COLUMNS}, mb.total_bytes AS bytes, mb.message_count AS messages,
            o.bytes AS "otherBytes", o.messages AS "otherMessages"
       FROM mailboxes mb
      CROSS JOIN LATERAL (SELECT COALESCE(sum(x.total_bytes), 0)::bigint AS bytes, COALESCE(sum(x.message_count), 0)::bigint AS messages
                            FROM mailboxes x WHERE x.account_id = mb.account_id AND x.id <> mb.id) o
      WHERE mb.id = $1 FOR NO KEY UPDATE OF mb`,
    [id],
  );
  const { bytes, messages, otherBytes, otherMessages, ...row } = usable(rows[0]);
  return { ...row, usage: { bytes: bytes + otherBytes, messages: messages + otherMessages } };
}

export function lockedOne(map: Map<number, LockedMailbox>, id: number): LockedMailbox {
  const row = map.get(id);
  if (!row) throw new UserError('no-such-mailbox', 'the folder no longer exists');
  return row;
}

/** Serialises changes to one account's folder tree (create, delete, rename) across processes. */
export async function lockMailboxTree(db: Queryable, accountId: number): Promise<void> {
  await db.query('SELECT pg_advisory_xact_lock($1, $2)', [MAILBOX_TREE_LOCK, accountId % 2_147_483_647]);
}
const MAILBOX_TREE_LOCK = 4_242_005;
