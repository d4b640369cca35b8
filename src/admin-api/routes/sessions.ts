import { z } from 'zod';
import { getAccount, getAccountById } from '../../identity/accounts.js';
import { listSessions, revokeAllSessions, revokeSession, type WebSession } from '../../identity/web-sessions.js';
import { ApiError } from '../errors.js';
import { auditApiChange } from '../audit.js';
import { defineRoute } from '../route.js';
import { addressParam, iso, timestamp } from '../schemas.js';
import { ownAccountId, requireAccountInScope } from '../scope.js';

const ACCOUNT_ADMINS = ['superadmin', 'domain-admin', 'agency-admin'] as const;

const sessionItem = z.strictObject({
  id: z.number().int(),
  stage: z.enum(['second-factor', 'change-password', 'ready']).describe('ready: logged in; the others: a login step is still due'),
  created_at: timestamp,
  last_seen_at: timestamp,
  expires_at: timestamp,
  ip: z.string().nullable(),
  user_agent: z.string().nullable(),
});
const toItem = (s: WebSession) => ({
  id: s.id, stage: s.stage, created_at: iso(s.createdAt), last_seen_at: iso(s.lastSeenAt), expires_at: iso(s.expiresAt), ip: s.ip, user_agent: s.userAgent,
});

export const listSessionsRoute = defineRoute({
  method: 'GET',
  path: '/accounts/{address}/sessions',
  operationId: 'listSessions',
  summary: "List an account's live webmail and console sessions",
  tag: 'sessions',
  roles: [...ACCOUNT_ADMINS, 'auditor'],
  params: addressParam,
  response: z.strictObject({ items: z.array(sessionItem) }),
  errors: [404],
  async handler({ params, principal, deps }) {
    const account = await getAccount(deps.db, params.address);
    if (principal.scope.role !== 'auditor') await requireAccountInScope(deps.db, principal.scope, account);
    return { items: (await listSessions(deps.db, account.id)).map(toItem) };
  },
});

export const revokeSessionsRoute = defineRoute({
  method: 'DELETE',
  path: '/accounts/{address}/sessions',
  operationId: 'revokeSessions',
  summary: "End every webmail and console session of an account (a stolen laptop, a departure)",
  tag: 'sessions',
  roles: ACCOUNT_ADMINS,
  params: addressParam,
  response: z.strictObject({ ended: z.number().int().describe('how many live sessions were ended') }),
  errors: [404],
  async handler({ params, principal, deps, ip }) {
    const account = await getAccount(deps.db, params.address);
    await requireAccountInScope(deps.db, principal.scope, account);
    const ended = await revokeAllSessions(deps.db, account.id);
    await auditApiChange(deps.db, { principal, ip }, 'account.sessions.revoke', account.address, { ended }, account.agencyId);
    return { ended };
  },
});

export const listOwnSessionsRoute = defineRoute({
  method: 'GET',
  path: '/me/sessions',
  operationId: 'listOwnSessions',
  summary: 'List your live webmail sessions',
  tag: 'me',
  roles: ['user'],
  response: z.strictObject({ items: z.array(sessionItem) }),
  async handler({ principal, deps }) {
    return { items: (await listSessions(deps.db, ownAccountId(principal.scope))).map(toItem) };
  },
});

export const revokeOwnSessionRoute = defineRoute({
  method: 'DELETE',
  path: '/me/sessions/{id}',
  operationId: 'revokeOwnSession',
  summary: 'End one of your webmail sessions',
  tag: 'me',
  roles: ['user'],
  params: z.strictObject({ id: z.coerce.number().int().positive().describe('the session id from the list') }),
  response: z.strictObject({ ended: z.literal(true) }),
  errors: [404],
  async handler({ params, principal, deps, ip }) {
    const account = await getAccountById(deps.db, ownAccountId(principal.scope));
    if (!(await revokeSession(deps.db, account.id, params.id))) throw new ApiError(404, 'no-such-session', `you have no live session ${params.id}`);
    await auditApiChange(deps.db, { principal, ip }, 'account.session.revoke', account.address, { session: params.id }, account.agencyId);
    return { ended: true as const };
  },
});
