import type { FastifyInstance, FastifyReply, FastifyRequest } from 'fastify';
import { appendAudit } from '../../audit/audit-log.js';
import { listSessions, revokeSession, type WebSession } from '../../identity/web-sessions.js';
import { accountOf, type WebContext, type WebmailDeps } from '../context.js';
import { readForm } from '../forms.js';
import { html } from '../html.js';
import { csrfField } from '../layout.js';
import { seeOther } from '../plugin.js';
import { doneUrl, sendSettingsPage } from './frame.js';
import { SETTINGS } from './strings.js';
import { summarizeUserAgent } from './user-agent.js';

function deviceOf(ctx: WebContext, session: WebSession): string {
  const t = ctx.strings(SETTINGS);
  const { browser, os } = summarizeUserAgent(session.userAgent);
  if (browser && os) return t('sessions.on', { browser, os });
  return browser ?? os ?? t('sessions.unknown');
}

/**
 * The account's webmail sessions (when, where from, which browser), this one marked;
 * ending another one; and the button of POST /mail/logout-everywhere (auth/routes.ts).
 */
export function registerSessionSettings(app: FastifyInstance, deps: WebmailDeps): void {
  async function page(req: FastifyRequest, reply: FastifyReply, error?: string) {
    const ctx = req.web;
    const t = ctx.strings(SETTINGS);
    const sessions = (await listSessions(deps.db, accountOf(req).id)).filter((s) => s.stage === 'ready');
    const mine = ctx.session!.id;
    const main = html`<h1>${t('menu.sessions')}</h1>
<div class="card"><p>${t('sessions.help')}</p>
<table class="list sessions"><thead><tr><th>${t('sessions.col-device')}</th><th>${t('sessions.col-ip')}</th><th>${t('sessions.col-created')}</th><th>${t('sessions.col-seen')}</th><th><span class="sr">${t('sessions.end')}</span></th></tr></thead><tbody>
${sessions.map((s) => html`<tr${s.id === mine ? html` class="this"` : ''}><td>${deviceOf(ctx, s)}${s.id === mine ? html` <strong class="tag">${t('sessions.this')}</strong>` : ''}</td>
<td>${s.ip ?? t('sessions.unknown')}</td><td>${ctx.format.longDate(s.createdAt)}</td><td>${ctx.format.longDate(s.lastSeenAt)}</td>
<td>${s.id === mine ? '' : html`<form method="post" action="/mail/settings/sessions/end">${csrfField(ctx)}<input type="hidden" name="session" value="${s.id}"><button type="submit" class="secondary">${t('sessions.end')}</button></form>`}</td></tr>`)}
</tbody></table></div>
<div class="card"><h2>${t('sessions.everywhere-title')}</h2><p>${t('sessions.everywhere-help')}</p>
<form method="post" action="/mail/logout-everywhere" data-confirm="${t('sessions.everywhere-confirm')}">${csrfField(ctx)}<div class="actions"><button type="submit" class="danger">${t('sessions.everywhere')}</button></div></form></div>`;
    return sendSettingsPage(req, reply, { section: 'sessions', main, error, status: error ? 404 : 200 });
  }

  app.get('/mail/settings/sessions', (req, reply) => page(req, reply));

  app.post('/mail/settings/sessions/end', async (req, reply) => {
    const ctx = req.web;
    const account = accountOf(req);
    const id = Number(readForm(req).text('session'));
    // this session is ended with "Log out"; another account's session is not found
    const ended = Number.isSafeInteger(id) && id !== ctx.session!.id && (await revokeSession(deps.db, account.id, id));
    if (!ended) return page(req, reply, ctx.strings(SETTINGS)('sessions.gone'));
    await appendAudit(deps.db, { actor: account.address, action: 'auth.web.session-end', target: account.address, source: ctx.ip, agencyId: account.agencyId ?? undefined, data: { session: id } });
    return seeOther(reply, doneUrl('sessions', 'session-ended'));
  });
}
