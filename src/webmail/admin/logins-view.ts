import type { FailedLoginSummary, FailureTally } from '../../audit/failed-logins.js';
import type { StoredAuditEvent } from '../../audit/events.js';
import type { CurrentLock } from '../../identity/lockout.js';
import type { WebContext } from '../context.js';
import { attrIf, html, type SafeHtml } from '../html.js';
import { csrfField } from '../layout.js';
import { SEC } from './sec-strings.js';

/** The periods the lockout view looks back over, in hours. */
export const WINDOWS = [1, 24, 168] as const;
export type LoginsWindow = (typeof WINDOWS)[number];

const historyHref = (address: string) => `/admin/logins/${encodeURIComponent(address)}`;

function unlockForm(ctx: WebContext, address: string, back: 'list' | 'history'): SafeHtml {
  return html`<form method="post" action="/admin/logins/unlock" class="inline">${csrfField(ctx)}<input type="hidden" name="address" value="${address}"><input type="hidden" name="back" value="${back}"><button type="submit" class="secondary">${ctx.strings(SEC)('logins.unlock')}</button></form>`;
}

function locksSection(ctx: WebContext, locks: readonly CurrentLock[], unlockable: ReadonlySet<string>): SafeHtml {
  const t = ctx.strings(SEC);
  if (locks.length === 0) return html`<p class="muted">${t('logins.no-locks')}</p>`;
  return html`<table class="list locks"><tbody>${locks.map(
    (l) => html`<tr><td>${t(l.by === 'account' ? 'logins.lock-account' : 'logins.lock-ip')}</td>
<td>${l.by === 'account' ? html`<a href="${historyHref(l.subject)}">${l.subject}</a>` : l.subject}</td>
<td>${t('logins.remaining', { minutes: Math.ceil(l.remainingSeconds / 60) })}</td>
<td>${l.by === 'account' && unlockable.has(l.subject) ? unlockForm(ctx, l.subject, 'list') : ''}</td></tr>`,
  )}</tbody></table>`;
}

function tallyTable(ctx: WebContext, rows: readonly FailureTally[], kind: 'account' | 'ip'): SafeHtml {
  const t = ctx.strings(SEC);
  if (rows.length === 0) return html`<p class="muted">${t('logins.none')}</p>`;
  return html`<table class="list tally-${kind}"><thead><tr><th>${t(kind === 'account' ? 'logins.col.account' : 'logins.col.ip')}</th><th>${t('logins.col.failures')}</th><th>${t('logins.col.lockouts')}</th><th>${t(kind === 'account' ? 'logins.col.ips' : 'logins.col.accounts')}</th><th>${t('logins.col.last')}</th></tr></thead>
<tbody>${rows.map(
    (r) => html`<tr><td>${kind === 'account' && r.key.includes('@') ? html`<a href="${historyHref(r.key)}">${r.key}</a>` : r.key}</td><td class="num">${ctx.format.count(r.failures)}</td><td class="num">${ctx.format.count(r.lockouts)}</td><td class="num">${ctx.format.count(r.others)}</td><td>${ctx.format.longDate(r.last)}</td></tr>`,
  )}</tbody></table>`;
}

/** The lockout view: the period chooser, the locks in force, failures by account and by IP. */
export function loginsPage(ctx: WebContext, data: { hours: LoginsWindow; summary: FailedLoginSummary; locks: readonly CurrentLock[]; unlockable: ReadonlySet<string> }): SafeHtml {
  const t = ctx.strings(SEC);
  return html`<h1>${t('logins.title')}</h1>
<form method="get" action="/admin/logins" class="filters inline-form"><label for="hours">${t('logins.window')}</label>
<select id="hours" name="hours">${WINDOWS.map((h) => html`<option value="${h}"${attrIf(h === data.hours, 'selected')}>${t(`logins.window.${h}`)}</option>`)}</select>
<button type="submit">${t('common.filter')}</button></form>
<h2>${t('logins.locked-now')}</h2>${locksSection(ctx, data.locks, data.unlockable)}
<div class="columns"><section><h2>${t('logins.by-account')}</h2>${tallyTable(ctx, data.summary.byAccount, 'account')}</section>
<section><h2>${t('logins.by-ip')}</h2>${tallyTable(ctx, data.summary.byIp, 'ip')}</section></div>`;
}

function result(action: string): 'success' | 'failure' | 'lockout' | 'other' {
  if (action === 'auth.lockout') return 'lockout';
  if (action.endsWith('.success')) return 'success';
  if (action.endsWith('.failure')) return 'failure';
  return 'other';
}

/** One account's logins: successes, failures and lockouts with service, IP and time. */
export function historyPage(
  ctx: WebContext,
  data: { address: string; events: readonly StoredAuditEvent[]; nextCursor: string | null; paged: boolean; lockedSeconds: number; mayUnlock: boolean },
): SafeHtml {
  const t = ctx.strings(SEC);
  const here = historyHref(data.address);
  const rows = data.events.map((e) => {
    const r = result(e.action);
    const service = typeof e.data.service === 'string' ? e.data.service : (/^auth\.([a-z0-9-]+)\./.exec(e.action)?.[1] ?? '');
    const reason = [e.data.reason, e.data.why, e.data.by].filter((v) => typeof v === 'string').join(' · ');
    return html`<tr class="result-${r}"><td>${ctx.format.longDate(e.at)}</td><td>${t(`logins.result.${r}`)}</td><td>${service}</td><td>${e.source ?? ''}</td><td>${reason}</td></tr>`;
  });
  return html`<h1>${t('logins.history', { address: data.address })}</h1>
${data.lockedSeconds > 0 ? html`<div class="error" role="alert">${t('logins.is-locked', { minutes: Math.ceil(data.lockedSeconds / 60) })} ${data.mayUnlock ? unlockForm(ctx, data.address, 'history') : ''}</div>` : ''}
${rows.length === 0
    ? html`<p class="muted">${t('common.empty')}</p>`
    : html`<table class="list history"><thead><tr><th>${t('audit.col.time')}</th><th>${t('logins.col.result')}</th><th>${t('logins.col.service')}</th><th>${t('logins.col.ip')}</th><th>${t('logins.col.reason')}</th></tr></thead><tbody>${rows}</tbody></table>`}
<nav class="pager">${data.paged ? html`<a href="${here}">${t('common.newest')}</a>` : ''}${data.nextCursor ? html`<a href="${here}?cursor=${encodeURIComponent(data.nextCursor)}" rel="next">${t('common.older')}</a>` : ''}</nav>`;
}
