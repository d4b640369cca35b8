import { z } from 'zod';
import { transaction, type Queryable } from '../../store/db.js';
import { getAccount, type Account } from '../../identity/accounts.js';
import { listDelegations, removeDelegation, setDelegation, type Delegation } from '../../identity/delegations.js';
import { mayManageAccount, type RoleScope } from '../../identity/roles.js';
import { defineRoute } from '../route.js';
import { pageInMemory, pageOf, pageQuery } from '../paging.js';
import { iso, timestamp } from '../schemas.js';
import { auditApiChange } from '../audit.js';
import { requireAccountInScope } from '../scope.js';

const DELEGATION_ADMINS = ['superadmin', 'domain-admin', 'agency-admin'] as const;

const rights = { can_read: z.boolean(), can_send: z.boolean() };
const delegationItem = z.strictObject({
  mailbox: z.string().describe('the agency mailbox'),
  delegate: z.string().describe('the person who may use it'),
  ...rights,
  created_by: z.string(),
  created_at: timestamp,
});
const toItem = (d: Delegation) => ({
  mailbox: d.mailbox.address, delegate: d.delegate.address, can_read: d.canRead, can_send: d.canSend, created_by: d.createdBy, created_at: iso(d.createdAt),
});
/** a page key that orders like the list: mailbox, then delegate */
const keyOf = (d: Delegation) => `${d.mailbox.address}\n${d.delegate.address}`;

/** A delegation is the business of whoever manages both accounts. */
async function bothInScope(db: Queryable, scope: RoleScope, mailbox: Account, delegate: Account) {
  await requireAccountInScope(db, scope, mailbox);
  await requireAccountInScope(db, scope, delegate);
}

export const listDelegationsRoute = defineRoute({
  method: 'GET',
  path: '/delegations',
  operationId: 'listDelegations',
  summary: 'List delegations of agency mailboxes',
  tag: 'delegations',
  roles: DELEGATION_ADMINS,
  query: z.strictObject({ ...pageQuery, account: z.string().min(3).max(320).optional().describe('only those where this account is the mailbox or the delegate') }),
  response: pageOf(delegationItem),
  errors: [404],
  async handler({ query, principal, deps }) {
    const { db } = deps;
    let accountId: number | undefined;
    if (query.account) {
      const account = await getAccount(db, query.account);
      await requireAccountInScope(db, principal.scope, account);
      accountId = account.id;
    }
    // an administrator sees the delegations of the mailboxes in their scope
    const visible: Delegation[] = [];
    for (const d of await listDelegations(db, accountId)) {
      if (await mayManageAccount(db, principal.scope, d.mailbox)) visible.push(d);
    }
    return pageInMemory(visible, keyOf, query.cursor, query.limit, toItem);
  },
});

export const setDelegationRoute = defineRoute({
  method: 'POST',
  path: '/delegations',
  operationId: 'setDelegation',
  summary: 'Let a person read and/or send as an agency mailbox (or change what they may do)',
  tag: 'delegations',
  roles: DELEGATION_ADMINS,
  body: z.strictObject({ mailbox: z.string().min(3).max(320), delegate: z.string().min(3).max(320), ...rights }),
  response: delegationItem,
  errors: [404],
  async handler({ body, principal, deps, ip }) {
    return transaction(deps.db, async (client) => {
      const mailbox = await getAccount(client, body.mailbox);
      const delegate = await getAccount(client, body.delegate);
      await bothInScope(client, principal.scope, mailbox, delegate);
      const change = await setDelegation(client, mailbox, delegate, { canRead: body.can_read, canSend: body.can_send }, principal.actor);
      const [d] = (await listDelegations(client, mailbox.id)).filter((x) => x.delegate.id === delegate.id);
      await auditApiChange(client, { principal, ip }, 'delegation.set', mailbox.address, { delegate: delegate.address, before: change.before ?? null, after: change.after }, mailbox.agencyId);
      return toItem(d!);
    });
  },
});

export const removeDelegationRoute = defineRoute({
  method: 'DELETE',
  path: '/delegations/{mailbox}/{delegate}',
  operationId: 'removeDelegation',
  summary: 'Withdraw a delegation',
  tag: 'delegations',
  roles: DELEGATION_ADMINS,
  params: z.strictObject({ mailbox: z.string().min(3).max(320), delegate: z.string().min(3).max(320) }),
  response: z.strictObject({ mailbox: z.string(), delegate: z.string(), ...rights }),
  errors: [404],
  async handler({ params, principal, deps, ip }) {
    return transaction(deps.db, async (client) => {
      const mailbox = await getAccount(client, params.mailbox);
      const delegate = await getAccount(client, params.delegate);
      await bothInScope(client, principal.scope, mailbox, delegate);
      const before = await removeDelegation(client, mailbox, delegate);
      await auditApiChange(client, { principal, ip }, 'delegation.remove', mailbox.address, { delegate: delegate.address, before }, mailbox.agencyId);
      return { mailbox: mailbox.address, delegate: delegate.address, can_read: before.canRead, can_send: before.canSend };
    });
  },
});
