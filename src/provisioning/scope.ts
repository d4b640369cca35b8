import type { Queryable } from '../store/db.js';
import { agencySubtreeIds, getAgencyById, listAgencies } from '../identity/agencies.js';
import { listAllAccounts } from '../identity/account-updates.js';
import type { RoleScope } from '../identity/roles.js';
import type { Plan, PlanItem, PlanOp } from './plan-types.js';
import type { Run } from './runs.js';
import type { SourceProblem, SourceSnapshot } from './source.js';

/**
 * An HR officer's plan reaches only their agencies. The planner plans the whole province
 * (the CLI's and the scheduled sync's view), so the console and the admin API limit an
 * agency admin's plan here, before it is stored: what falls outside their subtrees is
 * taken out, each person's row with a visible reason among the plan's problems.
 */

/** The runs a principal may open: a superadmin every run, an HR officer the runs they started (`actor`). */
export function runsVisibleToActor(scopes: readonly RoleScope[], actor: string, runs: readonly Run[]): Run[] {
  if (scopes.some((s) => s.role === 'superadmin')) return [...runs];
  if (!scopes.some((s) => s.role === 'agency-admin')) return [];
  return runs.filter((r) => r.actor === actor);
}

/** The plan as the scopes may apply it: whole for a superadmin, limited to an HR officer's agencies otherwise. */
export async function planWithinScopes(db: Queryable, plan: Plan, snapshot: SourceSnapshot, scopes: readonly RoleScope[], reasons: ScopeReasons): Promise<Plan> {
  const reach = await agencyCodesInReach(db, scopes);
  if (!reach) return plan;
  const roots = new Set<string>();
  for (const s of scopes) if (s.role === 'agency-admin') roots.add((await getAgencyById(db, s.agencyId)).code.toUpperCase());
  return limitPlanToAgencies(db, plan, snapshot, reach, roots, reasons);
}

/** The agency codes (upper case) of the agency-admin scopes' subtrees; undefined for a superadmin (no limit). */
export async function agencyCodesInReach(db: Queryable, scopes: readonly RoleScope[]): Promise<Set<string> | undefined> {
  if (scopes.some((s) => s.role === 'superadmin')) return undefined;
  const byId = new Map((await listAgencies(db)).map((a) => [a.id, a.code.toUpperCase()]));
  const codes = new Set<string>();
  for (const s of scopes) if (s.role === 'agency-admin') for (const id of await agencySubtreeIds(db, s.agencyId)) codes.add(byId.get(id)!);
  return codes;
}

/** The sentence of a refused row, in the officer's language (it is stored with the plan). */
export interface ScopeReasons {
  /** the row's agency (its code, or none) is outside the officer's agencies; `address` is its account's */
  outside: (code: string | null, address: string) => string;
}

/**
 * The plan limited to the agencies in `reach` (codes, upper case): agencies made only
 * under an agency in reach; accounts made, changed, moved, enabled or disabled only in
 * reach (a move only from and to it); the officer's own root agency is not renamed or
 * moved (mayChangeAgency); directory groups and address housekeeping are left to a
 * superadmin. A person's row refused becomes a problem with the row and the reason;
 * disables of people of other agencies (absent from the officer's sheet, as they should
 * be) are dropped without a word. Counts and the mass-disable share are counted again.
 */
export async function limitPlanToAgencies(db: Queryable, plan: Plan, snapshot: SourceSnapshot, reach: ReadonlySet<string>, roots: ReadonlySet<string>, reasons: ScopeReasons): Promise<Plan> {
  const agencies = await listAgencies(db);
  const codeById = new Map(agencies.map((a) => [a.id, a.code.toUpperCase()]));
  const accounts = await listAllAccounts(db);
  const agencyOfAddress = new Map(accounts.map((a) => [a.address, a.agencyId === null ? null : (codeById.get(a.agencyId) ?? null)]));
  const originOf = new Map(snapshot.people.map((p) => [p.externalId, p.origin]));
  const inReach = new Set(reach);
  const up = (code: string | null) => (code === null ? null : code.toUpperCase());
  const within = (code: string | null) => code !== null && inReach.has(code.toUpperCase());
  const held = (address: string) => within(agencyOfAddress.get(address) ?? null);
  const refused: SourceProblem[] = [];
  const refuse = (item: PlanItem & { externalId: string; address: string }, code: string | null) =>
    refused.push({ origin: originOf.get(item.externalId) ?? item.externalId, reason: reasons.outside(code, item.address) });
  const kept: PlanItem[] = [];
  for (const item of plan.items) {
    switch (item.op) {
      case 'agency.create':
        // parents come first in a plan, so a sub-agency of a new agency in reach is in reach too
        if (within(item.parentCode)) {
          inReach.add(item.code.toUpperCase());
          kept.push(item);
        }
        break;
      case 'agency.rename':
      case 'agency.complete':
        if (within(item.code) && (item.op === 'agency.complete' || !roots.has(up(item.code)!))) kept.push(item);
        break;
      case 'agency.move':
        if (within(item.code) && !roots.has(up(item.code)!) && within(item.toParentCode)) kept.push(item);
        break;
      case 'account.create':
        if (within(item.agencyCode)) kept.push(item);
        else refuse(item, item.agencyCode);
        break;
      case 'account.move':
        if (held(item.address) && within(item.toAgencyCode)) kept.push(item);
        else refuse(item, held(item.address) ? item.toAgencyCode : (agencyOfAddress.get(item.address) ?? null));
        break;
      case 'account.adopt':
      case 'account.update':
      case 'account.enable':
        if (held(item.address)) kept.push(item);
        else refuse(item, agencyOfAddress.get(item.address) ?? null);
        break;
      case 'account.disable':
        if (held(item.address)) kept.push(item);
        break;
      case 'address.release':
      case 'group.create':
      case 'group.members':
        break;
    }
  }
  const counts: Partial<Record<PlanOp, number>> = {};
  for (const i of kept) counts[i.op] = (counts[i.op] ?? 0) + 1;
  const ofActive = accounts.filter((a) => a.kind === 'person' && a.externalId && a.status === 'active' && within(agencyOfAddress.get(a.address) ?? null)).length;
  const disables = counts['account.disable'] ?? 0;
  const share = ofActive ? disables / ofActive : 0;
  // "agency X is no longer in the source" says nothing about another agency's officer's sheet
  const warnings = plan.warnings.filter((w) => w.code !== 'agency-gone' || [...inReach].some((code) => w.message.toUpperCase().startsWith(`AGENCY ${code} `)));
  return {
    ...plan,
    items: kept,
    warnings,
    problems: [...plan.problems, ...refused],
    counts,
    disable: { count: disables, ofActive, share, maxShare: plan.disable.maxShare, exceeded: share > plan.disable.maxShare },
  };
}
