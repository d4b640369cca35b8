import type { FastifyInstance, FastifyReply, FastifyRequest } from 'fastify';
import { APP_PASSWORD_SCOPES, createAppPassword, listAppPasswords, revokeAppPassword, type AppPasswordScope } from '../../identity/app-passwords.js';
import { clientSettingsOf } from '../../client-setup/settings.js';
import { accountOf, type WebContext, type WebmailDeps } from '../context.js';
import { readForm } from '../forms.js';
import { attrIf, html, type SafeHtml } from '../html.js';
import { csrfField } from '../layout.js';
import { seeOther } from '../plugin.js';
import { attempt, byMe, doneUrl, sendSettingsPage } from './frame.js';
import { keepForOneView, takeOneView } from './one-view.js';
import { SETTINGS } from './strings.js';

/** A new app password as it waits for its one view. */
interface CreatedAppPassword {
  name: string;
  secret: string;
}

const SCOPE_LABEL = { imap: 'app.scope-imap', smtp: 'app.scope-smtp' } as const;

/** The new password once, in groups of four to type on a phone, with what the mail program needs besides. */
function createdCard(ctx: WebContext, created: CreatedAppPassword): SafeHtml {
  const t = ctx.strings(SETTINGS);
  const server = clientSettingsOf(ctx.deps.config);
  return html`<section class="card created" aria-labelledby="created-title"><h2 id="created-title">${t('app.created-title', { name: created.name })}</h2>
<p class="warning" role="alert">${t('app.created-warning')}</p>
<p><code class="app-secret" id="app-secret">${created.secret.split('-').map((g, i) => html`${i ? ' ' : ''}<span>${g}</span>`)}</code>
<button type="button" class="secondary" data-copy="app-secret" hidden>${t('codes.copy')}</button></p>
<h3>${t('app.settings-title')}</h3>
<dl class="client-settings">
<dt>${t('app.username')}</dt><dd><code>${ctx.account!.address}</code></dd>
<dt>${t('app.incoming')}</dt><dd>${t('app.server', { host: server.host, port: server.imaps })}</dd>
<dt>${t('app.outgoing')}</dt><dd>${t('app.server', { host: server.host, port: server.submissions })}</dd>
</dl>${appleProfileLink(ctx)}</section>`;
}

/** iPhone, iPad and Mac set the account up from a configuration profile (client-setup/apple-profile.ts). */
const appleProfileLink = (ctx: WebContext) =>
  html`<p><a class="button secondary" href="/.well-known/apple-mail.mobileconfig?address=${encodeURIComponent(ctx.account!.address)}" download>${ctx.strings(SETTINGS)('app.apple-profile')}</a> <span class="hint">${ctx.strings(SETTINGS)('app.apple-profile-hint')}</span></p>`;

/**
 * App passwords for mail programs: made with a name and scopes (IMAP, SMTP), shown once
 * with the server names and ports; listed with when they were made and last used; revoked.
 */
export function registerAppPasswordSettings(app: FastifyInstance, deps: WebmailDeps): void {
  async function page(req: FastifyRequest, reply: FastifyReply, state: { error?: string; name?: string; scopes?: readonly string[] } = {}) {
    const ctx = req.web;
    const t = ctx.strings(SETTINGS);
    const account = accountOf(req);
    const created = state.error ? undefined : await takeOneView<CreatedAppPassword>(deps, ctx.session!.id, (req.query as { shown?: string }).shown);
    const list = await listAppPasswords(deps.db, account.id);
    const scopes = state.scopes ?? APP_PASSWORD_SCOPES;
    const main = html`<h1>${t('menu.app-passwords')}</h1>
${created ? createdCard(ctx, created) : ''}
<div class="card"><p>${t('app.help')}</p>${appleProfileLink(ctx)}<h2>${t('app.list-title')}</h2>
${list.length
  ? html`<table class="list"><thead><tr><th>${t('app.col-name')}</th><th>${t('app.col-scopes')}</th><th>${t('app.col-created')}</th><th>${t('app.col-used')}</th><th><span class="sr">${t('app.revoke')}</span></th></tr></thead><tbody>
${list.map((p) => html`<tr><td>${p.name}</td><td>${p.scopes.map((s) => t(SCOPE_LABEL[s])).join(', ')}</td><td>${ctx.format.longDate(p.createdAt)}</td>
<td>${p.lastUsedAt ? html`${ctx.format.longDate(p.lastUsedAt)}${p.lastUsedIp ? html` <span class="muted">${t('app.from-ip', { ip: p.lastUsedIp })}</span>` : ''}` : html`<span class="muted">${t('app.never')}</span>`}</td>
<td><form method="post" action="/mail/settings/app-passwords/revoke" data-confirm="${t('app.revoke-confirm')}">${csrfField(ctx)}<input type="hidden" name="name" value="${p.name}"><button type="submit" class="danger">${t('app.revoke')}</button></form></td></tr>`)}
</tbody></table>`
  : html`<p class="muted">${t('app.none')}</p>`}</div>
<div class="card"><h2>${t('app.create-title')}</h2>
<form method="post" action="/mail/settings/app-passwords">${csrfField(ctx)}
<label for="name">${t('app.name')}</label><input id="name" name="name" type="text" maxlength="64" required value="${state.name ?? ''}" autocomplete="off">
<p class="hint">${t('app.name-hint')}</p>
<fieldset><legend>${t('app.scopes')}</legend>
${APP_PASSWORD_SCOPES.map((s) => html`<label class="check"><input type="checkbox" name="scope" value="${s}"${attrIf(scopes.includes(s), 'checked')}> ${t(SCOPE_LABEL[s])}</label>`)}
</fieldset>
<div class="actions"><button type="submit">${t('app.create')}</button></div></form></div>`;
    return sendSettingsPage(req, reply, { section: 'app-passwords', main, error: state.error, status: state.error ? 400 : 200 });
  }

  app.get('/mail/settings/app-passwords', (req, reply) => page(req, reply));

  app.post('/mail/settings/app-passwords', async (req, reply) => {
    const ctx = req.web;
    const account = accountOf(req);
    const form = readForm(req);
    const name = form.text('name');
    const scopes = form.texts('scope').filter((s): s is AppPasswordScope => (APP_PASSWORD_SCOPES as readonly string[]).includes(s));
    if (!scopes.length) return page(req, reply, { error: ctx.strings(SETTINGS)('app.no-scope'), name, scopes });
    let secret = '';
    let stored = name;
    const error = await attempt(ctx, async () => {
      const made = await createAppPassword(deps.db, account, { name, scopes }, byMe(ctx));
      secret = made.secret;
      stored = made.appPassword.name;
    });
    if (error) return page(req, reply, { error, name, scopes });
    const shown = await keepForOneView(deps, ctx.session!.id, { name: stored, secret } satisfies CreatedAppPassword);
    return seeOther(reply, `/mail/settings/app-passwords?shown=${shown}`);
  });

  app.post('/mail/settings/app-passwords/revoke', async (req, reply) => {
    const ctx = req.web;
    const error = await attempt(ctx, () => revokeAppPassword(deps.db, accountOf(req), readForm(req).text('name'), byMe(ctx)));
    if (error) return page(req, reply, { error });
    return seeOther(reply, doneUrl('app-passwords', 'app-revoked'));
  });
}
