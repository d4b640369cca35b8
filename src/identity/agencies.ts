import type { Queryable } from '../store/db.js';
import { UserError } from '../shared/errors.js';

/** A department, board, district office or commune: one node of the province's tree. */
export interface Agency {
  id: number;
  parentId: number | null;
  code: string;
  name: string;
  externalId: string | null;
  status: 'active' | 'archived';
  createdAt: Date;
}

interface AgencyRow {
  id: number;
  parent_id: number | null;
  code: string;
  name: string;
  external_id: string | null;
  status: 'active' | 'archived';
  created_at: Date;
}

const toAgency = (r: AgencyRow): Agency => ({
  id: r.id,
  parentId: r.parent_id,
  code: r.code,
  name: r.name,
  externalId: r.external_id,
  status: r.status,
  createdAt: r.created_at,
});

const CODE = /^[A-Za-z0-9][A-Za-z0-9._-]{0,63}$/;

export interface NewAgency {
  code: string;
  name: string;
  parentId?: number | null;
  externalId?: string | null;
}

export async function addAgency(db: Queryable, input: NewAgency): Promise<Agency> {
  if (!CODE.test(input.code)) throw new UserError('bad-agency-code', `"${input.code}" is not a valid agency code: use 1-64 letters, digits, ".", "_" or "-"`);
  const name = input.name.normalize('NFC').trim();
  if (!name) throw new UserError('bad-agency-name', 'an agency needs a name');
  if (input.parentId != null) await getAgencyById(db, input.parentId);
  const { rows } = await db.query<AgencyRow>(
    `INSERT INTO agencies (code, name, parent_id, external_id) VALUES ($1, $2, $3, $4)
     ON CONFLICT DO NOTHING RETURNING *`,
    [input.code, name, input.parentId ?? null, input.externalId ?? null],
  );
  if (!rows[0]) throw new UserError('agency-exists', `an agency with code ${input.code}${input.externalId ? ` or external id ${input.externalId}` : ''} already exists`);
  return toAgency(rows[0]);
}

export async function findAgency(db: Queryable, code: string): Promise<Agency | undefined> {
  const { rows } = await db.query<AgencyRow>('SELECT * FROM agencies WHERE code = $1', [code]);
  return rows[0] ? toAgency(rows[0]) : undefined;
}

export async function getAgency(db: Queryable, code: string): Promise<Agency> {
  const agency = await findAgency(db, code);
  if (!agency) throw new UserError('no-such-agency', `there is no agency with code ${code}`);
  return agency;
}

export async function getAgencyById(db: Queryable, id: number): Promise<Agency> {
  const { rows } = await db.query<AgencyRow>('SELECT * FROM agencies WHERE id = $1', [id]);
  if (!rows[0]) throw new UserError('no-such-agency', `there is no agency with id ${id}`);
  return toAgency(rows[0]);
}

export async function findAgencyByExternalId(db: Queryable, externalId: string): Promise<Agency | undefined> {
  const { rows } = await db.query<AgencyRow>('SELECT * FROM agencies WHERE external_id = $1', [externalId]);
  return rows[0] ? toAgency(rows[0]) : undefined;
}

export async function listAgencies(db: Queryable): Promise<Agency[]> {
  const { rows } = await db.query<AgencyRow>('SELECT * FROM agencies ORDER BY code');
  return rows.map(toAgency);
}

/** The agency and every agency below it, as ids. */
export async function agencySubtreeIds(db: Queryable, rootId: number): Promise<number[]> {
  const { rows } = await db.query<{ id: number }>(
    `WITH RECURSIVE sub(id) AS (SELECT $1::bigint UNION SELECT a.id FROM agencies a JOIN sub ON a.parent_id = sub.id)
     SELECT id FROM sub`,
    [rootId],
  );
  return rows.map((r) => r.id);
}

/** Is `agencyId` the agency `rootId` or below it? (An agency admin's scope check.) */
export async function isWithinAgency(db: Queryable, agencyId: number, rootId: number): Promise<boolean> {
  const { rows } = await db.query<{ inside: boolean }>(
    `WITH RECURSIVE up(id, parent_id) AS (
       SELECT id, parent_id FROM agencies WHERE id = $1
       UNION SELECT a.id, a.parent_id FROM agencies a JOIN up ON a.id = up.parent_id)
     SELECT EXISTS (SELECT 1 FROM up WHERE id = $2) AS inside`,
    [agencyId, rootId],
  );
  return rows[0]?.inside ?? false;
}

export interface AgencyChange {
  name?: string;
  parentId?: number | null;
  externalId?: string | null;
  status?: 'active' | 'archived';
}

/** Renames, moves or archives an agency; a move under its own subtree is refused. */
export async function updateAgency(db: Queryable, id: number, change: AgencyChange): Promise<Agency> {
  const current = await getAgencyById(db, id);
  if (change.parentId != null) {
    await getAgencyById(db, change.parentId);
    if (await isWithinAgency(db, change.parentId, id)) {
      throw new UserError('agency-cycle', `agency ${current.code} cannot move under itself or one of its own sub-agencies`);
    }
  }
  const name = change.name === undefined ? current.name : change.name.normalize('NFC').trim();
  if (!name) throw new UserError('bad-agency-name', 'an agency needs a name');
  const { rows } = await db.query<AgencyRow>(
    `UPDATE agencies SET name = $2, parent_id = $3, external_id = $4, status = $5, updated_at = now() WHERE id = $1 RETURNING *`,
    [
      id,
      name,
      change.parentId === undefined ? current.parentId : change.parentId,
      change.externalId === undefined ? current.externalId : change.externalId,
      change.status ?? current.status,
    ],
  );
  return toAgency(rows[0]!);
}
