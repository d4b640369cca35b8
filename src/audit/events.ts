/** An event as the log holds it. */
export interface StoredAuditEvent {
  id: number;
  at: Date;
  actor: string;
  action: string;
  target: string | null;
  source: string | null;
  agencyId: number | null;
  data: Record<string, unknown>;
  prevHash: string;
  hash: string;
}

export interface AuditRow {
  id: number;
  at: Date;
  actor: string;
  action: string;
  target: string | null;
  source: string | null;
  agency_id: number | null;
  data: Record<string, unknown>;
  prev_hash: string;
  hash: string;
}

export const AUDIT_COLUMNS = 'id, at, actor, action, target, source, agency_id, data, prev_hash, hash';

export const toStoredEvent = (r: AuditRow): StoredAuditEvent => ({
  id: r.id,
  at: r.at,
  actor: r.actor,
  action: r.action,
  target: r.target,
  source: r.source,
  agencyId: r.agency_id,
  data: r.data,
  prevHash: r.prev_hash,
  hash: r.hash,
});
