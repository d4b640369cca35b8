import type { Queryable } from '../store/db.js';
import { appendAudit } from '../audit/audit-log.js';
import type { Principal } from './route.js';

/**
 * Records a change made through the API: the token as actor, its role, the target, the
 * agency it concerns (so auditors can filter by agency) and the values before and after.
 * Call it last in the transaction that makes the change: the chain stays locked until
 * that transaction ends.
 */
export async function auditApiChange(
  db: Queryable,
  who: { principal: Principal; ip: string },
  action: string,
  target: string,
  data: Record<string, unknown> = {},
  agencyId?: number | null,
): Promise<void> {
  await appendAudit(db, {
    actor: who.principal.actor,
    action,
    target,
    source: who.ip,
    ...(agencyId != null ? { agencyId } : {}),
    data: { ...data, via: 'api', role: who.principal.scope.role },
  });
}

/** Who the identity module's own audited functions should name: the token, from the client's address. */
export const changedBy = (who: { principal: Principal; ip: string }) => ({ actor: who.principal.actor, source: who.ip });
