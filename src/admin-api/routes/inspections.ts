import { z } from 'zod';
import { getAccount } from '../../identity/accounts.js';
import { decideInspection, endInspection, listInspections, MAX_INSPECTION_HOURS, requestInspection, type Inspection } from '../../identity/inspections.js';
import { changedBy } from '../audit.js';
import { defineRoute } from '../route.js';
import { iso, isoOrNull, timestamp } from '../schemas.js';

const inspectionItem = z.strictObject({
  id: z.number().int(),
  mailbox: z.string().describe('the mailbox inspected'),
  auditor: z.string().describe('the account that may read it'),
  reason: z.string(),
  hours: z.number().int(),
  state: z.enum(['pending', 'active', 'denied', 'expired', 'ended']),
  requested_by: z.string(),
  requested_at: timestamp,
  decided_by: z.string().nullable(),
  decided_at: timestamp.nullable(),
  expires_at: timestamp.nullable(),
  ended_by: z.string().nullable(),
  ended_at: timestamp.nullable(),
});
const toItem = (i: Inspection) => ({
  id: i.id, mailbox: i.mailbox, auditor: i.auditor, reason: i.reason, hours: i.hours, state: i.state,
  requested_by: i.requestedBy, requested_at: iso(i.requestedAt), decided_by: i.decidedBy, decided_at: isoOrNull(i.decidedAt),
  expires_at: isoOrNull(i.expiresAt), ended_by: i.endedBy, ended_at: isoOrNull(i.endedAt),
});
const idParam = z.strictObject({ id: z.coerce.number().int().positive().describe('the inspection’s number') });

export const listInspectionsRoute = defineRoute({
  method: 'GET',
  path: '/inspections',
  operationId: 'listInspections',
  summary: 'List security inspections, newest first',
  tag: 'inspections',
  roles: ['superadmin', 'auditor'],
  response: z.strictObject({ items: z.array(inspectionItem) }),
  async handler({ deps }) {
    return { items: (await listInspections(deps.db)).map(toItem) };
  },
});

export const requestInspectionRoute = defineRoute({
  method: 'POST',
  path: '/inspections',
  operationId: 'requestInspection',
  summary: 'Ask for a security inspection of a mailbox (a second administrator must approve it)',
  tag: 'inspections',
  roles: ['superadmin', 'auditor'],
  body: z.strictObject({
    mailbox: z.string().min(3).max(320).describe('the mailbox to inspect'),
    auditor: z.string().min(3).max(320).describe('the account with the auditor role that will read it'),
    reason: z.string().min(10).max(2000).describe('the case or order that asks for it'),
    hours: z.number().int().min(1).max(MAX_INSPECTION_HOURS).describe('how long access lasts once approved'),
  }),
  response: inspectionItem,
  status: 201,
  errors: [400, 404],
  async handler({ body, principal, deps, ip }) {
    const mailbox = await getAccount(deps.db, body.mailbox);
    const auditor = await getAccount(deps.db, body.auditor);
    return toItem(await requestInspection(deps.db, { mailbox, auditor, reason: body.reason, hours: body.hours }, changedBy({ principal, ip })));
  },
});

const decision = (approve: boolean) =>
  defineRoute({
    method: 'POST',
    path: `/inspections/{id}/${approve ? 'approve' : 'deny'}`,
    operationId: approve ? 'approveInspection' : 'denyInspection',
    summary: approve ? 'Approve a security inspection (not one you asked for)' : 'Refuse a security inspection',
    tag: 'inspections',
    roles: ['superadmin'],
    params: idParam,
    response: inspectionItem,
    errors: [400, 404],
    async handler({ params, principal, deps, ip }) {
      return toItem(await decideInspection(deps.db, params.id, approve, changedBy({ principal, ip })));
    },
  });
export const approveInspectionRoute = decision(true);
export const denyInspectionRoute = decision(false);

export const endInspectionRoute = defineRoute({
  method: 'POST',
  path: '/inspections/{id}/end',
  operationId: 'endInspection',
  summary: 'End a security inspection before its time',
  tag: 'inspections',
  roles: ['superadmin', 'auditor'],
  params: idParam,
  response: inspectionItem,
  errors: [400, 404],
  async handler({ params, principal, deps, ip }) {
    return toItem(await endInspection(deps.db, params.id, changedBy({ principal, ip })));
  },
});
