import type { Queryable } from '../store/db.js';
import { UserError } from '../shared/errors.js';
import { appendAudit } from '../audit/audit-log.js';
import { toAccount, type Account, type AccountKind, type AccountRow } from './accounts.js';

/**
 * Delegation: a person may read and/or send as an agency mailbox (the office mailbox of a
 * department, read by several staff). Every grant and every use is an audit event.
 */
export interface Delegation {
  mailbox: Account;
  delegate: Account;
  canRead: boolean;
  canSend: boolean;
  createdBy: string;
  createdAt: Date;
}

export interface DelegationRights {
  canRead: boolean;
  canSend: boolean;
}

interface DelegationRow {
  can_read: boolean;
  can_send: boolean;
  created_by: string;
  created_at: Date;
  mailbox: AccountRow;
  delegate: AccountRow;
}

/** json_build_object turns timestamps into text; the account rows need theirs back as Dates. */
const accountOf = (r: AccountRow) => toAccount({ ...r, created_at: new Date(r.created_at) });

const toDelegation = (r: DelegationRow): Delegation => ({
  mailbox: accountOf(r.mailbox),
  delegate: accountOf(r.delegate),
  canRead: r.can_read,
  canSend: r.can_send,
  createdBy: r.created_by,
  createdAt: r.created_at,
});

const KIND_TEXT: Record<AccountKind, string> = { person: 'a person account', agency: 'an agency mailbox', system: 'a system account' };

const SELECT_DELEGATIONS = `SELECT d.can_read, d.can_send, d.created_by, d.created_at, to_jsonb(m) AS mailbox, to_jsonb(p) AS delegate
   FROM delegations d JOIN accounts m ON m.id = d.mailbox_id JOIN accounts p ON p.id = d.delegate_id`;

/**
 * Grants (or changes) a delegation. Only an agency mailbox can be delegated, and only to
 * a person. Returns the rights before (undefined when new) and after.
 */
export async function setDelegation(
  db: Queryable,
  mailbox: Account,
  delegate: Account,
  rights: DelegationRights,
  createdBy: string,
): Promise<{ before: DelegationRights | undefined; after: DelegationRights }> {
  if (mailbox.kind !== 'agency') {
    throw new UserError('not-an-agency-mailbox', `${mailbox.address} is ${KIND_TEXT[mailbox.kind]}; only an agency mailbox can be delegated`);
  }
  if (delegate.kind !== 'person') {
    throw new UserError('delegate-not-a-person', `${delegate.address} is ${KIND_TEXT[delegate.kind]}; an agency mailbox is delegated to a person`);
  }
  if (!rights.canRead && !rights.canSend) throw new UserError('delegation-without-rights', 'say what the delegate may do: read, send, or both');
  const { rows } = await db.query<{ can_read: boolean | null; can_send: boolean | null }>(
    `WITH before AS (SELECT can_read, can_send FROM delegations WHERE mailbox_id = $1 AND delegate_id = $2 FOR UPDATE),
          upsert AS (
            INSERT INTO delegations (mailbox_id, delegate_id, can_read, can_send, created_by) VALUES ($1, $2, $3, $4, $5)
            ON CONFLICT (mailbox_id, delegate_id) DO UPDATE SET can_read = excluded.can_read, can_send = excluded.can_send)
     SELECT (SELECT can_read FROM before) AS can_read, (SELECT can_send FROM before) AS can_send`,
    [mailbox.id, delegate.id, rights.canRead, rights.canSend, createdBy],
  );
  const b = rows[0];
  const before = b && b.can_read !== null && b.can_send !== null ? { canRead: b.can_read, canSend: b.can_send } : undefined;
  return { before, after: { canRead: rights.canRead, canSend: rights.canSend } };
}

/** Withdraws a delegation; returns the rights it gave. */
export async function removeDelegation(db: Queryable, mailbox: Account, delegate: Account): Promise<DelegationRights> {
  const { rows } = await db.query<{ can_read: boolean; can_send: boolean }>(
    'DELETE FROM delegations WHERE mailbox_id = $1 AND delegate_id = $2 RETURNING can_read, can_send',
    [mailbox.id, delegate.id],
  );
  if (!rows[0]) throw new UserError('no-such-delegation', `${delegate.address} has no delegation of ${mailbox.address}`);
  return { canRead: rows[0].can_read, canSend: rows[0].can_send };
}

/** Every delegation, or those where the account is the mailbox or the delegate. */
export async function listDelegations(db: Queryable, accountId?: number): Promise<Delegation[]> {
  const { rows } = accountId === undefined
    ? await db.query<DelegationRow>(`${SELECT_DELEGATIONS} ORDER BY m.address, p.address`)
    : await db.query<DelegationRow>(`${SELECT_DELEGATIONS} WHERE d.mailbox_id = $1 OR d.delegate_id = $1 ORDER BY m.address, p.address`, [accountId]);
  return rows.map(toDelegation);
}

/** The active agency mailboxes this account may open or send as (for IMAP, the webmail). */
export async function delegatedMailboxesFor(db: Queryable, accountId: number): Promise<Array<{ account: Account; canRead: boolean; canSend: boolean }>> {
  const { rows } = await db.query<AccountRow & { can_read: boolean; can_send: boolean }>(
    `SELECT m.*, d.can_read, d.can_send FROM delegations d JOIN accounts m ON m.id = d.mailbox_id
      WHERE d.delegate_id = $1 AND m.status = 'active' ORDER BY m.address`,
    [accountId],
  );
  return rows.map((r) => ({ account: toAccount(r), canRead: r.can_read, canSend: r.can_send }));
}

/** May `delegateId` read the mailbox of `ownerId`? Its own, or an active agency mailbox delegated with read. */
export async function mayReadMailboxOf(db: Queryable, delegateId: number, ownerId: number): Promise<boolean> {
  if (delegateId === ownerId) return true;
  const { rows } = await db.query<{ ok: boolean }>(
    `SELECT EXISTS (SELECT 1 FROM delegations d JOIN accounts m ON m.id = d.mailbox_id
                     WHERE d.mailbox_id = $2 AND d.delegate_id = $1 AND d.can_read AND m.status = 'active') AS ok`,
    [delegateId, ownerId],
  );
  return rows[0]?.ok ?? false;
}

/**
 * Records one use of a delegation ('delegation.send', 'delegation.read'): the delegate is
 * the actor, the mailbox the target. Call it before the use takes effect.
 */
export async function auditDelegationUse(
  db: Queryable,
  use: { delegate: Account; mailbox: Account; action: 'send' | 'read'; source: string; data?: Record<string, unknown> },
): Promise<void> {
  await appendAudit(db, { actor: use.delegate.address, action: `delegation.${use.action}`, target: use.mailbox.address, source: use.source, ...(use.data ? { data: use.data } : {}) });
}
