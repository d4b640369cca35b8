import type { Queryable } from '../store/db.js';
import { inTransaction } from './secret-codes.js';
import { appendAudit } from '../audit/audit-log.js';
import { UserError } from '../shared/errors.js';
import type { Account } from './accounts.js';
import { scopesOf } from './roles.js';

/**
 * A security inspection: a named auditor (an account with the auditor role) may read one
 * mailbox, read-only, for `hours` after a second administrator approved the request.
 * Nobody approves their own request, and the auditor does not approve their own access.
 * While it runs, every message the auditor opens is an audit event (`inspection.open`).
 */
export interface Inspection {
  id: number;
  mailboxId: number;
  mailbox: string;
  auditorId: number;
  auditor: string;
  reason: string;
  hours: number;
  requestedBy: string;
  requestedAt: Date;
  decidedBy: string | null;
  decidedAt: Date | null;
  approved: boolean | null;
  expiresAt: Date | null;
  endedBy: string | null;
  endedAt: Date | null;
  state: InspectionState;
}

export type InspectionState = 'pending' | 'active' | 'denied' | 'expired' | 'ended';

interface InspectionRow {
  id: string; mailbox_id: string; mailbox: string; auditor_id: string; auditor: string; reason: string; hours: number;
  requested_by: string; requested_at: Date; decided_by: string | null; decided_at: Date | null; approved: boolean | null;
  expires_at: Date | null; ended_by: string | null; ended_at: Date | null;
}

function stateOf(r: InspectionRow, now: number): InspectionState {
  if (r.ended_at) return 'ended';
  if (r.approved === null) return 'pending';
  if (!r.approved) return 'denied';
  return r.expires_at!.getTime() > now ? 'active' : 'expired';
}

const toInspection = (r: InspectionRow): Inspection => ({
  id: Number(r.id), mailboxId: Number(r.mailbox_id), mailbox: r.mailbox, auditorId: Number(r.auditor_id), auditor: r.auditor, reason: r.reason,
  hours: r.hours, requestedBy: r.requested_by, requestedAt: r.requested_at, decidedBy: r.decided_by, decidedAt: r.decided_at,
  approved: r.approved, expiresAt: r.expires_at, endedBy: r.ended_by, endedAt: r.ended_at, state: stateOf(r, Date.now()),
});

const SELECT = `SELECT i.*, m.address AS mailbox, a.address AS auditor FROM inspections i
  JOIN accounts m ON m.id = i.mailbox_id JOIN accounts a ON a.id = i.auditor_id`;

/** Who acts on an inspection: an account's address, an API token (api:NAME) or the CLI operator (cli:USER). */
export interface InspectionActor {
  actor: string;
  source?: string | undefined;
}

export const MAX_INSPECTION_HOURS = 168;

export async function getInspection(db: Queryable, id: number): Promise<Inspection> {
  const { rows } = await db.query<InspectionRow>(`${SELECT} WHERE i.id = $1`, [id]);
  if (!rows[0]) throw new UserError('no-such-inspection', `there is no inspection ${id}`);
  return toInspection(rows[0]);
}

/** Inspections newest first: all, or those of one mailbox or one auditor. */
export async function listInspections(db: Queryable, filter: { mailboxId?: number; auditorId?: number } = {}): Promise<Inspection[]> {
  const { rows } = await db.query<InspectionRow>(
    `${SELECT} WHERE ($1::bigint IS NULL OR i.mailbox_id = $1) AND ($2::bigint IS NULL OR i.auditor_id = $2) ORDER BY i.id DESC LIMIT 500`,
    [filter.mailboxId ?? null, filter.auditorId ?? null],
  );
  return rows.map(toInspection);
}

