import type { Config } from '../config/index.js';
import type { Queryable } from '../store/db.js';
import { UserError } from '../shared/errors.js';
import { normalizeDomain } from '../identity/address.js';
import type { AddressRules } from './address-allocator.js';
import { loadCurrentState } from './current-state.js';
import { readLdap } from './ldap-source.js';
import type { Plan } from './plan-types.js';
import { computePlan } from './planner.js';
import type { SourceSnapshot } from './source.js';
import { readSpreadsheet } from './spreadsheet-source.js';

export type SourceKind = 'ldap' | 'csv' | 'xlsx';

/** Reads the source the administrator named: the configured directory, or an HR file. */
export async function readSource(config: Readonly<Config>, kind: SourceKind, file?: string): Promise<SourceSnapshot> {
  if (kind === 'ldap') {
    if (!config.provisioning.ldap) throw new UserError('no-ldap-source', 'provisioning.ldap is not configured: set its url, bindDn, bindPassword and people.baseDn');
    return readLdap(config.provisioning.ldap);
  }
  if (!file) throw new UserError('no-file', `--source ${kind} needs --file FILE`);
  const snapshot = await readSpreadsheet(file, config.provisioning.spreadsheet);
  if (snapshot.kind !== kind) throw new UserError('source-kind', `${file} is ${snapshot.kind === 'xlsx' ? 'an XLSX workbook' : 'a CSV file'}, not ${kind}`);
  return snapshot;
}

export function addressRules(config: Readonly<Config>): AddressRules {
  const p = config.provisioning;
  if (!p.domain) throw new UserError('no-provisioning-domain', 'provisioning.domain is not set: the domain new accounts and agency mailboxes are made in');
  return { domain: normalizeDomain(p.domain), ...p.addresses };
}

/** Compares the snapshot with hopthu's accounts and agencies. */
export async function planFromSnapshot(db: Queryable, config: Readonly<Config>, snapshot: SourceSnapshot): Promise<Plan> {
  const rules = addressRules(config);
  const state = await loadCurrentState(db, config.provisioning.addresses.reuseAfterDays);
  if (!state.domains.includes(rules.domain)) throw new UserError('no-such-domain', `provisioning.domain ${rules.domain} is not a local domain; add it with hopthu domain add ${rules.domain}`);
  return computePlan(snapshot, state, { rules, maxDisableShare: config.provisioning.maxDisableShare, staffGroups: true });
}
