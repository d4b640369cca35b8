import { createHash } from 'node:crypto';
import type { Queryable } from '../store/db.js';

export interface AuditEvent {
  /** who: an account address, 'cli:<unix user>', 'system' */
  actor: string;
  /** what, dotted: 'domain.add', 'account.passwd', 'auth.smtp.failure' */
  action: string;
  /** on what: an address, a domain */
  target?: string;
  /** from where: an IP address or 'cli' */
  source?: string;
  /** before/after and details; never a secret */
  data?: Record<string, unknown>;
}

const GENESIS = '0'.repeat(64);
/** one chain: appends take this transaction-scoped advisory lock in turn */
const AUDIT_CHAIN_LOCK = 4_242_002;

function canonical(value: unknown): string {
  if (Array.isArray(value)) return `[${value.map(canonical).join(',')}]`;
  if (value && typeof value === 'object') {
    const entries = Object.entries(value as Record<string, unknown>)
      .filter(([, v]) => v !== undefined)
      .sort(([a], [b]) => (a < b ? -1 : 1));
    return `{${entries.map(([k, v]) => `${JSON.stringify(k)}:${canonical(v)}`).join(',')}}`;
  }
  return JSON.stringify(value ?? null);
}

export function eventHash(prevHash: string, at: string, e: AuditEvent): string {
  const body = canonical({ at, actor: e.actor, action: e.action, target: e.target ?? null, source: e.source ?? null, data: e.data ?? {} });
  return createHash('sha256').update(prevHash).update('\n').update(body).digest('hex');
}

/**
 * Appends an event to the hash chain. Call it inside the transaction that makes the
 * change, so the change and its record commit together or not at all.
 */
export async function appendAudit(db: Queryable, e: AuditEvent): Promise<void> {
  await db.query('SELECT pg_advisory_xact_lock($1)', [AUDIT_CHAIN_LOCK]);
  const last = await db.query<{ hash: string }>('SELECT hash FROM audit_events ORDER BY id DESC LIMIT 1');
  const prev = last.rows[0]?.hash ?? GENESIS;
  // millisecond precision, so the stored value and the hashed value are the same text
  const at = new Date().toISOString();
  await db.query(
    `INSERT INTO audit_events (at, actor, action, target, source, data, prev_hash, hash)
     VALUES ($1, $2, $3, $4, $5, $6, $7, $8)`,
    [at, e.actor, e.action, e.target ?? null, e.source ?? null, e.data ?? {}, prev, eventHash(prev, at, e)],
  );
}

export interface ChainCheck {
  ok: boolean;
  events: number;
  /** the first event whose hash or link does not match */
  brokenAt?: number;
}

/** Recomputes the whole chain. */
export async function verifyAuditChain(db: Queryable): Promise<ChainCheck> {
  const { rows } = await db.query<{
    id: number; at: Date; actor: string; action: string; target: string | null; source: string | null;
    data: Record<string, unknown>; prev_hash: string; hash: string;
  }>('SELECT * FROM audit_events ORDER BY id');
  let prev = GENESIS;
  for (const row of rows) {
    const e: AuditEvent = { actor: row.actor, action: row.action, data: row.data };
    if (row.target !== null) e.target = row.target;
    if (row.source !== null) e.source = row.source;
    if (row.prev_hash !== prev || eventHash(prev, row.at.toISOString(), e) !== row.hash) {
      return { ok: false, events: rows.length, brokenAt: row.id };
    }
    prev = row.hash;
  }
  return { ok: true, events: rows.length };
}
