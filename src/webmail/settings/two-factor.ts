import type { FastifyInstance, FastifyReply, FastifyRequest } from 'fastify';
import { authenticatePassword } from '../../identity/authenticate.js';
import { unusedRecoveryCodes } from '../../identity/recovery-codes.js';
import { beginTotpEnrolment, confirmTotpEnrolment, disableTotp, hasSecondFactor, regenerateRecoveryCodes } from '../../identity/totp.js';
import { accountOf, type WebContext, type WebmailDeps } from '../context.js';
import { readForm } from '../forms.js';
import { html, type SafeHtml } from '../html.js';
import { csrfField } from '../layout.js';
import { seeOther } from '../plugin.js';
import { attempt, byMe, doneUrl, sendSettingsPage } from './frame.js';
import { forgetEnrolment, keepEnrolment, keepForOneView, pendingEnrolment, takeOneView } from './one-view.js';
import { inGroupsOfFour, qrCodeDataUrl } from './qr-code.js';
import { SETTINGS } from './strings.js';

/** Recovery codes as they wait for their one view. */
interface ShownCodes {
  codes: string[];
  madeAt: string;
}

/** Below this many unused recovery codes the page suggests a new set. */
const FEW_RECOVERY_CODES = 3;

/**
 * The list of recovery codes, shown once, with a .txt download (a data: URL: nothing is
 * kept to fetch it again), print and copy (buttons the script reveals; without script the
 * download and the page's own printing remain).
 */
function recoveryCodesCard(ctx: WebContext, shown: ShownCodes): SafeHtml {
  const t = ctx.strings(SETTINGS);
  const heading = t('codes.file-heading', { address: ctx.account!.address, time: ctx.format.longDate(new Date(shown.madeAt)) });
  // CRLF: the file opens as lines in the Notepad of old Windows too
  const file = [heading, '', ...shown.codes, ''].join('\r\n');
  const href = `data:text/plain;charset=utf-8;base64,${Buffer.from(file, 'utf8').toString('base64')}`;
  return html`<section class="card codes" aria-labelledby="codes-title"><h2 id="codes-title">${t('codes.title')}</h2>
<p class="warning" role="alert">${t('codes.warning')}</p>
<ol class="recovery-codes" id="recovery-codes">${shown.codes.map((c) => html`<li><code>${c}</code></li>`)}</ol>
<div class="actions"><a class="button" href="${href}" download="recovery-codes-${ctx.account!.address}.txt">${t('codes.download')}</a>
<button type="button" class="secondary" data-print hidden>${t('codes.print')}</button>
<button type="button" class="secondary" data-copy="recovery-codes" hidden>${t('codes.copy')}</button></div></section>`;
}

/**
 * The second factor: TOTP enrolment with a QR code and a typed secret, confirmed by a
 * first code and answered with ten recovery codes shown once; a new set of codes; turning
 * it off with the current password; how many codes are left.
 */
