import { PassThrough } from 'node:stream';
import { z } from 'zod';
import { queryAudit } from '../../audit/query.js';
import { exportAudit, EXPORT_FORMATS } from '../../audit/export.js';
import { filterConditions } from '../../audit/filter.js';
import { agencyCodesById, resolveAuditFilter } from '../../audit/filter-input.js';
import type { StoredAuditEvent } from '../../audit/events.js';
import { normalizeAddress } from '../../identity/address.js';
import type { Queryable } from '../../store/db.js';
import { defineRoute, Download } from '../route.js';
import { pageOf } from '../paging.js';
import { agencyCode, iso, timestamp } from '../schemas.js';
import { auditApiChange } from '../audit.js';

/** the security auditor reads; the superadmin may too; nobody else */
const AUDIT_READERS = ['superadmin', 'auditor'] as const;

const time = z.iso.datetime({ offset: true }).transform((s) => new Date(s));

const filterQuery = {
  since: time.optional().describe('events at or after this time (ISO 8601)'),
  until: time.optional().describe('events before this time (ISO 8601)'),
  actor: z.string().min(1).max(320).optional().describe("who: an address, 'cli:<user>', 'api:<token>'"),
  target: z.string().min(1).max(320).optional(),
  action: z.string().min(1).max(100).optional().describe("an action ('account.add'), or a prefix ending in '.' ('auth.')"),
  agency: agencyCode.optional().describe('events concerning this agency or its sub-agencies'),
  ip: z.string().min(1).max(64).optional().describe('the source: an address or a CIDR block'),
};

const pageQuery = {
  order: z.enum(['desc', 'asc']).default('desc').describe('newest first (default) or oldest first'),
  cursor: z.string().max(100).optional().describe('next_cursor of the previous page'),
  limit: z.coerce.number().int().min(1).max(1000).default(100).describe('events per page, 1-1000'),
};

const eventItem = z.strictObject({
  id: z.number().int(),
  at: timestamp,
  actor: z.string(),
  action: z.string(),
  target: z.string().nullable(),
  source: z.string().nullable(),
  agency: z.string().nullable().describe("the code of the agency the event concerns"),
  data: z.record(z.string(), z.unknown()),
  hash: z.string().describe('the event’s link in the SHA-256 chain'),
});

async function toItems(db: Queryable, events: StoredAuditEvent[]) {
  const codes = await agencyCodesById(db);
  return events.map((e) => ({
    id: e.id, at: iso(e.at), actor: e.actor, action: e.action, target: e.target, source: e.source,
    agency: e.agencyId !== null ? (codes.get(e.agencyId) ?? null) : null, data: e.data, hash: e.hash,
  }));
}

export const listAuditEventsRoute = defineRoute({
  method: 'GET',
  path: '/audit/events',
  operationId: 'listAuditEvents',
  summary: 'Search the audit log',
  tag: 'audit',
  roles: AUDIT_READERS,
  query: z.strictObject({ ...filterQuery, ...pageQuery }),
  response: pageOf(eventItem),
  errors: [404],
  async handler({ query, deps }) {
    const page = await queryAudit(deps.db, await resolveAuditFilter(deps.db, query), { order: query.order, limit: query.limit, ...(query.cursor ? { cursor: query.cursor } : {}) });
    return { items: await toItems(deps.db, page.events), next_cursor: page.nextCursor };
  },
});

export const loginHistoryRoute = defineRoute({
  method: 'GET',
  path: '/audit/logins',
  operationId: 'listLoginHistory',
  summary: 'Show the login history (authentication successes, failures and lockouts)',
  tag: 'audit',
  roles: AUDIT_READERS,
  query: z.strictObject({
    account: z.string().min(3).max(320).optional().describe('only logins to this address'),
    since: filterQuery.since,
    until: filterQuery.until,
    ip: filterQuery.ip,
    ...pageQuery,
  }),
  response: pageOf(eventItem),
  async handler({ query, deps }) {
    const filter = await resolveAuditFilter(deps.db, { ...query, action: 'auth.', ...(query.account ? { target: normalizeAddress(query.account) } : {}) });
    const page = await queryAudit(deps.db, filter, { order: query.order, limit: query.limit, ...(query.cursor ? { cursor: query.cursor } : {}) });
    return { items: await toItems(deps.db, page.events), next_cursor: page.nextCursor };
  },
});

const CONTENT_TYPES = { csv: 'text/csv; charset=utf-8', jsonl: 'application/x-ndjson; charset=utf-8' } as const;

export const exportAuditRoute = defineRoute({
  method: 'GET',
  path: '/audit/export',
  operationId: 'exportAuditEvents',
  summary: 'Export audit events as CSV or JSON lines, oldest first',
  tag: 'audit',
  roles: AUDIT_READERS,
  query: z.strictObject({
    format: z.enum(EXPORT_FORMATS).describe('csv (RFC 4180) or jsonl (one JSON event a line)'),
    excel: z.enum(['true', 'false']).default('false').describe('csv for Excel: a byte order mark, and formula-like cells quoted'),
    ...filterQuery,
  }),
  response: z.string().describe('the events, with their hashes, so the export can be checked'),
  download: Object.values(CONTENT_TYPES),
  errors: [404],
  async handler({ query, principal, deps, ip }) {
    const filter = await resolveAuditFilter(deps.db, query);
    // a bad filter is refused (400) before the answer starts
    filterConditions(filter, []);
    // reading the whole log is itself worth a record
    await auditApiChange(deps.db, { principal, ip }, 'audit.export', query.format, { filter: { ...query, since: query.since?.toISOString(), until: query.until?.toISOString() } });
    const out = new PassThrough();
    exportAudit(deps.db, filter, query.format, out, { excel: query.excel === 'true' }).then(
      () => out.end(),
      (err: Error) => {
        deps.log.error({ err: err.message }, 'audit export failed');
        out.destroy(err);
      },
    );
    return new Download(CONTENT_TYPES[query.format], `audit-${new Date().toISOString().slice(0, 10)}.${query.format}`, out);
  },
});
