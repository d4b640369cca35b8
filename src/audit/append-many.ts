import type { Queryable } from '../store/db.js';
import { hashedFields, type AuditEvent } from './audit-log.js';
import { appendInTransaction } from './appender.js';

/**
 * Appends many events in the caller's transaction with one statement (audit_append takes
 * them as one array and links them in order). For bulk changes (provisioning thousands of
 * accounts), where a round trip per event would dominate. Returns how many were appended.
 */
export async function appendAuditMany(db: Queryable, events: readonly AuditEvent[]): Promise<number> {
  return (await appendInTransaction(db, events.map(hashedFields))).length;
}
