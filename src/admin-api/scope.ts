import type { Queryable } from '../store/db.js';
import type { Account } from '../identity/accounts.js';
import { getAgencyById } from '../identity/agencies.js';
import { getDomain, listDomains } from '../identity/domains.js';
import { mayManageAccount, mayManageDomain, mayUseAgency, type RoleScope } from '../identity/roles.js';
import { forbidden } from './errors.js';

/** Where a scope reaches, in words, for refusals: "agency SNV and its sub-agencies". */
export async function describeScope(db: Queryable, scope: RoleScope): Promise<string> {
  switch (scope.role) {
    case 'domain-admin':
      return `the domain ${(await listDomains(db)).find((d) => d.id === scope.domainId)?.name ?? scope.domainId}`;
    case 'agency-admin':
      return `agency ${(await getAgencyById(db, scope.agencyId)).code} and its sub-agencies`;
    default:
      return `the ${scope.role} role`;
  }
}

export async function requireAccountInScope(db: Queryable, scope: RoleScope, account: Account): Promise<void> {
  if (!(await mayManageAccount(db, scope, account))) {
    throw forbidden(`${account.address} is outside ${await describeScope(db, scope)}`);
  }
}

export async function requireAgencyInScope(db: Queryable, scope: RoleScope, agencyId: number | null, code: string | null): Promise<void> {
  if (!(await mayUseAgency(db, scope, agencyId))) {
    throw forbidden(code ? `agency ${code} is outside ${await describeScope(db, scope)}` : `an account without an agency is outside ${await describeScope(db, scope)}`);
  }
}

export async function requireDomainInScope(db: Queryable, scope: RoleScope, domainId: number, name: string): Promise<void> {
  if (!mayManageDomain(scope, domainId)) throw forbidden(`the domain ${name} is outside ${await describeScope(db, scope)}`);
}

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
