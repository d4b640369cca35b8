import { z } from 'zod';
import { transaction } from '../../store/db.js';
import { addAlias, findAlias, removeAlias } from '../../identity/aliases.js';
import { getDomain } from '../../identity/domains.js';
import { normalizeAddress, parseAddress } from '../../identity/address.js';
import { listAliasesPage } from '../../identity/listing.js';
import { defineRoute } from '../route.js';
import { decodeCursor, pageOf, pageQuery, toPage } from '../paging.js';
import { addressParam } from '../schemas.js';
import { auditApiChange } from '../audit.js';
import { domainFilter, requireDomainInScope } from '../scope.js';
import { ApiError } from '../errors.js';

const ALIAS_ADMINS = ['superadmin', 'domain-admin'] as const;

const aliasItem = z.strictObject({ address: z.string(), targets: z.array(z.string()) });

export const listAliasesRoute = defineRoute({
  method: 'GET',
  path: '/aliases',
  operationId: 'listAliases',
  summary: 'List aliases',
  tag: 'aliases',
  roles: ALIAS_ADMINS,
  query: z.strictObject({ ...pageQuery, domain: z.string().min(1).optional().describe('only this domain') }),
  response: pageOf(aliasItem),
  errors: [404],
  async handler({ query, principal, deps }) {
    const domainId = await domainFilter(deps.db, principal.scope, query.domain);
    const rows = await listAliasesPage(deps.db, domainId !== undefined ? { domainId } : {}, {
      ...(query.cursor ? { after: decodeCursor(query.cursor)! } : {}),
      limit: query.limit + 1,
    });
    return toPage(rows, query.limit, (a) => a.address, (a) => ({ address: a.address, targets: a.targets }));
  },
});

export const createAliasRoute = defineRoute({
  method: 'POST',
  path: '/aliases',
  operationId: 'createAlias',
  summary: 'Create an alias',
  tag: 'aliases',
  roles: ALIAS_ADMINS,
  body: z.strictObject({
    address: z.string().min(3).max(320),
    targets: z.array(z.string().min(3).max(320)).min(1).max(1000).describe('addresses here or elsewhere'),
  }),
  response: aliasItem,
  status: 201,
  errors: [404, 409],
  async handler({ body, principal, deps, ip }) {
    const alias = await transaction(deps.db, async (client) => {
      const domain = await getDomain(client, parseAddress(body.address).domain);
      await requireDomainInScope(client, principal.scope, domain.id, domain.name);
      const a = await addAlias(client, body.address, body.targets);
      await auditApiChange(client, { principal, ip }, 'alias.add', a.address, { after: { targets: a.targets } });
      return a;
    });
    return { address: alias.address, targets: alias.targets };
  },
});

export const deleteAliasRoute = defineRoute({
  method: 'DELETE',
  path: '/aliases/{address}',
  operationId: 'deleteAlias',
  summary: 'Delete an alias',
  tag: 'aliases',
  roles: ALIAS_ADMINS,
  params: addressParam,
  response: aliasItem,
  errors: [404],
  async handler({ params, principal, deps, ip }) {
    const removed = await transaction(deps.db, async (client) => {
      const address = normalizeAddress(params.address);
      if (!(await findAlias(client, address))) throw new ApiError(404, 'no-such-alias', `there is no alias ${address}`);
      const domain = await getDomain(client, parseAddress(address).domain);
      await requireDomainInScope(client, principal.scope, domain.id, domain.name);
      const a = await removeAlias(client, address);
      await auditApiChange(client, { principal, ip }, 'alias.remove', a.address, { before: { targets: a.targets } });
      return a;
    });
    return { address: removed.address, targets: removed.targets };
  },
});