/** Asks for an inspection; it does nothing until a second administrator approves it. */
export async function requestInspection(
  db: Queryable,
  input: { mailbox: Account; auditor: Account; reason: string; hours: number },
  by: InspectionActor,
): Promise<Inspection> {
  const reason = input.reason.normalize('NFC').trim();
  if (reason.length < 10) throw new UserError('inspection-needs-reason', 'say why the inspection is needed (at least 10 characters: the case, the order that asks for it)');
  if (!Number.isInteger(input.hours) || input.hours < 1 || input.hours > MAX_INSPECTION_HOURS) {
    throw new UserError('bad-inspection-hours', `an inspection lasts 1 to ${MAX_INSPECTION_HOURS} hours (got ${input.hours})`);
  }
  if (input.mailbox.id === input.auditor.id) throw new UserError('inspection-of-self', 'an auditor cannot be given an inspection of their own mailbox');
  if (input.auditor.status !== 'active') throw new UserError('account-disabled', `${input.auditor.address} is disabled`);
  if (!(await scopesOf(db, input.auditor.id)).some((s) => s.role === 'auditor')) {
    throw new UserError('inspection-needs-auditor', `${input.auditor.address} does not hold the auditor role; grant it first (hopthu role grant ${input.auditor.address} auditor)`);
  }
  return inTransaction(db, async (client) => {
    const { rows } = await client.query<{ id: string }>(
      'INSERT INTO inspections (mailbox_id, auditor_id, reason, hours, requested_by) VALUES ($1, $2, $3, $4, $5) RETURNING id',
      [input.mailbox.id, input.auditor.id, reason, input.hours, by.actor],
    );
    const id = Number(rows[0]!.id);
    await appendAudit(client, {
      actor: by.actor, action: 'inspection.request', target: input.mailbox.address, source: by.source, agencyId: input.mailbox.agencyId ?? undefined,
      data: { inspection: id, auditor: input.auditor.address, hours: input.hours, reason },
    });
    return getInspection(client, id);
  });
}

/** The second administrator's decision: approval starts the clock; refusal closes the request. */
export async function decideInspection(db: Queryable, id: number, approve: boolean, by: InspectionActor): Promise<Inspection> {
  return inTransaction(db, async (client) => {
    const { rows } = await client.query<InspectionRow>(`${SELECT} WHERE i.id = $1 FOR UPDATE OF i`, [id]);
    const row = rows[0];
    if (!row) throw new UserError('no-such-inspection', `there is no inspection ${id}`);
    if (row.approved !== null || row.ended_at) throw new UserError('inspection-decided', `inspection ${id} has already been ${row.ended_at ? 'ended' : row.approved ? 'approved' : 'refused'}`);
    if (by.actor === row.requested_by) throw new UserError('inspection-needs-second-admin', `inspection ${id} was asked for by ${by.actor}; a second administrator must decide it`);
    if (by.actor === row.auditor) throw new UserError('inspection-needs-second-admin', `${by.actor} is the auditor of inspection ${id} and cannot decide their own access`);
    await client.query(
      `UPDATE inspections SET decided_by = $2, decided_at = now(), approved = $3,
         expires_at = CASE WHEN $3 THEN now() + make_interval(hours => hours) END WHERE id = $1`,
      [id, by.actor, approve],
    );
    await appendAudit(client, {
      actor: by.actor, action: approve ? 'inspection.approve' : 'inspection.deny', target: row.mailbox, source: by.source,
      data: { inspection: id, auditor: row.auditor, hours: row.hours },
    });
    return getInspection(client, id);
  });
}

/** Ends an inspection before its time (the auditor is done, or an administrator withdraws it). */
export async function endInspection(db: Queryable, id: number, by: InspectionActor): Promise<Inspection> {
  return inTransaction(db, async (client) => {
    const inspection = await getInspection(client, id);
    if (inspection.state !== 'active' && inspection.state !== 'pending') throw new UserError('inspection-not-running', `inspection ${id} is ${inspection.state}; there is nothing to end`);
    await client.query('UPDATE inspections SET ended_by = $2, ended_at = now() WHERE id = $1', [id, by.actor]);
    await appendAudit(client, { actor: by.actor, action: 'inspection.end', target: inspection.mailbox, source: by.source, data: { inspection: id, auditor: inspection.auditor } });
    return getInspection(client, id);
  });
}

/** The inspection that lets `auditorId` read `mailboxId`'s mail now, if any. */
export async function activeInspection(db: Queryable, auditorId: number, mailboxId: number): Promise<Inspection | undefined> {
  const { rows } = await db.query<InspectionRow>(
    `${SELECT} WHERE i.auditor_id = $1 AND i.mailbox_id = $2 AND i.approved AND i.ended_at IS NULL AND i.expires_at > now() ORDER BY i.id DESC LIMIT 1`,
    [auditorId, mailboxId],
  );
  return rows[0] ? toInspection(rows[0]) : undefined;
}

/** Records one message the auditor opened during an inspection. */
export async function auditInspectionOpen(
  db: Queryable,
  inspection: Inspection,
  message: { folder: string; uid: number; messageId?: string | null; subject?: string | null },
  source?: string,
): Promise<void> {
  await appendAudit(db, {
    actor: inspection.auditor, action: 'inspection.open', target: inspection.mailbox, source,
    data: { inspection: inspection.id, folder: message.folder, uid: message.uid, message_id: message.messageId ?? null, subject: message.subject ?? null },
  });
}
