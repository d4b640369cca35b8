import type { StoredAuditEvent } from '../../audit/events.js';
import type { ChainCheck } from '../../audit/verify.js';
import type { WebContext } from '../context.js';
import { attrIf, html, type SafeHtml } from '../html.js';
import type { Translate } from '../i18n/catalogue.js';
import { ACTION_CHOICES, auditFormQuery, type AuditForm } from './audit-filter.js';
import { SEC, type SecKey } from './sec-strings.js';

const AUTH_RESULT = /^auth\.([a-z0-9-]+)\.(success|failure)$/;

/** A readable name for an action the console knows (logins of any service, common changes); undefined for the rest. */
export function actionLabel(t: Translate<SecKey>, action: string): string | undefined {
  const auth = AUTH_RESULT.exec(action);
  if (auth) return t(`action.auth.${auth[2] as 'success'}`, { service: auth[1] === 'web' ? 'webmail' : auth[1]!.toUpperCase() });
  const key = `action.${action}` as SecKey;
  const label = t(key);
  return label === key ? undefined : label;
}

/** An action as the log shows it: the label, and the stored code beside it for those who search by it. */
export const actionCell = (t: Translate<SecKey>, action: string): SafeHtml => {
  const label = actionLabel(t, action);
  return label ? html`${label} <code class="code">${action}</code>` : html`<code class="code">${action}</code>`;
};

/** An event's details, compact: the data as one line of JSON. */
export const detailsCell = (data: Record<string, unknown>): SafeHtml =>
  Object.keys(data).length ? html`<code class="json">${JSON.stringify(data)}</code>` : html``;

function filterForm(ctx: WebContext, form: AuditForm): SafeHtml {
  const t = ctx.strings(SEC);
  const field = (name: keyof AuditForm, label: SecKey, type = 'text') =>
    html`<div><label for="f-${name}">${t(label)}</label><input type="${type}" id="f-${name}" name="${name}" value="${form[name]}"></div>`;
  const choices: readonly string[] = ACTION_CHOICES.includes(form.action as never) || !form.action ? ACTION_CHOICES : [form.action, ...ACTION_CHOICES];
  return html`<form method="get" action="/admin/audit" class="filters" role="search">
${field('from', 'audit.from', 'date')}${field('to', 'audit.to', 'date')}${field('actor', 'audit.actor')}
<div><label for="f-action">${t('audit.action')}</label><select id="f-action" name="action"><option value="">${t('audit.action-any')}</option>${choices.map(
    (a) => html`<option value="${a}"${attrIf(a === form.action, 'selected')}>${prefixLabel(t, a)}</option>`,
  )}</select></div>
${field('target', 'audit.target')}${field('agency', 'audit.agency')}${field('ip', 'audit.ip')}
<div class="filter-actions"><button type="submit">${t('common.filter')}</button> <a href="/admin/audit">${t('common.clear')}</a></div>
</form>`;
}

function prefixLabel(t: Translate<SecKey>, choice: string): string {
  const key = `prefix.${choice}` as SecKey;
  const label = t(key);
  return label === key ? choice : `${label} (${choice})`;
}

/** The chain's state: a button to check it, or what the check found. */
function chainPanel(ctx: WebContext, form: AuditForm, chain: { check: ChainCheck; lastId: number; ms: number } | undefined): SafeHtml {
  const t = ctx.strings(SEC);
  const result = !chain
    ? html`<p class="hint">${t('audit.verify-help')}</p>`
    : chain.check.ok
      ? chain.check.events === 0
        ? html`<p class="notice" role="status">${t('audit.chain-empty')}</p>`
        : html`<p class="notice chain-ok" role="status">${t('audit.chain-ok', { id: chain.lastId, count: ctx.format.count(chain.check.events), ms: chain.ms })}${
            chain.check.fromAnchor ? html` ${t('audit.chain-ok-anchor', { id: chain.check.fromAnchor.lastId })}` : ''
          }</p>`
      : html`<p class="error chain-broken" role="alert">${t('audit.chain-broken', { id: chain.check.brokenAt ?? '?', message: chain.check.problem?.message ?? '' })}</p>`;
  return html`<section class="chain" aria-label="${t('audit.chain')}">${result}<a class="button secondary" href="/admin/audit?${auditFormQuery(form, { verify: '1' })}">${t('audit.verify')}</a></section>`;
}

export interface AuditPageData {
  form: AuditForm;
  events: StoredAuditEvent[];
  agencyCodes: Map<number, string>;
  nextCursor: string | null;
  /** this page was reached through "older" */
  paged: boolean;
  chain?: { check: ChainCheck; lastId: number; ms: number } | undefined;
}

/** The audit log page's content: filters, export links, the chain's state, the events and the pager. */
export function auditPage(ctx: WebContext, data: AuditPageData): SafeHtml {
  const t = ctx.strings(SEC);
  const { form } = data;
  const rows = data.events.map(
    (e) => html`<tr>
<td><time datetime="${e.at.toISOString()}">${ctx.format.longDate(e.at)}</time> <span class="muted">#${e.id}</span></td>
<td>${e.actor}</td><td>${actionCell(t, e.action)}</td><td>${e.target ?? ''}</td><td>${e.source ?? ''}</td>
<td>${e.agencyId !== null ? (data.agencyCodes.get(e.agencyId) ?? String(e.agencyId)) : ''}</td><td>${detailsCell(e.data)}</td></tr>`,
  );
  const exportQuery = auditFormQuery(form);
  return html`<h1>${t('audit.title')}</h1>
<p class="muted">${t('audit.intro')}</p>
${filterForm(ctx, form)}
${chainPanel(ctx, form, data.chain)}
<div class="actions"><a class="button" href="/admin/audit/export${exportQuery ? `?${exportQuery}` : ''}" download>${t('audit.export')}</a>
<a class="button secondary" href="/admin/audit/export?${auditFormQuery(form, { excel: '1' })}" download>${t('audit.export-excel')}</a></div>
${data.events.length === 0
    ? html`<p class="muted">${t('common.empty')}</p>`
    : html`<div class="table-wrap"><table class="list audit"><thead><tr><th>${t('audit.col.time')}</th><th>${t('audit.col.actor')}</th><th>${t('audit.col.action')}</th><th>${t('audit.col.target')}</th><th>${t('audit.col.source')}</th><th>${t('audit.col.agency')}</th><th>${t('audit.col.details')}</th></tr></thead>
<tbody>${rows}</tbody></table></div>`}
<nav class="pager"><span class="muted">${t('audit.shown', { count: data.events.length })}</span>${data.paged ? html`<a href="/admin/audit?${exportQuery}">${t('common.newest')}</a>` : ''}${
    data.nextCursor ? html`<a href="/admin/audit?${auditFormQuery(form, { cursor: data.nextCursor })}" rel="next">${t('common.older')}</a>` : ''
  }</nav>`;
}
