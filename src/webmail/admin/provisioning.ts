import type { FastifyInstance, FastifyReply, FastifyRequest } from 'fastify';
import { UserError } from '../../shared/errors.js';
import { listRuns, planOfRun, runForPlan } from '../../provisioning/runs.js';
import { planFromSnapshot, readSource } from '../../provisioning/service.js';
import { readSpreadsheetBytes } from '../../provisioning/spreadsheet-source.js';
import type { SourceSnapshot } from '../../provisioning/source.js';
import type { PlanItem, PlanOp } from '../../provisioning/plan-types.js';
import type { WebContext, WebmailDeps } from '../context.js';
import { readForm } from '../forms.js';
import { html, type SafeHtml } from '../html.js';
import { csrfField, renderPage } from '../layout.js';
import { seeOther, sendPage } from '../plugin.js';
import { consoleMenu } from './menu.js';
import { HR_STRINGS } from './hr-strings.js';
import { scopesWith } from './accounts-scope.js';
import { hrErrorText, PAGE_SIZE, pageNumber, pager } from './accounts-view.js';
import { PROVISIONING_ROLES, runsVisibleTo, visibleRun } from './provisioning-scope.js';
import { planWithinScopes } from '../../provisioning/scope.js';
import { registerProvisioningJobs } from './provisioning-jobs.js';

const OPS: readonly PlanOp[] = [
  'agency.create', 'agency.rename', 'agency.move', 'agency.complete', 'address.release', 'account.adopt', 'account.create',
  'account.update', 'account.move', 'account.enable', 'account.disable', 'group.create', 'group.members',
];
const isOp = (v: unknown): v is PlanOp => typeof v === 'string' && (OPS as readonly string[]).includes(v);

/** What an item changes, in one line: its target and, for a change, from and to. */
function itemCells(ctx: WebContext, item: PlanItem): [string, SafeHtml | string] {
  const t = ctx.strings(HR_STRINGS);
  const arrow = (from: string | null, to: string | null) => `${from ?? '—'} → ${to ?? '—'}`;
  switch (item.op) {
    case 'agency.create':
      return [item.code, `${item.name}${item.parentCode ? ` · ${t('plan.under', { code: item.parentCode })}` : ''}`];
    case 'agency.rename':
      return [item.code, arrow(item.from, item.to)];
    case 'agency.move':
      return [item.code, arrow(item.fromParentCode, item.toParentCode)];
    case 'agency.complete':
      return [item.code, [item.mailbox, item.staffGroup].filter(Boolean).join(', ')];
    case 'account.create':
      return [item.address, html`${item.displayName}${item.title ? html` <span class="muted">· ${item.title}</span>` : ''} · ${item.agencyCode ?? '—'}`];
    case 'account.update':
      return [item.address, [item.displayName.from !== item.displayName.to ? arrow(item.displayName.from, item.displayName.to) : '', item.title.from !== item.title.to ? arrow(item.title.from, item.title.to) : ''].filter(Boolean).join('; ')];
    case 'account.move':
      return [item.address, arrow(item.fromAgencyCode, item.toAgencyCode)];
    case 'group.create':
      return [item.address, item.name];
    case 'group.members':
      return [item.address, `+${item.add.length} −${item.remove.length}`];
    default:
      return [item.address, ''];
  }
}

/**
 * Provisioning in the console: upload an HR sheet (CSV or XLSX) or run the directory
 * sync, review the plan (counts, refused rows, warnings, the items 50 a page), apply it;
 * the apply job's progress and the activation sheets are in provisioning-jobs.ts.
 */
