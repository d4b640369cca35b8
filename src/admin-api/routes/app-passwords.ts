import { z } from 'zod';
import { getAccount, getAccountById } from '../../identity/accounts.js';
import { createAppPassword, listAppPasswords, revokeAppPassword, type AppPassword } from '../../identity/app-passwords.js';
import { defineRoute } from '../route.js';
import { addressParam, iso, isoOrNull, timestamp } from '../schemas.js';
import { changedBy } from '../audit.js';
import { ownAccountId, requireAccountInScope } from '../scope.js';

const ACCOUNT_ADMINS = ['superadmin', 'domain-admin', 'agency-admin'] as const;

const scopes = z.array(z.enum(['imap', 'smtp'])).min(1).max(2);
const appPasswordItem = z.strictObject({
  name: z.string(),
  scopes: scopes.describe('the protocols it opens; never the webmail or the API'),
  created_at: timestamp,
  revoked_at: timestamp.nullable(),
  last_used_at: timestamp.nullable(),
  last_used_ip: z.string().nullable(),
});
const toItem = (p: AppPassword) => ({
  name: p.name, scopes: p.scopes, created_at: iso(p.createdAt), revoked_at: isoOrNull(p.revokedAt), last_used_at: isoOrNull(p.lastUsedAt), last_used_ip: p.lastUsedIp,
});
const nameParam = z.string().min(1).max(64).describe('the app password’s name');

export const listAppPasswordsRoute = defineRoute({
  method: 'GET',
  path: '/accounts/{address}/app-passwords',
  operationId: 'listAppPasswords',
  summary: "List an account's app passwords (never their secrets)",
  tag: 'app-passwords',
  roles: ACCOUNT_ADMINS,
  params: addressParam,
  query: z.strictObject({ revoked: z.enum(['true', 'false']).default('false').describe('include revoked ones') }),
  response: z.strictObject({ items: z.array(appPasswordItem) }),
  errors: [404],
  async handler({ params, query, principal, deps }) {
    const account = await getAccount(deps.db, params.address);
    await requireAccountInScope(deps.db, principal.scope, account);
    return { items: (await listAppPasswords(deps.db, account.id, { includeRevoked: query.revoked === 'true' })).map(toItem) };
  },
});

export const revokeAppPasswordRoute = defineRoute({
  method: 'DELETE',
  path: '/accounts/{address}/app-passwords/{name}',
  operationId: 'revokeAppPassword',
  summary: "Revoke one of an account's app passwords",
  tag: 'app-passwords',
  roles: ACCOUNT_ADMINS,
  params: addressParam.extend({ name: nameParam }),
  response: appPasswordItem,
  errors: [404],
  async handler({ params, principal, deps, ip }) {
    const account = await getAccount(deps.db, params.address);
    await requireAccountInScope(deps.db, principal.scope, account);
    return toItem(await revokeAppPassword(deps.db, account, params.name, changedBy({ principal, ip })));
  },
});

// ---- the account's own, with a user token ----

export const listOwnAppPasswordsRoute = defineRoute({
  method: 'GET',
  path: '/me/app-passwords',
  operationId: 'listOwnAppPasswords',
  summary: 'List your app passwords',
  tag: 'me',
  roles: ['user'],
  response: z.strictObject({ items: z.array(appPasswordItem) }),
  async handler({ principal, deps }) {
    const account = await getAccountById(deps.db, ownAccountId(principal.scope));
    return { items: (await listAppPasswords(deps.db, account.id)).map(toItem) };
  },
});

export const createOwnAppPasswordRoute = defineRoute({
  method: 'POST',
  path: '/me/app-passwords',
  operationId: 'createOwnAppPassword',
  summary: 'Make an app password for a mail client',
  tag: 'me',
  roles: ['user'],
  body: z.strictObject({ name: nameParam, scopes }),
  response: appPasswordItem.extend({ secret: z.string().describe('shown only in this answer; type it in the mail client') }),
  status: 201,
  errors: [409],
  async handler({ body, principal, deps, ip }) {
    const account = await getAccountById(deps.db, ownAccountId(principal.scope));
    const made = await createAppPassword(deps.db, account, { name: body.name, scopes: body.scopes }, changedBy({ principal, ip }));
    return { ...toItem(made.appPassword), secret: made.secret };
  },
});

export const revokeOwnAppPasswordRoute = defineRoute({
  method: 'DELETE',
  path: '/me/app-passwords/{name}',
  operationId: 'revokeOwnAppPassword',
  summary: 'Revoke one of your app passwords',
  tag: 'me',
  roles: ['user'],
  params: z.strictObject({ name: nameParam }),
  response: appPasswordItem,
  errors: [404],
  async handler({ params, principal, deps, ip }) {
    const account = await getAccountById(deps.db, ownAccountId(principal.scope));
    return toItem(await revokeAppPassword(deps.db, account, params.name, changedBy({ principal, ip })));
  },
});
