import type { Db, Queryable } from '../store/db.js';
import { transaction } from '../store/db.js';
import { appendAudit } from '../audit/audit-log.js';
import { UserError } from '../shared/errors.js';
import { releaseMessageBlobRefs } from './message-blobs.js';

/**
 * Legal holds: while a hold covers an account (directly, or through its agency or an
 * agency above it), every message the account loses is kept in held_messages with its
 * blob (the trigger in migration 014 does the keeping). Lifting the last hold that covers
 * an account lets its held messages go.
 */
export interface LegalHold {
  id: number;
  accountId: number | null;
  agencyId: number | null;
  /** the held account's address or the agency's code */
  subject: string;
  reason: string;
  caseRef: string | null;
  createdBy: string;
  createdAt: Date;
  releasedBy: string | null;
  releasedAt: Date | null;
  /** messages kept so far for the accounts this hold covers */
  heldMessages: number;
}

interface HoldRow {
  id: number; account_id: number | null; agency_id: number | null; subject: string; reason: string; case_ref: string | null;
  created_by: string; created_at: Date; released_by: string | null; released_at: Date | null; held_messages: number;
}

const toHold = (r: HoldRow): LegalHold => ({
  id: r.id, accountId: r.account_id, agencyId: r.agency_id, subject: r.subject, reason: r.reason, caseRef: r.case_ref,
  createdBy: r.created_by, createdAt: r.created_at, releasedBy: r.released_by, releasedAt: r.released_at, heldMessages: r.held_messages,
});

/** The accounts a set of holds covers: held accounts, and every account of a held agency's subtree. */
/** The accounts the holds matching `where` (over legal_holds AS lh) cover: held accounts, and every account of a held agency's subtree. */
const covered = (where: string) => `
  WITH RECURSIVE held_agency(id) AS (
         SELECT lh.agency_id FROM legal_holds lh WHERE lh.agency_id IS NOT NULL AND ${where}
         UNION SELECT a.id FROM agencies a JOIN held_agency ON a.parent_id = held_agency.id)
  SELECT lh.account_id AS id FROM legal_holds lh WHERE lh.account_id IS NOT NULL AND ${where}
  UNION SELECT id FROM accounts WHERE agency_id IN (SELECT id FROM held_agency)`;

async function loadHolds(db: Queryable, where: string, params: unknown[]): Promise<LegalHold[]> {
  const { rows } = await db.query<HoldRow>(
    `SELECT h.*, COALESCE(a.address, g.code) AS subject,
            (SELECT count(*)::int FROM held_messages m WHERE m.account_id IN (${covered('lh.id = h.id')})) AS held_messages
       FROM legal_holds h LEFT JOIN accounts a ON a.id = h.account_id LEFT JOIN agencies g ON g.id = h.agency_id
      WHERE ${where} ORDER BY h.id`,
    params,
  );
  return rows.map(toHold);
}

export async function getHold(db: Queryable, id: number): Promise<LegalHold> {
  const [hold] = await loadHolds(db, 'h.id = $1', [id]);
  if (!hold) throw new UserError('no-such-hold', `there is no legal hold ${id}`);
  return hold;
}

export async function listHolds(db: Queryable, options: { includeReleased?: boolean } = {}): Promise<LegalHold[]> {
  return loadHolds(db, options.includeReleased ? 'true' : 'h.released_at IS NULL', []);
}

/** The holds in force over one account: its own, and those on its agency or any agency above it. */
export async function activeHoldsCovering(db: Queryable, accountId: number): Promise<LegalHold[]> {
  return loadHolds(
    db,
    `h.released_at IS NULL AND (h.account_id = $1 OR h.agency_id IN (
       WITH RECURSIVE up(id) AS (
              SELECT agency_id FROM accounts WHERE id = $1 AND agency_id IS NOT NULL
              UNION SELECT g.parent_id FROM agencies g JOIN up ON g.id = up.id WHERE g.parent_id IS NOT NULL)
       SELECT id FROM up))`,
    [accountId],
  );
}

export interface NewHold {
  accountId?: number;
  agencyId?: number;
  reason: string;
  caseRef?: string;
  actor: string;
  source?: string;
}

/** Places a hold; audited. From now on nothing the covered accounts lose is gone. */
export async function placeHold(db: Db, input: NewHold): Promise<LegalHold> {
  if ((input.accountId === undefined) === (input.agencyId === undefined)) throw new UserError('bad-hold', 'a legal hold covers either one account or one agency');
  const reason = input.reason.normalize('NFC').trim();
  if (!reason) throw new UserError('bad-hold', 'a legal hold needs a reason (the case it serves)');
  return transaction(db, async (client) => {
    const { rows } = await client.query<{ id: number }>(
      `INSERT INTO legal_holds (account_id, agency_id, reason, case_ref, created_by) VALUES ($1, $2, $3, $4, $5) RETURNING id`,
      [input.accountId ?? null, input.agencyId ?? null, reason, input.caseRef ?? null, input.actor],
    );
    const hold = await getHold(client, rows[0]!.id);
    await appendAudit(client, {
      actor: input.actor, action: 'hold.place', target: hold.subject, source: input.source,
      data: { hold: hold.id, reason, caseRef: input.caseRef ?? null, scope: input.accountId !== undefined ? 'account' : 'agency' },
    });
    return hold;
  });
}

/**
 * Lifts a hold; audited. Messages kept for accounts no other active hold covers are let
 * go (their blobs are collected when nothing else references them).
 */
export async function releaseHold(db: Db, id: number, actor: string, source?: string): Promise<{ hold: LegalHold; releasedMessages: number }> {
  return transaction(db, async (client) => {
    const { rowCount } = await client.query('UPDATE legal_holds SET released_at = now(), released_by = $2 WHERE id = $1 AND released_at IS NULL', [id, actor]);
    const hold = await getHold(client, id);
    if (!rowCount) throw new UserError('hold-released', `legal hold ${id} was already lifted on ${hold.releasedAt?.toISOString()}`);
    const { rows } = await client.query<{ blob_hash: string }>(
      `DELETE FROM held_messages
        WHERE account_id IN (${covered('lh.id = $1')})
          AND account_id NOT IN (${covered('lh.released_at IS NULL')})
        RETURNING blob_hash`,
      [id],
    );
    await releaseMessageBlobRefs(client, rows.map((r) => r.blob_hash));
    await appendAudit(client, { actor, action: 'hold.release', target: hold.subject, source, data: { hold: id, releasedMessages: rows.length } });
    return { hold, releasedMessages: rows.length };
  });
}

export interface HeldMessage {
  id: number;
  mailboxName: string;
  uid: number;
  subject: string | null;
  from: string | null;
  size: number;
  internalDate: Date;
  removedAt: Date;
  blobHash: string;
}

/** The messages kept for one account, newest removal first. */
export async function heldMessagesOf(db: Queryable, accountId: number, limit = 1000): Promise<HeldMessage[]> {
  const { rows } = await db.query<{ id: number; mailbox_name: string; uid: number; subject: string | null; from_text: string | null; size: number; internal_date: Date; removed_at: Date; blob_hash: string }>(
    'SELECT * FROM held_messages WHERE account_id = $1 ORDER BY removed_at DESC, id DESC LIMIT $2',
    [accountId, limit],
  );
  return rows.map((r) => ({
    id: r.id, mailboxName: r.mailbox_name, uid: r.uid, subject: r.subject, from: r.from_text, size: r.size,
    internalDate: r.internal_date, removedAt: r.removed_at, blobHash: r.blob_hash,
  }));
}
