import type { SourceProblem } from './source.js';

/**
 * A plan: what applying it would change, item by item, in the order apply carries it
 * out. Agencies are named by code (new ones get theirs in the plan), accounts by
 * address and stable id, so a plan reads well as JSON and means the same on any host.
 */
export type PlanItem =
  | { op: 'agency.create'; code: string; name: string; externalId: string; parentCode: string | null; mailbox: string | null; staffGroup: string | null }
  | { op: 'agency.rename'; code: string; from: string; to: string }
  | { op: 'agency.move'; code: string; fromParentCode: string | null; toParentCode: string | null }
  /** an existing agency without its agency mailbox and/or its staff group */
  | { op: 'agency.complete'; code: string; mailbox: string | null; staffGroup: string | null }
  /** an address provisioning gave whose account is gone: held for reuseAfterDays from now */
  | { op: 'address.release'; address: string }
  /** an account made by hand whose address a directory entry carries: linked, not made again */
  | { op: 'account.adopt'; address: string; externalId: string }
  | { op: 'account.create'; address: string; externalId: string; displayName: string; title: string; agencyCode: string | null }
  | { op: 'account.update'; address: string; externalId: string; displayName: Change<string>; title: Change<string> }
  | { op: 'account.move'; address: string; externalId: string; fromAgencyCode: string | null; toAgencyCode: string | null }
  /** a person back in the source whose account provisioning had disabled */
  | { op: 'account.enable'; address: string; externalId: string }
  /** a person gone from the source: disabled, never deleted */
  | { op: 'account.disable'; address: string; externalId: string }
  /** a static distribution group mirroring a directory group */
  | { op: 'group.create'; address: string; externalId: string; name: string }
  /** members (account addresses) to add to and remove from a mirrored group */
  | { op: 'group.members'; address: string; externalId: string; add: string[]; remove: string[] };

export type PlanOp = PlanItem['op'];

export interface Change<T> {
  from: T;
  to: T;
}

export interface PlanWarning {
  code: 'duplicate-person' | 'same-name' | 'missing-name' | 'conflicting-address' | 'unknown-agency' | 'agency-gone' | 'no-address';
  message: string;
  origin?: string;
}

export interface Plan {
  version: 1;
  /** random; the run that applies the plan is keyed by it, so applying it again resumes or does nothing */
  id: string;
  createdAt: string;
  source: { kind: 'ldap' | 'csv' | 'xlsx'; description: string };
  domain: string;
  items: PlanItem[];
  warnings: PlanWarning[];
  /** rows or entries the source could not give */
  problems: SourceProblem[];
  counts: Partial<Record<PlanOp, number>>;
  /** accounts the plan disables, against the active provisioned accounts */
  disable: { count: number; ofActive: number; share: number; maxShare: number; exceeded: boolean };
}
