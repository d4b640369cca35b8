import { z } from 'zod';
import { transaction, type Queryable } from '../../store/db.js';
import { addAgency, getAgency, listAgencies, updateAgency, type Agency } from '../../identity/agencies.js';
import { mayChangeAgency } from '../../identity/roles.js';
import { defineRoute } from '../route.js';
import { agencyCode, agencyParam, iso, timestamp } from '../schemas.js';
import { auditApiChange } from '../audit.js';
import { describeScope, requireAgencyInScope } from '../scope.js';
import { forbidden } from '../errors.js';

const agencyItem = z.strictObject({
  code: z.string(),
  name: z.string(),
  parent: z.string().nullable().describe("the parent agency's code; null at the top"),
  depth: z.number().int().describe('0 for a top-level agency (or the root of an agency admin’s scope)'),
  external_id: z.string().nullable(),
  status: z.enum(['active', 'archived']),
  created_at: timestamp,
});
type AgencyItem = z.infer<typeof agencyItem>;

/** The agencies in tree order (each followed by its sub-agencies, by code), from `rootId` or from the top. */
function treeOrder(all: Agency[], rootId?: number): AgencyItem[] {
  const byId = new Map(all.map((a) => [a.id, a]));
  const children = new Map<number | null, Agency[]>();
  for (const a of all) {
    const key = a.parentId !== null && byId.has(a.parentId) ? a.parentId : null;
    (children.get(key) ?? children.set(key, []).get(key)!).push(a);
  }
  const out: AgencyItem[] = [];
  const visit = (a: Agency, depth: number) => {
    out.push({
      code: a.code, name: a.name, parent: a.parentId !== null ? (byId.get(a.parentId)?.code ?? null) : null,
      depth, external_id: a.externalId, status: a.status, created_at: iso(a.createdAt),
    });
    for (const c of (children.get(a.id) ?? []).sort((x, y) => x.code.localeCompare(y.code))) visit(c, depth + 1);
  };
  const roots = rootId !== undefined ? [byId.get(rootId)].filter((a): a is Agency => !!a) : (children.get(null) ?? []).sort((x, y) => x.code.localeCompare(y.code));
  for (const r of roots) visit(r, 0);
  return out;
}

/** One agency as listed, with its parent's code and its depth in the whole tree. */
async function itemOf(db: Queryable, code: string): Promise<AgencyItem> {
  const all = await listAgencies(db);
  const byId = new Map(all.map((a) => [a.id, a]));
  const agency = all.find((a) => a.code === code)!;
  let depth = 0;
  for (let up = agency.parentId; up !== null; up = byId.get(up)?.parentId ?? null) depth++;
  return { ...treeOrder(all, agency.id)[0]!, parent: agency.parentId !== null ? (byId.get(agency.parentId)?.code ?? null) : null, depth };
}

export const listAgenciesRoute = defineRoute({
  method: 'GET',
  path: '/agencies',
  operationId: 'listAgencies',
  summary: 'List the agency tree',
  tag: 'agencies',
  roles: ['superadmin', 'domain-admin', 'agency-admin'],
  query: z.strictObject({ status: z.enum(['active', 'archived']).optional().describe('only agencies with this status') }),
  response: z.strictObject({ items: z.array(agencyItem).describe('every agency in reach, each followed by its sub-agencies') }),
  async handler({ query, principal, deps }) {
    const all = await listAgencies(deps.db);
    const items = treeOrder(all, principal.scope.role === 'agency-admin' ? principal.scope.agencyId : undefined);
    return { items: query.status ? items.filter((a) => a.status === query.status) : items };
  },
});

export const showAgencyRoute = defineRoute({
  method: 'GET',
  path: '/agencies/{code}',
  operationId: 'getAgency',
  summary: 'Show an agency',
  tag: 'agencies',
  roles: ['superadmin', 'domain-admin', 'agency-admin'],
  params: agencyParam,
  response: agencyItem,
  errors: [404],
  async handler({ params, principal, deps }) {
    const agency = await getAgency(deps.db, params.code);
    await requireAgencyInScope(deps.db, principal.scope, agency.id, agency.code);
    return itemOf(deps.db, agency.code);
  },
});

export const createAgencyRoute = defineRoute({
  method: 'POST',
  path: '/agencies',
  operationId: 'createAgency',
  summary: 'Create an agency',
  tag: 'agencies',
  roles: ['superadmin', 'agency-admin'],
  body: z.strictObject({
    code: agencyCode,
    name: z.string().min(1).max(500),
    parent: agencyCode.optional().describe("the parent's code; an agency admin must name one inside their scope"),
    external_id: z.string().min(1).max(200).optional(),
  }),
  response: agencyItem,
  status: 201,
  errors: [404, 409],
  async handler({ body, principal, deps, ip }) {
    const created = await transaction(deps.db, async (client) => {
      const parent = body.parent ? await getAgency(client, body.parent) : null;
      await requireAgencyInScope(client, principal.scope, parent?.id ?? null, parent?.code ?? null);
      const agency = await addAgency(client, { code: body.code, name: body.name, parentId: parent?.id ?? null, externalId: body.external_id ?? null });
      await auditApiChange(client, { principal, ip }, 'agency.add', agency.code, { after: { name: agency.name, parent: parent?.code ?? null } }, agency.id);
      return agency;
    });
    return itemOf(deps.db, created.code);
  },
});

export const updateAgencyRoute = defineRoute({
  method: 'PATCH',
  path: '/agencies/{code}',
  operationId: 'updateAgency',
  summary: 'Rename or move an agency',
  tag: 'agencies',
  roles: ['superadmin', 'agency-admin'],
  params: agencyParam,
  body: z.strictObject({
    name: z.string().min(1).max(500).optional(),
    parent: agencyCode.nullable().optional().describe("the new parent's code; null moves it to the top (superadmin only)"),
  }),
  response: agencyItem,
  errors: [404, 409],
  async handler({ params, body, principal, deps, ip }) {
    await transaction(deps.db, async (client) => {
      const agency = await getAgency(client, params.code);
      if (!(await mayChangeAgency(client, principal.scope, agency.id))) {
        throw forbidden(`agency ${agency.code} is not below ${await describeScope(client, principal.scope)}`);
      }
      const before = await itemOf(client, agency.code);
      let parentId: number | null | undefined;
      if (body.parent !== undefined) {
        const parent = body.parent === null ? null : await getAgency(client, body.parent);
        await requireAgencyInScope(client, principal.scope, parent?.id ?? null, parent?.code ?? null);
        parentId = parent?.id ?? null;
      }
      await updateAgency(client, agency.id, { ...(body.name !== undefined ? { name: body.name } : {}), ...(parentId !== undefined ? { parentId } : {}) });
      const after = await itemOf(client, agency.code);
      await auditApiChange(client, { principal, ip }, body.parent !== undefined ? 'agency.move' : 'agency.rename', agency.code, {
        before: { name: before.name, parent: before.parent },
        after: { name: after.name, parent: after.parent },
      }, agency.id);
    });
    return itemOf(deps.db, params.code);
  },
});
