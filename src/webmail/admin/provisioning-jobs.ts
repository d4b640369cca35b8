import type { FastifyInstance } from 'fastify';
import { applyJobId, enqueueApply, sharedProvisioningQueue } from '../../provisioning/job.js';
import { credentialsCsv, credentialsHtml, runCredentials } from '../../provisioning/credentials.js';
import { getRun } from '../../provisioning/runs.js';
import { findAgency } from '../../identity/agencies.js';
import { PageError, type WebmailDeps } from '../context.js';
import { readForm } from '../forms.js';
import { html } from '../html.js';
import { csrfField, renderPage } from '../layout.js';
import { seeOther, sendPage } from '../plugin.js';
import { consoleMenu } from './menu.js';
import { HR_STRINGS } from './hr-strings.js';
import { visibleRun } from './provisioning-scope.js';
import { agencyCodesInReach } from '../../provisioning/scope.js';

/** What the progress page and its JSON say about a run's apply job. */
type JobState = 'not-started' | 'waiting' | 'running' | 'done' | 'failed';

/**
 * Applying a reviewed plan: the apply runs as the provisioning module's BullMQ job (on a
 * worker role), its page shows a <progress> bar that the browser reloads every 2 seconds
 * while the job runs (the HTTP Refresh header: no script needed), a JSON status for
 * scripts, and, once done, the activation sheets per agency (CSV, or HTML to print).
 */
export function registerProvisioningJobs(app: FastifyInstance, deps: WebmailDeps): void {
  const jobs = () => sharedProvisioningQueue(deps.redis, deps.config.redisPrefix);

  async function stateOf(runId: number): Promise<{ state: JobState; percent: number; done: number; total: number; error: string | null }> {
    const run = await getRun(deps.db, runId);
    let state: JobState = run.status === 'done' ? 'done' : run.status === 'failed' ? 'failed' : run.status === 'running' ? 'running' : 'not-started';
    if (state === 'not-started' && (await jobs().getJob(applyJobId(runId)))) state = 'waiting';
    return { state, percent: run.status === 'done' ? 100 : run.percent, done: run.doneItems, total: run.totalItems, error: run.error };
  }

  app.post('/admin/provisioning/runs/:id/apply', { config: { access: 'console' } }, async (req, reply) => {
    const ctx = req.web;
    const { run } = await visibleRun(ctx, (req.params as { id: string }).id);
    if (run.status === 'pending' || run.status === 'failed') {
      await enqueueApply(jobs(), { runId: run.id, actor: ctx.account!.address, source: ctx.ip, allowMassDisable: readForm(req).checked('allowMassDisable') });
    }
    return seeOther(reply, `/admin/provisioning/jobs/${run.id}`);
  });

  app.get('/admin/provisioning/jobs/:id/status', { config: { access: 'console' } }, async (req, reply) => {
    const { run } = await visibleRun(req.web, (req.params as { id: string }).id);
    return reply.header('Cache-Control', 'no-store').send(await stateOf(run.id));
  });

  app.get('/admin/provisioning/jobs/:id', { config: { access: 'console' } }, async (req, reply) => {
    const ctx = req.web;
    const t = ctx.strings(HR_STRINGS);
    const { run, scopes } = await visibleRun(ctx, (req.params as { id: string }).id);
    const s = await stateOf(run.id);
    // the HTML standard's Refresh header: the browser reloads the page as for <meta http-equiv=refresh>
    if (s.state === 'waiting' || s.state === 'running') reply.header('Refresh', '2');
    const reach = await agencyCodesInReach(deps.db, scopes);
    const credentials = s.state === 'done' ? (await runCredentials(deps.db, run.id)).filter((c) => !reach || (c.agencyCode !== null && reach.has(c.agencyCode.toUpperCase()))) : [];
    const byAgency = new Map<string, { name: string; count: number }>();
    for (const c of credentials) if (c.agencyCode) byAgency.set(c.agencyCode, { name: c.agencyName ?? c.agencyCode, count: (byAgency.get(c.agencyCode)?.count ?? 0) + 1 });
    const sheets = `/admin/provisioning/runs/${run.id}/credentials`;
    const main = html`<p class="muted"><a href="/admin/provisioning">${t('prov.title')}</a> › <a href="/admin/provisioning/runs/${run.id}">${t('plan.title', { id: run.id })}</a></p>
<h1>${t('job.title', { id: run.id })}</h1>
<div class="card job" data-status-url="/admin/provisioning/jobs/${run.id}/status">
<label for="progress">${t(`job.${s.state}`)}</label>
<progress id="progress" max="100" value="${s.percent}">${s.percent}%</progress>
<p><strong class="percent">${s.percent}%</strong> · ${t('job.items', { done: ctx.format.count(s.done), total: ctx.format.count(s.total) })}</p>
${s.error ? html`<p class="error" role="alert">${s.error}</p>` : ''}
${s.state === 'failed' || s.state === 'not-started'
  ? html`<form method="post" action="/admin/provisioning/runs/${run.id}/apply">${csrfField(ctx)}<button type="submit">${t(s.state === 'failed' ? 'job.retry' : 'plan.apply')}</button></form>`
  : ''}
</div>
${s.state === 'done'
  ? html`<h2>${t('job.sheets')}</h2>
${byAgency.size
  ? html`<table class="list sheets"><thead><tr><th>${t('account.agency')}</th><th>${t('job.new-accounts')}</th><th>${t('job.download')}</th></tr></thead><tbody>
${[...byAgency].map(([code, a]) => html`<tr><td>${a.name} (${code})</td><td>${ctx.format.count(a.count)}</td><td><a href="${sheets}.csv?agency=${encodeURIComponent(code)}" download>CSV</a> · <a href="${sheets}.html?agency=${encodeURIComponent(code)}">${t('job.print')}</a></td></tr>`)}
</tbody></table>`
  : html`<p class="muted">${t('job.no-sheets')}</p>`}`
  : ''}`;
    return sendPage(reply, await renderPage(ctx, { title: t('job.title', { id: run.id }), section: 'admin', current: 'admin', sidebar: await consoleMenu(ctx, '/admin/provisioning'), main }));
  });

  for (const format of ['csv', 'html'] as const) app.get(`/admin/provisioning/runs/:id/credentials.${format}`, { config: { access: 'console' } }, async (req, reply) => {
    const ctx = req.web;
    const { run, scopes } = await visibleRun(ctx, (req.params as { id: string }).id);
    const code = (req.query as { agency?: string }).agency;
    const agency = code ? await findAgency(deps.db, code) : undefined;
    const reach = await agencyCodesInReach(deps.db, scopes);
    if ((code && !agency) || (reach && (!agency || !reach.has(agency.code.toUpperCase())))) throw new PageError(404, ctx.t('error.not-found'));
    const list = await runCredentials(deps.db, run.id, agency?.code);
    const name = `kich-hoat-${run.id}${agency ? `-${agency.code}` : ''}`;
    reply.header('Cache-Control', 'no-store');
    if (format === 'csv') {
      return reply.type('text/csv; charset=utf-8').header('Content-Disposition', `attachment; filename="${name}.csv"`).send(credentialsCsv(list));
    }
    // the printable sheet is the provisioning module's own document with its own <style>: no scripts, styles inline only
    return reply
      .type('text/html; charset=utf-8')
      .header('Content-Security-Policy', "default-src 'none'; style-src 'unsafe-inline'; frame-ancestors 'none'; base-uri 'none'; form-action 'none'")
      .header('Content-Disposition', `inline; filename="${name}.html"`)
      .send(credentialsHtml(list, { runId: run.id }));
  });
}
