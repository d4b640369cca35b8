import type { Queryable } from '../store/db.js';
import { UserError } from '../shared/errors.js';
import type { Account } from './accounts.js';
import { isWithinAgency } from './agencies.js';

/**
 * Who may do what. Every account is a `user`; a grant (or an API token) adds one of the
 * administrative roles, each with its scope:
 *   superadmin    everything
 *   domain-admin  the accounts and aliases of one domain
 *   agency-admin  an HR officer: the accounts and sub-agencies of one agency subtree
 *   auditor       reads the audit log and login history, changes nothing
 */
export const ROLE_NAMES = ['superadmin', 'domain-admin', 'agency-admin', 'auditor', 'user'] as const;
export type RoleName = (typeof ROLE_NAMES)[number];
/** the roles a grant can give (every account is a user without one) */
export const GRANTABLE_ROLES = ['superadmin', 'domain-admin', 'agency-admin', 'auditor'] as const;
export type GrantableRole = (typeof GRANTABLE_ROLES)[number];

export type RoleScope =
  | { role: 'superadmin' }
  | { role: 'domain-admin'; domainId: number }
  | { role: 'agency-admin'; agencyId: number }
  | { role: 'auditor' }
  | { role: 'user'; accountId: number };

/** Builds a scope from a role and the ids a stored grant or token carries, refusing a missing one. */
export function scopeFrom(role: string, ids: { domainId?: number | null; agencyId?: number | null; accountId?: number | null }): RoleScope {
  switch (role) {
    case 'superadmin':
    case 'auditor':
      return { role };
    case 'domain-admin':
      if (ids.domainId == null) throw new UserError('scope-needs-domain', 'the domain-admin role needs a domain (--domain DOMAIN)');
      return { role, domainId: ids.domainId };
    case 'agency-admin':
      if (ids.agencyId == null) throw new UserError('scope-needs-agency', 'the agency-admin role needs an agency (--agency CODE)');
      return { role, agencyId: ids.agencyId };
    case 'user':
      if (ids.accountId == null) throw new UserError('scope-needs-account', 'the user role needs an account (--account ADDRESS)');
      return { role, accountId: ids.accountId };
    default:
      throw new UserError('no-such-role', `"${role}" is not a role; the roles are: ${ROLE_NAMES.join(', ')}`);
  }
}

// ---- what a scope may reach ----

/** May this scope manage (see and change) the account? */
export async function mayManageAccount(db: Queryable, scope: RoleScope, account: Pick<Account, 'domainId' | 'agencyId'>): Promise<boolean> {
  switch (scope.role) {
    case 'superadmin':
      return true;
    case 'domain-admin':
      return account.domainId === scope.domainId;
    case 'agency-admin':
      return account.agencyId !== null && (await isWithinAgency(db, account.agencyId, scope.agencyId));
    default:
      return false;
  }
}

/** May this scope place an account in (or make a sub-agency under) this agency? */
export async function mayUseAgency(db: Queryable, scope: RoleScope, agencyId: number | null): Promise<boolean> {
  if (scope.role === 'superadmin' || scope.role === 'domain-admin') return true;
  if (scope.role !== 'agency-admin' || agencyId === null) return false;
  return isWithinAgency(db, agencyId, scope.agencyId);
}

/**
 * May this scope rename or move the agency itself? An agency admin manages the agencies
 * below their own, not their own root (that belongs to whoever gave them the scope).
 */
export async function mayChangeAgency(db: Queryable, scope: RoleScope, agencyId: number): Promise<boolean> {
  if (scope.role === 'superadmin') return true;
  if (scope.role !== 'agency-admin' || agencyId === scope.agencyId) return false;
  return isWithinAgency(db, agencyId, scope.agencyId);
}

/** May this scope manage the domain's aliases and see its settings? */
export function mayManageDomain(scope: RoleScope, domainId: number): boolean {
  return scope.role === 'superadmin' || (scope.role === 'domain-admin' && scope.domainId === domainId);
}

// ---- grants of roles to accounts ----

