import type { Queryable } from '../store/db.js';
import { agencySubtreeIds, getAgency, listAgencies } from '../identity/agencies.js';
import type { AuditFilter } from './filter.js';

/** A filter as a reader writes it (the API's query, the console's form): an agency by its code. */
export interface AuditFilterInput {
  since?: Date | undefined;
  until?: Date | undefined;
  actor?: string | undefined;
  target?: string | undefined;
  action?: string | undefined;
  /** events of this agency or any of its sub-agencies */
  agency?: string | undefined;
  ip?: string | undefined;
}

/** The stored filter for a reader's input: an agency code becomes its subtree (an unknown code is refused). */
export async function resolveAuditFilter(db: Queryable, q: AuditFilterInput): Promise<AuditFilter> {
  return {
    ...(q.since ? { since: q.since } : {}),
    ...(q.until ? { until: q.until } : {}),
    ...(q.actor !== undefined ? { actor: q.actor } : {}),
    ...(q.target !== undefined ? { target: q.target } : {}),
    ...(q.action !== undefined ? { action: q.action } : {}),
    ...(q.agency !== undefined ? { agencyId: await agencySubtreeIds(db, (await getAgency(db, q.agency)).id) } : {}),
    ...(q.ip !== undefined ? { ip: q.ip } : {}),
  };
}

/** Agency ids to codes, for showing events (which store the id). */
export async function agencyCodesById(db: Queryable): Promise<Map<number, string>> {
  return new Map((await listAgencies(db)).map((a) => [a.id, a.code]));
}
