import type { Queryable } from '../store/db.js';
import { listAgencies, type Agency } from '../identity/agencies.js';
import { listDomains } from '../identity/domains.js';
import { addressesInUse, listAllAccounts } from '../identity/account-updates.js';
import type { Account } from '../identity/accounts.js';
import { groupMembers, listGroups, type Group } from '../identity/groups.js';

/** What hopthu holds that a plan compares the source with. */
export interface CurrentState {
  agencies: Agency[];
  accounts: Account[];
  /** local domains: a mail attribute in one of them is kept as the address */
  domains: string[];
  /** addresses of accounts, aliases and groups */
  inUse: string[];
  /** addresses provisioning gave: still held (freed less than reuseAfterDays ago, or not yet noticed as freed) */
  held: Array<{ address: string; freedAt: Date | null }>;
  /** accounts provisioning itself disabled */
  disabledByProvisioning: Set<number>;
  /** agencies with a 'agency-staff' distribution group */
  agenciesWithStaffGroup: Set<number>;
  /** groups that mirror a directory group, by the directory group's id, with their members' addresses */
  mirroredGroups: Map<string, { group: Group; members: string[] }>;
}

export async function loadCurrentState(db: Queryable, reuseAfterDays: number): Promise<CurrentState> {
  const [agencies, accounts, domains, inUse, held, disabled, staffGroups, mirrored] = await Promise.all([
    listAgencies(db),
    listAllAccounts(db),
    listDomains(db),
    addressesInUse(db),
    db.query<{ address: string; freed_at: Date | null }>(
      `SELECT address, freed_at FROM provisioning_addresses WHERE freed_at IS NULL OR freed_at > now() - make_interval(days => $1)`,
      [reuseAfterDays],
    ),
    db.query<{ account_id: number }>('SELECT account_id FROM provisioning_disabled'),
    listGroups(db),
    db.query<{ external_id: string; group_id: number }>('SELECT external_id, group_id FROM provisioning_groups'),
  ]);
  const groupById = new Map(staffGroups.map((g) => [g.id, g]));
  const mirroredGroups = new Map<string, { group: Group; members: string[] }>();
  for (const m of mirrored.rows) {
    const group = groupById.get(m.group_id);
    if (group) mirroredGroups.set(m.external_id, { group, members: (await groupMembers(db, group)).map((a) => a.address) });
  }
  return {
    agencies,
    accounts,
    domains: domains.map((d) => d.name),
    inUse,
    held: held.rows.map((r) => ({ address: r.address, freedAt: r.freed_at })),
    disabledByProvisioning: new Set(disabled.rows.map((r) => r.account_id)),
    agenciesWithStaffGroup: new Set(staffGroups.filter((g) => g.kind === 'agency-staff' && g.agencyId !== null).map((g) => g.agencyId!)),
    mirroredGroups,
  };
}
