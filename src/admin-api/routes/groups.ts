import { z } from 'zod';
import { transaction, type Queryable } from '../../store/db.js';
import { getAccount, type Account } from '../../identity/accounts.js';
import { getAgency, listAgencies } from '../../identity/agencies.js';
import { getDomain } from '../../identity/domains.js';
import { parseAddress } from '../../identity/address.js';
import {
  addGroup, addGroupMembers, getGroup, groupMembers, listGroups, removeGroup, removeGroupMembers, GROUP_KINDS, POST_RULES, type Group,
} from '../../identity/groups.js';
import type { RoleScope } from '../../identity/roles.js';
import { defineRoute } from '../route.js';
import { pageInMemory, pageOf, pageQuery } from '../paging.js';
import { addressParam, agencyCode, iso, timestamp } from '../schemas.js';
import { auditApiChange } from '../audit.js';
import { domainFilter, requireAccountInScope, requireDomainInScope } from '../scope.js';
import { ApiError } from '../errors.js';

/** groups belong to a domain: its domain admin manages them */
const GROUP_ADMINS = ['superadmin', 'domain-admin'] as const;

const groupItem = z.strictObject({
  address: z.string(),
  name: z.string(),
  kind: z.enum(GROUP_KINDS as ['static', 'agency-staff', 'agency-mailboxes']).describe('static: listed members; agency-staff / agency-mailboxes: resolved from the agency tree at delivery'),
  agency: z.string().nullable(),
  include_subagencies: z.boolean(),
  post_rule: z.enum(POST_RULES as ['members', 'agency', 'domain', 'anyone']).describe('who may post'),
  post_agency: z.string().nullable(),
  created_at: timestamp,
});

async function toItem(db: Queryable, g: Group): Promise<z.infer<typeof groupItem>> {
  const codes = new Map((await listAgencies(db)).map((a) => [a.id, a.code]));
  return {
    address: g.address, name: g.name, kind: g.kind,
    agency: g.agencyId !== null ? (codes.get(g.agencyId) ?? null) : null,
    include_subagencies: g.includeSubagencies, post_rule: g.postRule,
    post_agency: g.postAgencyId !== null ? (codes.get(g.postAgencyId) ?? null) : null,
    created_at: iso(g.createdAt),
  };
}

/** The group named in the path, if the token's scope reaches its domain. */
async function groupInScope(db: Queryable, scope: RoleScope, address: string): Promise<Group> {
  const group = await getGroup(db, address);
  if (scope.role === 'domain-admin') await requireDomainInScope(db, scope, group.domainId, parseAddress(group.address).domain);
  return group;
}

const memberItem = z.strictObject({ address: z.string(), display_name: z.string(), status: z.enum(['active', 'disabled']) });
const toMember = (a: Account) => ({ address: a.address, display_name: a.displayName, status: a.status });

export const listGroupsRoute = defineRoute({
  method: 'GET',
  path: '/groups',
  operationId: 'listGroups',
  summary: 'List distribution groups',
  tag: 'groups',
  roles: GROUP_ADMINS,
  query: z.strictObject({ ...pageQuery, domain: z.string().min(1).optional().describe('only this domain') }),
  response: pageOf(groupItem),
  errors: [404],
  async handler({ query, principal, deps }) {
    const domainId = await domainFilter(deps.db, principal.scope, query.domain);
    const groups = (await listGroups(deps.db)).filter((g) => domainId === undefined || g.domainId === domainId);
    const page = pageInMemory(groups, (g) => g.address, query.cursor, query.limit, (g) => g);
    return { items: await Promise.all(page.items.map((g) => toItem(deps.db, g))), next_cursor: page.next_cursor };
  },
});

export const createGroupRoute = defineRoute({
  method: 'POST',
  path: '/groups',
  operationId: 'createGroup',
  summary: 'Create a distribution group',
  tag: 'groups',
  roles: GROUP_ADMINS,
  body: z.strictObject({
    address: z.string().min(3).max(320),
    name: z.string().max(500).optional(),
    kind: groupItem.shape.kind.optional().describe('static by default'),
    agency: agencyCode.optional().describe('for agency-staff (required) and agency-mailboxes (none: the whole province)'),
    include_subagencies: z.boolean().optional().describe('true by default'),
    post_rule: groupItem.shape.post_rule.optional().describe('members by default'),
    post_agency: agencyCode.optional().describe('for the post rule "agency"'),
  }),
  response: groupItem,
  status: 201,
  errors: [404, 409],
  async handler({ body, principal, deps, ip }) {
    const group = await transaction(deps.db, async (client) => {
      const domain = await getDomain(client, parseAddress(body.address).domain);
      await requireDomainInScope(client, principal.scope, domain.id, domain.name);
      const agency = body.agency ? await getAgency(client, body.agency) : null;
      const postAgency = body.post_agency ? await getAgency(client, body.post_agency) : null;
      const g = await addGroup(client, {
        address: body.address,
        name: body.name ?? '',
        kind: body.kind ?? 'static',
        agencyId: agency?.id ?? null,
        ...(body.include_subagencies !== undefined ? { includeSubagencies: body.include_subagencies } : {}),
        postRule: body.post_rule ?? 'members',
        postAgencyId: postAgency?.id ?? null,
      });
      const item = await toItem(client, g);
      await auditApiChange(client, { principal, ip }, 'group.add', g.address, { after: item }, g.agencyId);
      return item;
    });
    return group;
  },
});

