import { z } from 'zod';
import { transaction, type Queryable } from '../../store/db.js';
import type { Account } from '../../identity/accounts.js';
import { listAgencies } from '../../identity/agencies.js';
import { listAccountsPage } from '../../identity/listing.js';
import {
  accountInScope, accountListFilter, createManagedAccount, resetManagedPassword, setManagedAccountStatus, unlockManagedAccount, updateManagedAccount, type AdminActor,
} from '../../identity/account-admin.js';
import { createDefaultMailboxes } from '../../mail/mailboxes.js';
import { accountUsageDetail } from '../../mail/quota.js';
import { defineRoute, type ApiDeps, type Principal } from '../route.js';
import { decodeCursor, pageOf, pageQuery, toPage } from '../paging.js';
import { addressParam, agencyCode, iso, timestamp } from '../schemas.js';

const ACCOUNT_ADMINS = ['superadmin', 'domain-admin', 'agency-admin'] as const;

const accountItem = z.strictObject({
  address: z.string(),
  display_name: z.string(),
  kind: z.enum(['person', 'agency', 'system']),
  status: z.enum(['active', 'disabled']),
  agency: z.string().nullable().describe("the agency's code"),
  title: z.string(),
  quota_bytes: z.number().int().describe('0: no limit'),
  external_id: z.string().nullable(),
  created_at: timestamp,
});

async function agencyCodes(db: Queryable): Promise<Map<number, string>> {
  return new Map((await listAgencies(db)).map((a) => [a.id, a.code]));
}

const toItem = (a: Account, codes: Map<number, string>): z.infer<typeof accountItem> => ({
  address: a.address,
  display_name: a.displayName,
  kind: a.kind,
  status: a.status,
  agency: a.agencyId !== null ? (codes.get(a.agencyId) ?? null) : null,
  title: a.title,
  quota_bytes: a.quotaBytes,
  external_id: a.externalId,
  created_at: iso(a.createdAt),
});

const credentialSettings = (deps: ApiDeps) => ({ argon2: deps.config.argon2, passwordPolicy: deps.config.passwordPolicy });

/** The token as the actor of the identity module's administrative changes. */
const apiActor = (principal: Principal, ip: string): AdminActor => ({ actor: principal.actor, source: ip, scope: principal.scope, via: 'api' });

export const listAccountsRoute = defineRoute({
  method: 'GET',
  path: '/accounts',
  operationId: 'listAccounts',
  summary: 'List accounts',
  tag: 'accounts',
  roles: ACCOUNT_ADMINS,
  query: z.strictObject({
    ...pageQuery,
    domain: z.string().min(1).optional().describe('only this domain'),
    agency: agencyCode.optional().describe('only this agency and its sub-agencies'),
    kind: z.enum(['person', 'agency', 'system']).optional(),
    status: z.enum(['active', 'disabled']).optional(),
    q: z.string().min(1).max(200).optional().describe('a piece of the address or display name'),
  }),
  response: pageOf(accountItem),
  errors: [404],
  async handler({ query, principal, deps }) {
    const { db } = deps;
    const reach = await accountListFilter(db, principal.scope, { ...(query.domain ? { domain: query.domain } : {}), ...(query.agency ? { agency: query.agency } : {}) });
    const rows = await listAccountsPage(
      db,
      {
        ...reach,
        ...(query.kind ? { kind: query.kind } : {}),
        ...(query.status ? { status: query.status } : {}),
        ...(query.q ? { text: query.q } : {}),
      },
      { ...(query.cursor ? { after: decodeCursor(query.cursor)! } : {}), limit: query.limit + 1 },
    );
    const codes = await agencyCodes(db);
    return toPage(rows, query.limit, (a) => a.address, (a) => toItem(a, codes));
  },
});

export const createAccountRoute = defineRoute({
  method: 'POST',
  path: '/accounts',
  operationId: 'createAccount',
  summary: 'Create an account with its default folders',
  tag: 'accounts',
  roles: ACCOUNT_ADMINS,
  body: z.strictObject({
    address: z.string().min(3).max(320),
    display_name: z.string().max(500).optional(),
    title: z.string().max(500).optional(),
    kind: z.enum(['person', 'agency', 'system']).optional().describe('person by default'),
    agency: agencyCode.optional().describe("the agency's code; an agency admin must name one inside their scope"),
    quota_bytes: z.number().int().min(0).optional().describe('accounts.defaultQuotaBytes by default; 0: no limit'),
    password: z.string().min(1).max(256).optional().describe('an initial password under the password policy; the person must change it at first login'),
  }),
  response: accountItem,
  status: 201,
  errors: [404, 409],
  async handler({ body, principal, deps, ip }) {
    const { db, config } = deps;
    const account = await transaction(db, (client) =>
      createManagedAccount(client, credentialSettings(deps), apiActor(principal, ip), {
        address: body.address,
        ...(body.display_name !== undefined ? { displayName: body.display_name } : {}),
        ...(body.title !== undefined ? { title: body.title } : {}),
        kind: body.kind ?? 'person',
        agency: body.agency ?? null,
        quotaBytes: body.quota_bytes ?? config.accounts.defaultQuotaBytes,
        ...(body.password ? { password: body.password } : {}),
      }, (c, created) => createDefaultMailboxes(c, created.id)),
    );
    return toItem(account, await agencyCodes(db));
  },
});

