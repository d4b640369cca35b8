import type { FastifyInstance, FastifyReply, FastifyRequest } from 'fastify';
import { transaction } from '../../store/db.js';
import { bounceNow, listQueue, retryNow, type QueueEntry } from '../../delivery/queue-admin.js';
import { appendAudit } from '../../audit/audit-log.js';
import type { WebContext, WebmailDeps } from '../context.js';
import { accountOf, PageError } from '../context.js';
import { html, type SafeHtml } from '../html.js';
import { csrfField } from '../layout.js';
import { seeOther } from '../plugin.js';
import { noticeUrl, queryText, requireRoles, sendConsolePage } from './sec-access.js';
import { SEC } from './sec-strings.js';

const SUPERADMIN = ['superadmin'] as const;

function queuePage(ctx: WebContext, entries: readonly QueueEntry[]): SafeHtml {
  const t = ctx.strings(SEC);
  const f = ctx.format;
  const post = (action: string, label: string, confirm?: string) =>
    html`<form method="post" action="${action}" class="inline"${confirm ? html` data-confirm="${confirm}"` : ''}>${csrfField(ctx)}<button type="submit" class="${confirm ? 'danger' : 'secondary'}">${label}</button></form>`;
  // a message's buttons once, on its first recipient's row
  const firstRow = new Set<number>();
  return html`<h1>${t('queue.title')}</h1><p class="muted">${t('queue.intro')}</p>
${entries.length === 0 ? html`<p class="muted">${t('queue.empty')}</p>` : html`<div class="actions">${post('/admin/queue/retry', t('queue.retry-all'))}</div>
<div class="table-wrap"><table class="list queue"><thead><tr><th>${t('queue.col.id')}</th><th>${t('queue.col.from')}</th><th>${t('queue.col.to')}</th><th>${t('queue.col.size')}</th><th>${t('queue.col.attempts')}</th><th>${t('queue.col.error')}</th><th>${t('queue.col.next')}</th><th>${t('queue.col.received')}</th><th></th></tr></thead>
<tbody>${entries.map((e) => {
    const first = !firstRow.has(e.spoolId);
    firstRow.add(e.spoolId);
    return html`<tr><td>${e.spoolId}</td><td>${e.mailFrom || '<>'}</td><td>${e.recipient}</td><td class="num">${f.size(e.size)}</td><td class="num">${e.attempts}</td>
<td>${e.lastCode ? html`<code>${e.lastCode}</code> ${e.lastError ?? ''}` : ''}</td><td>${f.longDate(e.nextAttemptAt)}</td><td>${f.listDate(e.receivedAt)}</td>
<td class="row-actions">${first ? html`${post(`/admin/queue/${e.spoolId}/retry`, t('queue.retry'))} ${post(`/admin/queue/${e.spoolId}/bounce`, t('queue.bounce'), t('queue.bounce-confirm', { id: e.spoolId }))}` : ''}</td></tr>`;
  })}</tbody></table></div>`}`;
}

function spoolId(ctx: WebContext, value: string): number {
  const id = Number(value);
  if (!/^\d{1,15}$/.test(value) || id <= 0) throw new PageError(404, ctx.t('error.not-found'));
  return id;
}

/** Superadmins: mail waiting for remote delivery, retried now or bounced to its sender (as `hopthu queue`). */
export function registerQueuePages(app: FastifyInstance, deps: WebmailDeps): void {
  app.get('/admin/queue', { config: { access: 'console' } }, async (req, reply) => {
    await requireRoles(req, SUPERADMIN);
    const t = req.web.strings(SEC);
    const done = queryText(req, 'done');
    const count = Number(queryText(req, 'count')) || 0;
    const id = queryText(req, 'id');
    const notice = done === 'retried' ? t('queue.retried', { count })
      : done === 'bounced' ? t('queue.bounced', { count, id: Number(id) || 0 }) : undefined;
    return sendConsolePage(req, reply, { title: t('queue.title'), menuPath: '/admin/queue', main: queuePage(req.web, await listQueue(deps.db)), notice });
  });

  const retry = (all: boolean) => async (req: FastifyRequest, reply: FastifyReply) => {
    await requireRoles(req, SUPERADMIN);
    const id = all ? undefined : spoolId(req.web, (req.params as { id: string }).id);
    const ids = await retryNow(deps.db, id);
    // the worker picks them up from the delivery queue at once
    for (const touched of ids) await deps.queue.runNow(touched);
    if (ids.length) await appendAudit(deps.db, { actor: accountOf(req).address, action: 'queue.retry', target: id === undefined ? 'all' : String(id), source: req.web.ip, data: { messages: ids, via: 'web' } });
    return seeOther(reply, noticeUrl('/admin/queue', { done: 'retried', count: ids.length }));
  };
  app.post('/admin/queue/retry', { config: { access: 'console' } }, retry(true));
  app.post('/admin/queue/:id/retry', { config: { access: 'console' } }, retry(false));

  app.post<{ Params: { id: string } }>('/admin/queue/:id/bounce', { config: { access: 'console' } }, async (req, reply) => {
    await requireRoles(req, SUPERADMIN);
    const t = req.web.strings(SEC);
    const id = spoolId(req.web, req.params.id);
    const count = await transaction(deps.db, async (client) => {
      const n = await bounceNow(client, id, t('queue.bounce-reason'));
      if (n) await appendAudit(client, { actor: accountOf(req).address, action: 'queue.bounce', target: String(id), source: req.web.ip, data: { recipients: n, via: 'web' } });
      return n;
    });
    if (!count) throw new PageError(404, t('queue.nothing', { id }));
    // the worker sees the failed recipients and sends the sender one delivery status notification
    await deps.queue.runNow(id);
    return seeOther(reply, noticeUrl('/admin/queue', { done: 'bounced', count, id }));
  });
}
