import type { FastifyInstance, FastifyReply, FastifyRequest } from 'fastify';
import { findDomain } from '../../identity/domains.js';
import { changeOwnPassword } from '../../identity/password-change.js';
import type { Account } from '../../identity/accounts.js';
import { revokeAllSessions } from '../../identity/web-sessions.js';
import { accountOf, type WebmailDeps } from '../context.js';
import { readForm } from '../forms.js';
import { html } from '../html.js';
import { csrfField } from '../layout.js';
import { seeOther } from '../plugin.js';
import { attempt, doneUrl, sendSettingsPage } from './frame.js';
import { SETTINGS } from './strings.js';

/**
 * The person changes their own password: the current one, then the new one twice under
 * the policy. Every other webmail session of the account ends (one whose password leaked
 * is shut out); this one stays, and the page says how many ended.
 */
export function registerPasswordSettings(app: FastifyInstance, deps: WebmailDeps): void {
  /** a domain whose passwords the province's directory checks has nothing to change here */
  const inDirectory = async (account: Account) =>
    (await findDomain(deps.db, account.address.slice(account.address.lastIndexOf('@') + 1)))?.passwordSource === 'directory';

  async function form(req: FastifyRequest, reply: FastifyReply, error?: string) {
    const ctx = req.web;
    const { t } = ctx;
    const s = ctx.strings(SETTINGS);
    if (await inDirectory(accountOf(req))) {
      const main = html`<div class="card"><h1>${t('change.title')}</h1><p>${s('error.password-in-directory')}</p></div>`;
      return sendSettingsPage(req, reply, { section: 'password', main });
    }
    const min = deps.config.passwordPolicy.minLength;
    return sendSettingsPage(req, reply, {
      section: 'password',
      error,
      status: error ? 400 : 200,
      main: html`<div class="card"><h1>${t('change.title')}</h1><p>${s('password.help')}</p>
<form method="post" action="/mail/settings/password">${csrfField(ctx)}
<input type="text" name="username" autocomplete="username" value="${accountOf(req).address}" hidden>
<label for="current">${t('change.current')}</label><input id="current" name="current" type="password" autocomplete="current-password" required>
<label for="new">${t('change.new')}</label><input id="new" name="new" type="password" autocomplete="new-password" required minlength="${min}">
<label for="confirm">${t('change.confirm')}</label><input id="confirm" name="confirm" type="password" autocomplete="new-password" required minlength="${min}">
<p class="hint">${t('change.rules', { min })}</p>
<div class="actions"><button type="submit">${t('change.submit')}</button></div></form></div>`,
    });
  }

  app.get('/mail/settings/password', (req, reply) => form(req, reply));

  app.post('/mail/settings/password', async (req, reply) => {
    const ctx = req.web;
    const account = accountOf(req);
    const fields = readForm(req);
    if (await inDirectory(account)) return seeOther(reply, '/mail/settings/password');
    if (fields.text('new') !== fields.text('confirm')) return form(req, reply, ctx.t('change.mismatch'));
    const error = await attempt(ctx, () => changeOwnPassword(deps.db, deps.config, account, fields.text('current'), fields.text('new'), ctx.ip));
    if (error) return form(req, reply, error);
    const ended = await revokeAllSessions(deps.db, account.id, ctx.session!.id);
    return seeOther(reply, doneUrl('password', 'password', { n: ended }));
  });
}