export function registerTwoFactorSettings(app: FastifyInstance, deps: WebmailDeps): void {
  const authSettings = { ...deps.config, directoryPasswords: deps.directoryPasswords };
  const guard = () => ({ redis: deps.redis, prefix: deps.config.redisPrefix, policy: deps.config.lockout });

  async function statusPage(req: FastifyRequest, reply: FastifyReply, error?: string) {
    const ctx = req.web;
    const t = ctx.strings(SETTINGS);
    const account = accountOf(req);
    const on = await hasSecondFactor(deps.db, account.id);
    const left = on ? await unusedRecoveryCodes(deps.db, account.id) : 0;
    const shown = await takeOneView<ShownCodes>(deps, ctx.session!.id, (req.query as { shown?: string }).shown);
    const wasShown = (req.query as { shown?: string }).shown !== undefined && !shown;
    const main = on
      ? html`<div class="card"><h1>${t('menu.two-factor')}</h1><p class="status on">${t('two-factor.on')}</p>
<p>${t('two-factor.recovery-left', { count: left })}${left < FEW_RECOVERY_CODES ? html` <strong>${t('two-factor.recovery-low')}</strong>` : ''}</p>
<p class="hint">${t('two-factor.mail-clients')} <a href="/mail/settings/app-passwords">${t('menu.app-passwords')}</a></p></div>
${shown ? recoveryCodesCard(ctx, shown) : wasShown ? html`<p class="error">${t('codes.gone')}</p>` : ''}
<div class="card"><h2>${t('two-factor.regenerate-title')}</h2><p>${t('two-factor.regenerate-help')}</p>
<form method="post" action="/mail/settings/two-factor/recovery-codes" data-confirm="${t('two-factor.regenerate-confirm')}">${csrfField(ctx)}
<div class="actions"><button type="submit" class="secondary">${t('two-factor.regenerate')}</button></div></form></div>
<div class="card"><h2>${t('two-factor.disable-title')}</h2><p>${t('two-factor.disable-help')}</p>
<form method="post" action="/mail/settings/two-factor/disable" data-confirm="${t('two-factor.disable-confirm')}">${csrfField(ctx)}
<input type="text" name="username" autocomplete="username" value="${account.address}" hidden>
<label for="password">${t('current-password')}</label><input id="password" name="password" type="password" autocomplete="current-password" required>
<div class="actions"><button type="submit" class="danger">${t('two-factor.disable')}</button></div></form></div>`
      : html`<div class="card"><h1>${t('menu.two-factor')}</h1><p class="status off">${t('two-factor.off')}</p><p>${t('two-factor.help')}</p>
<p class="hint">${t('two-factor.mail-clients')}</p>
<form method="post" action="/mail/settings/two-factor/enrol">${csrfField(ctx)}<div class="actions"><button type="submit">${t('two-factor.start')}</button></div></form></div>`;
    return sendSettingsPage(req, reply, { section: 'two-factor', main, error, status: error ? 400 : 200 });
  }

  app.get('/mail/settings/two-factor', (req, reply) => statusPage(req, reply));

  app.post('/mail/settings/two-factor/enrol', async (req, reply) => {
    const ctx = req.web;
    const account = accountOf(req);
    if (await hasSecondFactor(deps.db, account.id)) return seeOther(reply, '/mail/settings/two-factor');
    // the authenticator app lists the account under its domain: "yenbai.gov.vn (annv@yenbai.gov.vn)"
    const issuer = account.address.slice(account.address.lastIndexOf('@') + 1);
    const pending = await beginTotpEnrolment(deps.db, account.id, { issuer, by: byMe(ctx) });
    await keepEnrolment(deps, ctx.session!.id, pending);
    return seeOther(reply, '/mail/settings/two-factor/enrol');
  });

  async function enrolPage(req: FastifyRequest, reply: FastifyReply, error?: string) {
    const ctx = req.web;
    const t = ctx.strings(SETTINGS);
    const pending = await pendingEnrolment(deps, ctx.session!.id);
    if (!pending) {
      const main = html`<div class="card"><h1>${t('enrol.title')}</h1><p>${t('enrol.expired')}</p>
<form method="post" action="/mail/settings/two-factor/enrol">${csrfField(ctx)}<div class="actions"><button type="submit">${t('two-factor.start')}</button></div></form></div>`;
      return sendSettingsPage(req, reply, { section: 'two-factor', main, error, status: error ? 400 : 200 });
    }
    const main = html`<div class="card enrol"><h1>${t('enrol.title')}</h1>
<p>${t('enrol.step1')}</p>
<img class="qr" src="${await qrCodeDataUrl(pending.uri)}" alt="${t('enrol.qr-alt')}" width="264" height="264">
<p>${t('enrol.manual')}</p><p><code class="secret">${inGroupsOfFour(pending.secret)}</code></p>
<form method="post" action="/mail/settings/two-factor/confirm">${csrfField(ctx)}
<label for="code">${t('enrol.step2')}</label><input id="code" name="code" type="text" inputmode="numeric" autocomplete="one-time-code" pattern="[0-9 ]{6,7}" maxlength="7" required autofocus>
<div class="actions"><button type="submit">${t('enrol.confirm')}</button><a class="button secondary" href="/mail/settings/two-factor">${t('enrol.cancel')}</a></div></form></div>`;
    return sendSettingsPage(req, reply, { section: 'two-factor', main, error, status: error ? 400 : 200 });
  }

  app.get('/mail/settings/two-factor/enrol', async (req, reply) => {
    if (await hasSecondFactor(deps.db, accountOf(req).id)) return seeOther(reply, '/mail/settings/two-factor');
    return enrolPage(req, reply);
  });

  app.post('/mail/settings/two-factor/confirm', async (req, reply) => {
    const ctx = req.web;
    const account = accountOf(req);
    let codes: string[] = [];
    const error = await attempt(ctx, async () => {
      ({ recoveryCodes: codes } = await confirmTotpEnrolment(deps.db, account.id, readForm(req).text('code').replace(/\s/g, ''), { by: byMe(ctx) }));
    });
    if (error) return enrolPage(req, reply, error);
    await forgetEnrolment(deps, ctx.session!.id);
    const shown = await keepForOneView(deps, ctx.session!.id, { codes, madeAt: new Date().toISOString() } satisfies ShownCodes);
    return seeOther(reply, doneUrl('two-factor', 'totp-enabled', { shown }));
  });

  app.post('/mail/settings/two-factor/recovery-codes', async (req, reply) => {
    const ctx = req.web;
    const account = accountOf(req);
    let codes: string[] = [];
    const error = await attempt(ctx, async () => {
      codes = await regenerateRecoveryCodes(deps.db, account.id, byMe(ctx));
    });
    if (error) return statusPage(req, reply, error);
    const shown = await keepForOneView(deps, ctx.session!.id, { codes, madeAt: new Date().toISOString() } satisfies ShownCodes);
    return seeOther(reply, doneUrl('two-factor', 'recovery-codes', { shown }));
  });

  app.post('/mail/settings/two-factor/disable', async (req, reply) => {
    const ctx = req.web;
    const account = accountOf(req);
    // the password is checked as at login: the lockout counts wrong guesses from a stolen session
    const check = await authenticatePassword(deps.db, authSettings, { username: account.address, password: readForm(req).text('password'), service: 'web', remoteAddress: ctx.ip }, guard());
    if (!check.ok) {
      const error = check.reason === 'locked' ? ctx.t('login.locked', { minutes: Math.ceil((check.retryAfterSeconds ?? 60) / 60) }) : ctx.t('error.wrong-current-password');
      return statusPage(req, reply, error);
    }
    // already off (a second tab): the page says it is off, which is what was asked
    await disableTotp(deps.db, account.id, byMe(ctx));
    return seeOther(reply, doneUrl('two-factor', 'totp-disabled'));
  });
}
