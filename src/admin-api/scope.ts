import type { Queryable } from '../store/db.js';
import { getDomain } from '../identity/domains.js';
import type { RoleScope } from '../identity/roles.js';
import { assertAccountInScope, assertAgencyInScope, assertDomainInScope, describeScope } from '../identity/account-admin.js';

/**
 * The scope checks of the routes: the identity module's (shared with the admin console),
 * whose 'out-of-scope' refusal the API answers with 403.
 */
export { describeScope };
export const requireAccountInScope = assertAccountInScope;
export const requireAgencyInScope = assertAgencyInScope;
export const requireDomainInScope = assertDomainInScope;

/**
 * The domain a list is limited to: the one asked for (`?domain=`, which must be in scope),
 * else a domain admin's own domain, else none (every domain).
 */
export async function domainFilter(db: Queryable, scope: RoleScope, asked: string | undefined): Promise<number | undefined> {
  if (!asked) return scope.role === 'domain-admin' ? scope.domainId : undefined;
  const domain = await getDomain(db, asked);
  await requireDomainInScope(db, scope, domain.id, domain.name);
  return domain.id;
}

/** The account a user token acts for (the /me routes; their `roles: ['user']` guarantees the scope). */
export function ownAccountId(scope: RoleScope): number {
  if (scope.role !== 'user') throw new Error('unreachable: the route is for user tokens');
  return scope.accountId;
}
