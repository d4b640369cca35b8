import type { Queryable } from '../store/db.js';
import { UserError } from '../shared/errors.js';
import { AUDIT_COLUMNS, toStoredEvent, type AuditRow, type StoredAuditEvent } from './events.js';
import { filterConditions, type AuditFilter } from './filter.js';

export interface AuditPageOptions {
  /** from a previous page's nextCursor */
  cursor?: string | null;
  /** events per page, 1-1000 (default 50) */
  limit?: number;
  /** newest first (default) or oldest first */
  order?: 'desc' | 'asc';
}

export interface AuditPage {
  events: StoredAuditEvent[];
  /** pass as `cursor` for the next page; null on the last page */
  nextCursor: string | null;
}

export const MAX_PAGE = 1000;

/** Opaque to callers: the order and the last event id of the page, base64url. */
export function encodeCursor(order: 'desc' | 'asc', lastId: number): string {
  return Buffer.from(`${order}:${lastId}`).toString('base64url');
}

export function decodeCursor(cursor: string, order: 'desc' | 'asc'): number {
  const m = /^(desc|asc):(\d{1,15})$/.exec(Buffer.from(cursor, 'base64url').toString('utf8'));
  if (!m) throw new UserError('bad-cursor', `"${cursor}" is not a cursor from a previous page`);
  if (m[1] !== order) throw new UserError('bad-cursor', `the cursor belongs to a listing in ${m[1] === 'desc' ? 'newest-first' : 'oldest-first'} order`);
  return Number(m[2]);
}

/**
 * One page of events matching the filter, by keyset paging on the event id (which is
 * also time order): each page costs the same however deep into the log it is, and
 * events appended meanwhile neither shift nor repeat entries.
 */
export async function queryAudit(db: Queryable, filter: AuditFilter, options: AuditPageOptions = {}): Promise<AuditPage> {
  const order = options.order ?? 'desc';
  const limit = options.limit ?? 50;
  if (!Number.isInteger(limit) || limit < 1 || limit > MAX_PAGE) throw new UserError('bad-limit', `the page size must be a whole number from 1 to ${MAX_PAGE}, not ${limit}`);
  const params: unknown[] = [];
  const where = filterConditions(filter, params);
  if (options.cursor) {
    params.push(decodeCursor(options.cursor, order));
    where.push(`id ${order === 'desc' ? '<' : '>'} $${params.length}`);
  }
  params.push(limit + 1);
  const { rows } = await db.query<AuditRow>(
    `SELECT ${AUDIT_COLUMNS} FROM audit_events ${where.length ? `WHERE ${where.join(' AND ')}` : ''}
     ORDER BY id ${order === 'desc' ? 'DESC' : 'ASC'} LIMIT $${params.length}`,
    params,
  );
  const more = rows.length > limit;
  const events = rows.slice(0, limit).map(toStoredEvent);
  return { events, nextCursor: more ? encodeCursor(order, events[events.length - 1]!.id) : null };
}
