import net from 'node:net';
import { UserError } from '../shared/errors.js';

/** What to select from the audit log; every field narrows, none selects everything. */
export interface AuditFilter {
  /** events at or after this time */
  since?: Date;
  /** events before this time */
  until?: Date;
  actor?: string;
  target?: string;
  /** an action ('account.add'), or a prefix when it ends with '.' ('auth.' selects 'auth.smtp.failure') */
  action?: string;
  /** events of this agency, or of any of these (an agency admin's subtree) */
  agencyId?: number | readonly number[];
  /** the source address: one address ('10.0.0.5') or a CIDR block ('10.0.0.0/8', '2001:db8::/32') */
  ip?: string;
}

/** An IP address or CIDR block, checked here so PostgreSQL never sees a malformed one. */
export function parseIpFilter(input: string): string {
  const [address = '', prefix, ...rest] = input.trim().split('/');
  const family = net.isIP(address);
  const bits = family === 4 ? 32 : 128;
  if (!family || rest.length || (prefix !== undefined && (!/^\d{1,3}$/.test(prefix) || Number(prefix) > bits))) {
    throw new UserError('bad-ip-filter', `"${input}" is not an IP address or CIDR block; write for example 10.0.0.5, 10.0.0.0/8 or 2001:db8::/32`);
  }
  return prefix === undefined ? address : `${address}/${prefix}`;
}

/**
 * The filter as SQL conditions over audit_events, each one an index can serve
 * (migration 009): `$n` placeholders start after `params`' current length.
 */
export function filterConditions(filter: AuditFilter, params: unknown[]): string[] {
  const where: string[] = [];
  const param = (v: unknown) => {
    params.push(v);
    return `$${params.length}`;
  };
  if (filter.since && filter.until && filter.since >= filter.until) {
    throw new UserError('bad-time-range', `the time range is empty: ${filter.since.toISOString()} is not before ${filter.until.toISOString()}`);
  }
  for (const [name, d] of [['since', filter.since], ['until', filter.until]] as const) {
    if (d && Number.isNaN(d.getTime())) throw new UserError('bad-time', `${name} is not a valid time`);
  }
  if (filter.since) where.push(`at >= ${param(filter.since)}`);
  if (filter.until) where.push(`at < ${param(filter.until)}`);
  if (filter.actor !== undefined) where.push(`actor = ${param(filter.actor)}`);
  if (filter.target !== undefined) where.push(`target = ${param(filter.target)}`);
  if (filter.action !== undefined) {
    if (filter.action === '') throw new UserError('bad-action-filter', 'the action filter is empty; write an action (account.add) or a prefix ending in "." (auth.)');
    if (filter.action.endsWith('.')) {
      // a prefix as a range over the byte order ("C" collation) the index is built in
      const p = filter.action;
      const upper = p.slice(0, -1) + String.fromCharCode(p.charCodeAt(p.length - 1) + 1);
      where.push(`action COLLATE "C" >= ${param(p)} AND action COLLATE "C" < ${param(upper)}`);
    } else {
      where.push(`action = ${param(filter.action)}`);
    }
  }
  if (filter.agencyId !== undefined) {
    const ids = typeof filter.agencyId === 'number' ? [filter.agencyId] : [...filter.agencyId];
    if (!ids.every((id) => Number.isSafeInteger(id) && id > 0)) throw new UserError('bad-agency-filter', `agency ids are positive whole numbers, not ${ids.join(', ')}`);
    where.push(ids.length === 1 ? `agency_id = ${param(ids[0])}` : `agency_id = ANY(${param(ids)}::bigint[])`);
  }
  if (filter.ip !== undefined) where.push(`audit_source_inet(source) <<= ${param(parseIpFilter(filter.ip))}::inet`);
  return where;
}
