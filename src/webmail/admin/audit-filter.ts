import type { FastifyRequest } from 'fastify';
import type { AuditFilterInput } from '../../audit/filter-input.js';
import { queryText } from './sec-access.js';

/** The audit page's form as it came in the query string: every field as typed, '' when empty. */
export interface AuditForm {
  from: string;
  to: string;
  actor: string;
  action: string;
  target: string;
  agency: string;
  ip: string;
}

export const AUDIT_FORM_FIELDS = ['from', 'to', 'actor', 'action', 'target', 'agency', 'ip'] as const;

/** The action prefixes the form offers ('.' at the end selects every action below it). */
export const ACTION_CHOICES = [
  'auth.', 'auth.web.', 'auth.imap.', 'auth.smtp.', 'auth.lockout', 'account.', 'domain.', 'group.', 'alias.', 'agency.',
  'delegation.', 'role.', 'api-token.', 'queue.', 'hold.', 'provisioning.', 'audit.',
] as const;

export function readAuditForm(req: FastifyRequest): AuditForm {
  return Object.fromEntries(AUDIT_FORM_FIELDS.map((f) => [f, queryText(req, f)])) as unknown as AuditForm;
}

/** The form again as a query string (for the export link and the next page), empty fields left out. */
export function auditFormQuery(form: AuditForm, extra: Record<string, string> = {}): string {
  const q = new URLSearchParams();
  for (const f of AUDIT_FORM_FIELDS) if (form[f]) q.set(f, form[f]);
  for (const [k, v] of Object.entries(extra)) q.set(k, v);
  return q.toString();
}

const DAY = /^(\d{4})-(\d{2})-(\d{2})$/;

/** How far the zone's wall clock is ahead of UTC at this instant, in milliseconds. */
function zoneOffset(instant: number, timeZone: string): number {
  const parts = new Intl.DateTimeFormat('en-US', {
    timeZone, hourCycle: 'h23', year: 'numeric', month: '2-digit', day: '2-digit', hour: '2-digit', minute: '2-digit', second: '2-digit',
  }).formatToParts(new Date(instant));
  const n = (type: string) => Number(parts.find((p) => p.type === type)!.value);
  return Date.UTC(n('year'), n('month') - 1, n('day'), n('hour'), n('minute'), n('second')) - instant;
}

/** The instant a calendar day (YYYY-MM-DD) begins in the time zone; undefined for a malformed or impossible day. */
export function startOfDay(day: string, timeZone: string, addDays = 0): Date | undefined {
  const m = DAY.exec(day);
  if (!m) return undefined;
  const wall = Date.UTC(Number(m[1]), Number(m[2]) - 1, Number(m[3]) + addDays);
  const check = new Date(Date.UTC(Number(m[1]), Number(m[2]) - 1, Number(m[3])));
  if (check.getUTCMonth() !== Number(m[2]) - 1 || check.getUTCDate() !== Number(m[3])) return undefined;
  // the offset at the guess, then again at the result (a change of offset in between moves it)
  let instant = wall - zoneOffset(wall, timeZone);
  instant = wall - zoneOffset(instant, timeZone);
  return new Date(instant);
}

/** The form as the audit module's filter input: "to" includes its whole day. A bad date is named. */
export function filterInput(form: AuditForm, timeZone: string): { input: AuditFilterInput } | { badDate: string } {
  const since = form.from ? startOfDay(form.from, timeZone) : undefined;
  if (form.from && !since) return { badDate: form.from };
  const until = form.to ? startOfDay(form.to, timeZone, 1) : undefined;
  if (form.to && !until) return { badDate: form.to };
  const text = (v: string) => v || undefined;
  // addresses are stored lower-case; other actors ('cli:root', 'api:…') as they are
  const who = (v: string) => text(v.includes('@') ? v.toLowerCase() : v);
  return {
    input: {
      since, until, actor: who(form.actor), action: text(form.action), target: who(form.target),
      agency: text(form.agency), ip: text(form.ip),
    },
  };
}