export const showAccountRoute = defineRoute({
  method: 'GET',
  path: '/accounts/{address}',
  operationId: 'getAccount',
  summary: 'Show an account',
  tag: 'accounts',
  roles: ACCOUNT_ADMINS,
  params: addressParam,
  response: accountItem,
  errors: [404],
  async handler({ params, principal, deps }) {
    const account = await accountInScope(deps.db, principal.scope, params.address);
    return toItem(account, await agencyCodes(deps.db));
  },
});

export const updateAccountRoute = defineRoute({
  method: 'PATCH',
  path: '/accounts/{address}',
  operationId: 'updateAccount',
  summary: "Change an account's name, title, agency or quota",
  tag: 'accounts',
  roles: ACCOUNT_ADMINS,
  params: addressParam,
  body: z.strictObject({
    display_name: z.string().max(500).optional(),
    title: z.string().max(500).optional(),
    agency: agencyCode.nullable().optional().describe("the agency's code; null: no agency (not for an agency admin)"),
    quota_bytes: z.number().int().min(0).optional(),
  }),
  response: accountItem,
  errors: [404],
  async handler({ params, body, principal, deps, ip }) {
    const account = await transaction(deps.db, (client) =>
      updateManagedAccount(client, apiActor(principal, ip), params.address, {
        ...(body.display_name !== undefined ? { displayName: body.display_name } : {}),
        ...(body.title !== undefined ? { title: body.title } : {}),
        ...(body.agency !== undefined ? { agency: body.agency } : {}),
        ...(body.quota_bytes !== undefined ? { quotaBytes: body.quota_bytes } : {}),
      }),
    );
    return toItem(account, await agencyCodes(deps.db));
  },
});

function statusRoute(action: 'disable' | 'enable') {
  const status = action === 'disable' ? 'disabled' : 'active';
  return defineRoute({
    method: 'POST',
    path: `/accounts/{address}/${action}`,
    operationId: `${action}Account`,
    summary: action === 'disable' ? 'Disable an account (it can no longer log in or receive mail; its mail is kept)' : 'Enable a disabled account',
    tag: 'accounts',
    roles: ACCOUNT_ADMINS,
    params: addressParam,
    response: accountItem,
    errors: [404],
    async handler({ params, principal, deps, ip }) {
      const account = await transaction(deps.db, (client) => setManagedAccountStatus(client, apiActor(principal, ip), params.address, action));
      return toItem(account, await agencyCodes(deps.db));
    },
  });
}
export const disableAccountRoute = statusRoute('disable');
export const enableAccountRoute = statusRoute('enable');

export const resetPasswordRoute = defineRoute({
  method: 'POST',
  path: '/accounts/{address}/reset-password',
  operationId: 'resetAccountPassword',
  summary: 'Reset an account\'s password',
  tag: 'accounts',
  roles: ACCOUNT_ADMINS,
  params: addressParam,
  body: z.strictObject({
    password: z.string().min(1).max(256).optional()
      .describe('a new password under the password policy, which the person must change at their next login; without it, an activation code is made with which the person sets their own'),
  }),
  response: z.strictObject({
    method: z.enum(['password', 'activation-code']),
    activation_code: z.string().nullable().describe('shown only in this answer'),
    expires_at: timestamp.nullable().describe('when the activation code stops working'),
  }),
  errors: [404],
  async handler({ params, body, principal, deps, ip }) {
    const settings = { ...credentialSettings(deps), activationDays: deps.config.activation.codeDays };
    const reset = await transaction(deps.db, (client) => resetManagedPassword(client, settings, apiActor(principal, ip), params.address, body.password));
    return reset.method === 'password'
      ? { method: 'password' as const, activation_code: null, expires_at: null }
      : { method: 'activation-code' as const, activation_code: reset.code, expires_at: iso(reset.expiresAt) };
  },
});

export const unlockAccountRoute = defineRoute({
  method: 'POST',
  path: '/accounts/{address}/unlock',
  operationId: 'unlockAccount',
  summary: 'Lift a lockout after too many failed logins',
  tag: 'accounts',
  roles: ACCOUNT_ADMINS,
  params: addressParam,
  response: z.strictObject({ was_locked: z.boolean() }),
  errors: [404],
  async handler({ params, principal, deps, ip }) {
    const lifted = await unlockManagedAccount(deps.db, { redis: deps.redis, prefix: deps.config.redisPrefix }, apiActor(principal, ip), params.address);
    return { was_locked: lifted };
  },
});

export const accountUsageRoute = defineRoute({
  method: 'GET',
  path: '/accounts/{address}/usage',
  operationId: 'getAccountUsage',
  summary: "Show an account's quota and how much of it is used",
  tag: 'accounts',
  roles: ACCOUNT_ADMINS,
  params: addressParam,
  response: z.strictObject({
    quota_bytes: z.number().int().describe('0: no limit'),
    used_bytes: z.number().int(),
    messages: z.number().int(),
  }),
  errors: [404],
  async handler({ params, principal, deps }) {
    const account = await accountInScope(deps.db, principal.scope, params.address);
    const used = await accountUsageDetail(deps.db, account.id);
    return { quota_bytes: account.quotaBytes, used_bytes: used.bytes, messages: used.messages };
  },
});
