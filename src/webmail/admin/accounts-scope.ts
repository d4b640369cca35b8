import type { Account } from '../../identity/accounts.js';
import { accountListFilter, type AdminActor } from '../../identity/account-admin.js';
import { agencySubtreeIds, listAgencies, type Agency } from '../../identity/agencies.js';
import type { AccountFilter } from '../../identity/listing.js';
import { mayManageAccount, mayUseAgency, type RoleScope } from '../../identity/roles.js';
import { PageError, type WebContext } from '../context.js';
import type { Role } from './menu.js';

/**
 * The console's side of the identity module's scope checks: a person may hold several
 * scopes (an HR officer of two agencies), so a page asks which of them reaches an account
 * or an agency, and refuses with 404 what none reaches: an HR officer cannot even learn
 * that an account of another agency exists.
 */

/** The person's scopes with one of the roles; 403 when there is none (the menu hid the page). */
export async function scopesWith(ctx: WebContext, roles: readonly Role[]): Promise<RoleScope[]> {
  const scopes = (await ctx.scopes()).filter((s) => roles.includes(s.role));
  if (!scopes.length) throw new PageError(403, ctx.t('error.forbidden'));
  return scopes;
}

export const ACCOUNT_ROLES: readonly Role[] = ['superadmin', 'domain-admin', 'agency-admin'];

/** The scope that reaches the account, or a 404 that reads like a missing page. */
export async function scopeOfAccount(ctx: WebContext, scopes: readonly RoleScope[], account: Account): Promise<RoleScope> {
  for (const scope of scopes) if (await mayManageAccount(ctx.deps.db, scope, account)) return scope;
  throw new PageError(404, ctx.t('error.not-found'));
}

/** The first scope that may place an account in the agency (null: none). */
export async function scopeOfAgency(ctx: WebContext, scopes: readonly RoleScope[], agencyId: number | null): Promise<RoleScope | undefined> {
  for (const scope of scopes) if (await mayUseAgency(ctx.deps.db, scope, agencyId)) return scope;
  return undefined;
}

/** The logged-in administrator as the actor of a change, from their address. */
export const consoleActor = (ctx: WebContext, scope: RoleScope): AdminActor => ({ actor: ctx.account!.address, source: ctx.ip, scope, via: 'console' });

/** Superadmins and domain admins may leave an account outside every agency; HR officers may not. */
export const mayLeaveAgencyEmpty = (scopes: readonly RoleScope[]) => scopes.some((s) => s.role === 'superadmin' || s.role === 'domain-admin');

/** The widest scope first: superadmin, then domain admin, then agency admins. */
const RANK: Record<string, number> = { superadmin: 0, 'domain-admin': 1, 'agency-admin': 2 };

/**
 * Which accounts the person's lists show: the widest scope's reach; several agency-admin
 * scopes together reach all their subtrees. `agency` narrows it (and must be in reach).
 */
export async function listFilter(ctx: WebContext, scopes: readonly RoleScope[], agency?: Agency): Promise<Pick<AccountFilter, 'domainId' | 'agencyIds'>> {
  const { db } = ctx.deps;
  const sorted = [...scopes].sort((a, b) => RANK[a.role]! - RANK[b.role]!);
  if (agency) {
    const scope = await scopeOfAgency(ctx, sorted, agency.id);
    if (!scope) throw new PageError(404, ctx.t('error.not-found'));
    return accountListFilter(db, scope, { agency: agency.code });
  }
  const widest = sorted[0]!;
  if (widest.role !== 'agency-admin') return accountListFilter(db, widest, {});
  const ids = new Set<number>();
  for (const s of sorted) if (s.role === 'agency-admin') for (const id of await agencySubtreeIds(db, s.agencyId)) ids.add(id);
  return { agencyIds: [...ids] };
}

/** An agency with its depth in the tree, for a select that shows the tree. */
export interface AgencyInTree {
  agency: Agency;
  depth: number;
}

/**
 * The agencies the person may place accounts in, as a tree (parents before children,
 * siblings in Vietnamese order): every agency for superadmins and domain admins, an HR
 * officer's subtrees for them.
 */
export async function agencyTree(ctx: WebContext, scopes: readonly RoleScope[]): Promise<AgencyInTree[]> {
  const { db } = ctx.deps;
  const all = await listAgencies(db);
  let reach: Set<number> | undefined;
  if (!scopes.some((s) => s.role === 'superadmin' || s.role === 'domain-admin')) {
    reach = new Set();
    for (const s of scopes) if (s.role === 'agency-admin') for (const id of await agencySubtreeIds(db, s.agencyId)) reach.add(id);
  }
  const visible = all.filter((a) => !reach || reach.has(a.id));
  const ids = new Set(visible.map((a) => a.id));
  const children = new Map<number | null, Agency[]>();
  for (const a of visible) {
    const parent = a.parentId !== null && ids.has(a.parentId) ? a.parentId : null;
    children.set(parent, [...(children.get(parent) ?? []), a]);
  }
  const out: AgencyInTree[] = [];
  const walk = (parent: number | null, depth: number) => {
    for (const a of ctx.format.sortBy(children.get(parent) ?? [], (x) => x.name)) {
      out.push({ agency: a, depth });
      walk(a.id, depth + 1);
    }
  };
  walk(null, 0);
  return out;
}