export const showGroupRoute = defineRoute({
  method: 'GET',
  path: '/groups/{address}',
  operationId: 'getGroup',
  summary: 'Show a distribution group',
  tag: 'groups',
  roles: GROUP_ADMINS,
  params: addressParam,
  response: groupItem,
  errors: [404],
  async handler({ params, principal, deps }) {
    return toItem(deps.db, await groupInScope(deps.db, principal.scope, params.address));
  },
});

export const deleteGroupRoute = defineRoute({
  method: 'DELETE',
  path: '/groups/{address}',
  operationId: 'deleteGroup',
  summary: 'Delete a distribution group (its members keep their accounts)',
  tag: 'groups',
  roles: GROUP_ADMINS,
  params: addressParam,
  response: groupItem,
  errors: [404],
  async handler({ params, principal, deps, ip }) {
    return transaction(deps.db, async (client) => {
      const g = await groupInScope(client, principal.scope, params.address);
      const item = await toItem(client, g);
      const members = g.kind === 'static' ? (await groupMembers(client, g)).map((a) => a.address) : undefined;
      await removeGroup(client, g.id);
      await auditApiChange(client, { principal, ip }, 'group.remove', g.address, { before: { ...item, members } }, g.agencyId);
      return item;
    });
  },
});

export const listGroupMembersRoute = defineRoute({
  method: 'GET',
  path: '/groups/{address}/members',
  operationId: 'listGroupMembers',
  summary: 'List the accounts a group delivers to now (for a dynamic group, as resolved from the agency tree)',
  tag: 'groups',
  roles: GROUP_ADMINS,
  params: addressParam,
  query: z.strictObject({ ...pageQuery }),
  response: pageOf(memberItem),
  errors: [404],
  async handler({ params, query, principal, deps }) {
    const group = await groupInScope(deps.db, principal.scope, params.address);
    return pageInMemory(await groupMembers(deps.db, group), (a) => a.address, query.cursor, query.limit, toMember);
  },
});

export const addGroupMembersRoute = defineRoute({
  method: 'POST',
  path: '/groups/{address}/members',
  operationId: 'addGroupMembers',
  summary: 'Add accounts to a static group',
  tag: 'groups',
  roles: GROUP_ADMINS,
  params: addressParam,
  body: z.strictObject({ addresses: z.array(z.string().min(3).max(320)).min(1).max(1000).describe('accounts to add') }),
  response: z.strictObject({ added: z.array(z.string()).describe('the accounts that were not members yet') }),
  errors: [404],
  async handler({ params, body, principal, deps, ip }) {
    return transaction(deps.db, async (client) => {
      const group = await groupInScope(client, principal.scope, params.address);
      const accounts: Account[] = [];
      for (const address of body.addresses) {
        const account = await getAccount(client, address);
        await requireAccountInScope(client, principal.scope, account);
        accounts.push(account);
      }
      const added = (await addGroupMembers(client, group, accounts)).map((a) => a.address);
      await auditApiChange(client, { principal, ip }, 'group.members.add', group.address, { added }, group.agencyId);
      return { added };
    });
  },
});

export const removeGroupMemberRoute = defineRoute({
  method: 'DELETE',
  path: '/groups/{address}/members/{member}',
  operationId: 'removeGroupMember',
  summary: 'Remove an account from a static group',
  tag: 'groups',
  roles: GROUP_ADMINS,
  params: addressParam.extend({ member: z.string().min(3).max(320).describe('the member’s address') }),
  response: memberItem,
  errors: [404],
  async handler({ params, principal, deps, ip }) {
    return transaction(deps.db, async (client) => {
      const group = await groupInScope(client, principal.scope, params.address);
      const account = await getAccount(client, params.member);
      const [removed] = await removeGroupMembers(client, group, [account]);
      if (!removed) throw new ApiError(404, 'no-such-member', `${account.address} is not a member of ${group.address}`);
      await auditApiChange(client, { principal, ip }, 'group.members.remove', group.address, { removed: [removed.address] }, group.agencyId);
      return toMember(removed);
    });
  },
});