export function registerProvisioningPages(app: FastifyInstance, deps: WebmailDeps): void {
  async function startPage(req: FastifyRequest, reply: FastifyReply, error?: string, status = 200) {
    const ctx = req.web;
    const t = ctx.strings(HR_STRINGS);
    const scopes = await scopesWith(ctx, PROVISIONING_ROLES);
    const runs = runsVisibleTo(ctx, scopes, await listRuns(deps.db, 50));
    const main = html`<h1>${t('prov.title')}</h1>
<form class="card" method="post" action="/admin/provisioning/plan" enctype="multipart/form-data">${csrfField(ctx)}
<h2>${t('prov.upload')}</h2>
<p class="hint">${t('prov.upload-help', { columns: Object.values(deps.config.provisioning.spreadsheet.columns).join(', ') })}</p>
<label for="sheet">${t('prov.file')}</label><input id="sheet" name="sheet" type="file" accept=".csv,.txt,.xlsx,text/csv,application/vnd.openxmlformats-officedocument.spreadsheetml.sheet" required>
<div class="actions"><button type="submit">${t('prov.make-plan')}</button></div>
</form>
${deps.config.provisioning.ldap
  ? html`<form class="card" method="post" action="/admin/provisioning/sync">${csrfField(ctx)}<h2>${t('prov.ldap')}</h2><p class="hint">${t('prov.ldap-help')}</p><div class="actions"><button type="submit">${t('prov.ldap-run')}</button></div></form>`
  : ''}
<h2>${t('prov.runs')}</h2>
${runs.length
  ? html`<table class="list"><thead><tr><th>${t('prov.run')}</th><th>${t('prov.source')}</th><th>${t('prov.by')}</th><th>${t('prov.status')}</th><th>${t('prov.when')}</th></tr></thead><tbody>
${runs.map((r) => html`<tr><td><a href="/admin/provisioning/${r.status === 'pending' ? 'runs' : 'jobs'}/${r.id}">#${r.id}</a></td><td>${r.source}</td><td>${r.actor}</td><td>${t(`run.${r.status}`)} ${r.status === 'running' ? `${r.percent}%` : ''}</td><td>${ctx.format.longDate(r.createdAt)}</td></tr>`)}
</tbody></table>`
  : html`<p class="muted">${t('prov.no-runs')}</p>`}`;
    return sendPage(reply, await renderPage(ctx, { title: t('prov.title'), section: 'admin', current: 'admin', sidebar: await consoleMenu(ctx, '/admin/provisioning'), main, error }), status);
  }

  /** Plans the snapshot, limits it to an HR officer's agencies, stores it as a run and shows it for review. */
  async function planAndReview(req: FastifyRequest, reply: FastifyReply, read: () => Promise<SourceSnapshot>) {
    const ctx = req.web;
    const t = ctx.strings(HR_STRINGS);
    const scopes = await scopesWith(ctx, PROVISIONING_ROLES);
    try {
      const snapshot = await read();
      const plan = await planWithinScopes(deps.db, await planFromSnapshot(deps.db, deps.config, snapshot), snapshot, scopes, {
        outside: (code, address) => t('plan.outside', { code: code ?? '—', address }),
      });
      const run = await runForPlan(deps.db, plan, ctx.account!.address);
      return seeOther(reply, `/admin/provisioning/runs/${run.id}`);
    } catch (err) {
      if (err instanceof UserError) return startPage(req, reply, hrErrorText(ctx, err), 400);
      throw err;
    }
  }

  app.get('/admin/provisioning', { config: { access: 'console' } }, (req, reply) => startPage(req, reply));

  app.post('/admin/provisioning/plan', { config: { access: 'console' } }, async (req, reply) => {
    const t = req.web.strings(HR_STRINGS);
    await scopesWith(req.web, PROVISIONING_ROLES);
    const [file] = readForm(req).files('sheet');
    if (!file) return startPage(req, reply, t('prov.no-file'), 400);
    return planAndReview(req, reply, () => readSpreadsheetBytes(file.content, file.filename, deps.config.provisioning.spreadsheet));
  });

  app.post('/admin/provisioning/sync', { config: { access: 'console' } }, async (req, reply) => {
    await scopesWith(req.web, PROVISIONING_ROLES);
    return planAndReview(req, reply, () => readSource(deps.config, 'ldap'));
  });

  app.get('/admin/provisioning/runs/:id', { config: { access: 'console' } }, async (req, reply) => {
    const ctx = req.web;
    const t = ctx.strings(HR_STRINGS);
    const { run } = await visibleRun(ctx, (req.params as { id: string }).id);
    const plan = await planOfRun(deps.db, run.id);
    const query = req.query as Record<string, string | undefined>;
    const op = isOp(query.op) ? query.op : undefined;
    const page = pageNumber(query.page);
    const shown = op ? plan.items.filter((i) => i.op === op) : plan.items;
    const href = (n: number) => `/admin/provisioning/runs/${run.id}?${new URLSearchParams({ ...(op ? { op } : {}), page: String(n) })}`;
    const counts = OPS.filter((o) => plan.counts[o]);
    const cap = <T>(list: readonly T[]) => list.slice(0, 200);
    // the sources name rows "row 7" (a directory entry by its DN): shown in the page's language, in row order
    const rowNumber = (origin: string) => Number(/^row (\d+)$/.exec(origin)?.[1] ?? Infinity);
    const rowLabel = (origin: string) => (Number.isFinite(rowNumber(origin)) ? t('plan.row-n', { n: rowNumber(origin) }) : origin);
    const byRow = <T extends { origin: string }>(list: readonly T[]) => [...list].sort((a, b) => rowNumber(a.origin) - rowNumber(b.origin));
    const main = html`<p class="muted"><a href="/admin/provisioning">${t('prov.title')}</a> ›</p>
<h1>${t('plan.title', { id: run.id })}</h1>
<p>${t('plan.source', { source: run.source, by: run.actor, when: ctx.format.longDate(run.createdAt) })} · <strong>${t(`run.${run.status}`)}</strong></p>
<section class="stats" aria-label="${t('plan.counts')}">
${counts.map((o) => html`<a class="stat${o === op ? ' on' : ''}" href="/admin/provisioning/runs/${run.id}?op=${o}"><span class="n">${ctx.format.count(plan.counts[o]!)}</span>${t(`op.${o}`)}</a>`)}
<span class="stat${plan.problems.length ? ' warn' : ''}"><span class="n">${ctx.format.count(plan.problems.length)}</span>${t('plan.problems')}</span>
<span class="stat"><span class="n">${ctx.format.count(plan.warnings.length)}</span>${t('plan.warnings')}</span>
</section>
${plan.disable.exceeded ? html`<p class="error" role="alert">${t('plan.mass-disable', { count: plan.disable.count, of: plan.disable.ofActive, max: Math.round(plan.disable.maxShare * 100) })}</p>` : ''}
${run.status === 'pending' || run.status === 'failed'
  ? html`<form class="card apply" method="post" action="/admin/provisioning/runs/${run.id}/apply">${csrfField(ctx)}
<p>${plan.items.length ? t('plan.apply-help', { count: ctx.format.count(plan.items.length) }) : t('plan.nothing')}</p>
${plan.disable.exceeded ? html`<label class="check"><input type="checkbox" name="allowMassDisable" value="1"> ${t('plan.allow-mass-disable')}</label>` : ''}
${plan.items.length ? html`<div class="actions"><button type="submit">${t('plan.apply')}</button></div>` : ''}
</form>`
  : html`<p><a class="button" href="/admin/provisioning/jobs/${run.id}">${t('plan.progress')}</a></p>`}
${plan.problems.length
  ? html`<h2>${t('plan.problems')}</h2><table class="list problems"><thead><tr><th>${t('plan.row')}</th><th>${t('plan.reason')}</th></tr></thead><tbody>
${cap(byRow(plan.problems)).map((p) => html`<tr><td>${rowLabel(p.origin)}</td><td>${p.reason}</td></tr>`)}</tbody></table>${plan.problems.length > 200 ? html`<p class="muted">${t('plan.more', { count: plan.problems.length - 200 })}</p>` : ''}`
  : ''}
${plan.warnings.length ? html`<h2>${t('plan.warnings')}</h2><ul class="warnings">${cap(plan.warnings).map((w) => html`<li>${w.message}</li>`)}</ul>` : ''}
<h2>${op ? t(`op.${op}`) : t('plan.items')}${op ? html` <a class="muted" href="/admin/provisioning/runs/${run.id}">${t('plan.all-items')}</a>` : ''}</h2>
${shown.length
  ? html`<table class="list items"><thead><tr><th>${t('plan.change')}</th><th>${t('plan.target')}</th><th>${t('plan.detail')}</th></tr></thead><tbody>
${shown.slice((page - 1) * PAGE_SIZE, page * PAGE_SIZE).map((i) => {
  const [target, detail] = itemCells(ctx, i);
  return html`<tr><td>${t(`op.${i.op}`)}</td><td>${target}</td><td>${detail}</td></tr>`;
})}</tbody></table>${pager(ctx, page, shown.length, href)}`
  : html`<p class="muted">${t('plan.no-items')}</p>`}`;
    return sendPage(reply, await renderPage(ctx, { title: t('plan.title', { id: run.id }), section: 'admin', current: 'admin', sidebar: await consoleMenu(ctx, '/admin/provisioning'), main }));
  });

  registerProvisioningJobs(app, deps);
}
