import pg from 'pg';
import type { Queryable } from '../store/db.js';
import type { HashedFields } from './canonical.js';
import { appendAlone, appendInTransaction, type AppendedAudit } from './appender.js';

export { eventHash, GENESIS } from './canonical.js';
export { verifyAuditChain, type ChainCheck, type ChainProblem } from './verify.js';

export interface AuditEvent {
  /** who: an account address, 'cli:<unix user>', 'system' */
  actor: string;
  /** what, dotted: 'domain.add', 'account.passwd', 'auth.smtp.failure' */
  action: string;
  /** on what: an address, a domain */
  target?: string;
  /** from where: an IP address or 'cli' */
  source?: string;
  /** the agency the event concerns (agencies.id), so auditors can filter by agency */
  agencyId?: number;
  /** before/after and details; never a secret */
  data?: Record<string, unknown>;
}

export type { AppendedAudit };

/** The fields as they are stored and hashed: data through JSON once, so a Date or undefined hashes as it is stored. */
export function hashedFields(e: AuditEvent): HashedFields {
  return {
    actor: e.actor,
    action: e.action,
    target: e.target ?? null,
    source: e.source ?? null,
    agencyId: e.agencyId ?? null,
    data: JSON.parse(JSON.stringify(e.data ?? {})) as Record<string, unknown>,
  };
}

/**
 * Appends an event to the hash chain (audit_append, migration 009: lock the chain head,
 * take the time, hash, insert, in one statement). Call it inside the transaction that
 * makes the change, so the change and its record commit together or not at all; the
 * chain head stays locked until that transaction ends, so keep it short after this call.
 *
 * Called with the pool (an event on its own, such as a login), it joins concurrent
 * appends of this process in one statement and resolves once the event is durable
 * (appender.ts).
 */
export function appendAudit(db: Queryable, e: AuditEvent): Promise<AppendedAudit> {
  const f = hashedFields(e);
  return db instanceof pg.Pool ? appendAlone(db, f) : appendInTransaction(db, [f]).then((rows) => rows[0]!);
}