export interface RoleGrant {
  id: number;
  accountId: number;
  address: string;
  role: GrantableRole;
  domainId: number | null;
  domain: string | null;
  agencyId: number | null;
  agencyCode: string | null;
  grantedBy: string;
  createdAt: Date;
}

interface GrantRow {
  id: number;
  account_id: number;
  address: string;
  role: GrantableRole;
  domain_id: number | null;
  domain: string | null;
  agency_id: number | null;
  agency_code: string | null;
  granted_by: string;
  created_at: Date;
}

const toGrant = (r: GrantRow): RoleGrant => ({
  id: r.id,
  accountId: r.account_id,
  address: r.address,
  role: r.role,
  domainId: r.domain_id,
  domain: r.domain,
  agencyId: r.agency_id,
  agencyCode: r.agency_code,
  grantedBy: r.granted_by,
  createdAt: r.created_at,
});

const GRANT_SELECT = `
  SELECT g.*, a.address, d.name AS domain, ag.code AS agency_code
    FROM role_grants g JOIN accounts a ON a.id = g.account_id
    LEFT JOIN domains d ON d.id = g.domain_id LEFT JOIN agencies ag ON ag.id = g.agency_id`;

export interface NewGrant {
  accountId: number;
  role: string;
  domainId?: number | null;
  agencyId?: number | null;
  grantedBy: string;
}

export async function grantRole(db: Queryable, input: NewGrant): Promise<RoleGrant> {
  if (!(GRANTABLE_ROLES as readonly string[]).includes(input.role)) {
    throw new UserError('no-such-role', `"${input.role}" cannot be granted; the roles are: ${GRANTABLE_ROLES.join(', ')} (every account is a user already)`);
  }
  const scope = scopeFrom(input.role, input);
  const domainId = scope.role === 'domain-admin' ? scope.domainId : null;
  const agencyId = scope.role === 'agency-admin' ? scope.agencyId : null;
  const { rows } = await db.query<{ id: number }>(
    `INSERT INTO role_grants (account_id, role, domain_id, agency_id, granted_by) VALUES ($1, $2, $3, $4, $5)
     ON CONFLICT DO NOTHING RETURNING id`,
    [input.accountId, input.role, domainId, agencyId, input.grantedBy],
  );
  if (!rows[0]) throw new UserError('grant-exists', 'the account already has this role with this scope');
  const grant = await db.query<GrantRow>(`${GRANT_SELECT} WHERE g.id = $1`, [rows[0].id]);
  return toGrant(grant.rows[0]!);
}

/** Removes the account's grant of `role` (with that scope, when the role has one). */
export async function revokeRole(db: Queryable, input: Omit<NewGrant, 'grantedBy'>): Promise<RoleGrant> {
  const { rows } = await db.query<GrantRow>(
    `${GRANT_SELECT} WHERE g.account_id = $1 AND g.role = $2
       AND ($3::bigint IS NULL OR g.domain_id = $3) AND ($4::bigint IS NULL OR g.agency_id = $4)`,
    [input.accountId, input.role, input.domainId ?? null, input.agencyId ?? null],
  );
  if (rows.length === 0) throw new UserError('no-such-grant', 'the account does not have this role');
  if (rows.length > 1) throw new UserError('ambiguous-grant', `the account has the ${input.role} role ${rows.length} times; name the --domain or --agency to revoke`);
  await db.query('DELETE FROM role_grants WHERE id = $1', [rows[0]!.id]);
  return toGrant(rows[0]!);
}

export async function listRoleGrants(db: Queryable, accountId?: number): Promise<RoleGrant[]> {
  const { rows } = await db.query<GrantRow>(
    `${GRANT_SELECT} WHERE ($1::bigint IS NULL OR g.account_id = $1) ORDER BY a.address, g.role, g.id`,
    [accountId ?? null],
  );
  return rows.map(toGrant);
}

/** The scopes an account holds: its grants, and always `user` of itself (for the admin console). */
export async function scopesOf(db: Queryable, accountId: number): Promise<RoleScope[]> {
  const grants = await listRoleGrants(db, accountId);
  return [...grants.map((g) => scopeFrom(g.role, g)), { role: 'user', accountId }];
}
