import { z } from 'zod';
import { transaction, type Queryable } from '../../store/db.js';
import { addAccount, getAccount, setAccountStatus, updateAccount, type Account } from '../../identity/accounts.js';
import { agencySubtreeIds, getAgency, listAgencies } from '../../identity/agencies.js';
import { getDomain } from '../../identity/domains.js';
import { parseAddress } from '../../identity/address.js';
import { listAccountsPage } from '../../identity/listing.js';
import { setAccountPassword } from '../../identity/password-change.js';
import { unlockAccount } from '../../identity/lockout.js';
import { createActivationCodes } from '../../identity/activation.js';
import { createDefaultMailboxes } from '../../mail/mailboxes.js';
import { accountUsageDetail } from '../../mail/quota.js';
import { defineRoute, type ApiDeps } from '../route.js';
import { decodeCursor, pageOf, pageQuery, toPage } from '../paging.js';
import { addressParam, agencyCode, iso, timestamp } from '../schemas.js';
import { auditApiChange, changedBy } from '../audit.js';
import { requireAccountInScope, requireAgencyInScope, requireDomainInScope } from '../scope.js';

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

/** The account named in the path, if the token's scope reaches it (404 before 403). */
async function accountInScope(db: Queryable, principal: Parameters<typeof requireAccountInScope>[1], address: string): Promise<Account> {
  const account = await getAccount(db, address);
  await requireAccountInScope(db, principal, account);
  return account;
}

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
    const scope = principal.scope;
    let domainId: number | undefined;
    if (query.domain) {
      const domain = await getDomain(db, query.domain);
      if (scope.role === 'domain-admin') await requireDomainInScope(db, scope, domain.id, domain.name);
      domainId = domain.id;
    }
    if (scope.role === 'domain-admin') domainId = scope.domainId;
    let agencyIds: number[] | undefined;
    if (query.agency) {
      const agency = await getAgency(db, query.agency);
      await requireAgencyInScope(db, scope, agency.id, agency.code);
      agencyIds = await agencySubtreeIds(db, agency.id);
    } else if (scope.role === 'agency-admin') {
      agencyIds = await agencySubtreeIds(db, scope.agencyId);
    }
    const rows = await listAccountsPage(
      db,
      {
        ...(domainId !== undefined ? { domainId } : {}),
        ...(agencyIds ? { agencyIds } : {}),
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
    const account = await transaction(db, async (client) => {
      const { domain } = parseAddress(body.address);
      const dom = await getDomain(client, domain);
      if (principal.scope.role === 'domain-admin') await requireDomainInScope(client, principal.scope, dom.id, dom.name);
      const agency = body.agency ? await getAgency(client, body.agency) : null;
      await requireAgencyInScope(client, principal.scope, agency?.id ?? null, agency?.code ?? null);
      const created = await addAccount(client, {
        address: body.address,
        displayName: body.display_name ?? '',
        title: body.title ?? '',
        kind: body.kind ?? 'person',
        agencyId: agency?.id ?? null,
        quotaBytes: body.quota_bytes ?? config.accounts.defaultQuotaBytes,
      });
      await createDefaultMailboxes(client, created.id);
      if (body.password) await setAccountPassword(client, credentialSettings(deps), created, body.password, { by: 'creation' });
      await auditApiChange(client, { principal, ip }, 'account.add', created.address, {
        after: { displayName: created.displayName, kind: created.kind, agency: agency?.code ?? null, title: created.title, quotaBytes: created.quotaBytes },
        password: body.password ? 'set' : 'none',
      }, created.agencyId);
      return created;
    });
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
    const account = await transaction(deps.db, async (client) => {
      const before = await accountInScope(client, principal.scope, params.address);
      let agencyId: number | null | undefined;
      if (body.agency !== undefined) {
        const agency = body.agency === null ? null : await getAgency(client, body.agency);
        // an agency admin can move an account only within their own subtree
        await requireAgencyInScope(client, principal.scope, agency?.id ?? null, agency?.code ?? null);
        agencyId = agency?.id ?? null;
      }
      const after = await updateAccount(client, before.id, {
        ...(body.display_name !== undefined ? { displayName: body.display_name } : {}),
        ...(body.title !== undefined ? { title: body.title } : {}),
        ...(agencyId !== undefined ? { agencyId } : {}),
        ...(body.quota_bytes !== undefined ? { quotaBytes: body.quota_bytes } : {}),
      });
      const codes = await agencyCodes(client);
      const view = (a: Account) => ({ displayName: a.displayName, title: a.title, agency: a.agencyId !== null ? (codes.get(a.agencyId) ?? null) : null, quotaBytes: a.quotaBytes });
      await auditApiChange(client, { principal, ip }, 'account.update', after.address, { before: view(before), after: view(after) }, after.agencyId);
      return after;
    });
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
      const account = await transaction(deps.db, async (client) => {
        const before = await accountInScope(client, principal.scope, params.address);
        await setAccountStatus(client, before.id, status);
        const after = await getAccount(client, before.address);
        await auditApiChange(client, { principal, ip }, `account.${action}`, before.address, { before: { status: before.status }, after: { status } }, before.agencyId);
        return after;
      });
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
    return transaction(deps.db, async (client) => {
      const account = await accountInScope(client, principal.scope, params.address);
      if (body.password === undefined) {
        const [code] = await createActivationCodes(client, [account.id], { days: deps.config.activation.codeDays, by: changedBy({ principal, ip }), context: { via: 'api', role: principal.scope.role } });
        return { method: 'activation-code' as const, activation_code: code!.code, expires_at: iso(code!.expiresAt) };
      }
      await setAccountPassword(client, credentialSettings(deps), account, body.password, { by: 'admin' });
      await auditApiChange(client, { principal, ip }, 'account.password.reset', account.address, { mustChange: true }, account.agencyId);
      return { method: 'password' as const, activation_code: null, expires_at: null };
    });
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
    const account = await accountInScope(deps.db, principal.scope, params.address);
    const lifted = await unlockAccount({ redis: deps.redis, prefix: deps.config.redisPrefix }, account.address);
    await auditApiChange(deps.db, { principal, ip }, 'account.unlock', account.address, { wasLocked: lifted }, account.agencyId);
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
