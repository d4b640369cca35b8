import type { FastifyInstance, FastifyReply, FastifyRequest } from 'fastify';
import { authenticatePassword } from '../../identity/authenticate.js';
import { getAccountById } from '../../identity/accounts.js';
import { redeemActivationCode } from '../../identity/activation.js';
import { changeOwnPassword } from '../../identity/password-change.js';
import { verifySecondFactor } from '../../identity/totp.js';
import { appendAudit } from '../../audit/audit-log.js';
import { UserError } from '../../shared/errors.js';
import { cookie, LANGUAGE_COOKIE, SESSION_COOKIE } from '../cookies.js';
import type { WebContext, WebmailDeps } from '../context.js';
import { readForm } from '../forms.js';
import { html } from '../html.js';
import { isLocale } from '../i18n/catalogue.js';
import { csrfField, languageLinks, renderPage } from '../layout.js';
import { safeNext, seeOther, sendPage, userErrorText } from '../plugin.js';
import { languageCookieFor } from '../settings/language.js';
import { createSession, revokeAllSessions, revokeSession, setSessionStage } from '../../identity/web-sessions.js';

/** The notices the login page shows after a redirect (?done=…), never free text from the URL. */
const DONE = { 'logged-out': 'login.logged-out', 'logged-out-everywhere': 'login.logged-out-everywhere', activated: 'login.activated', expired: 'login.expired' } as const;

/**
 * The login steps: password (throttled by the identity module's lockout), then the
 * second factor when enrolled, then a forced password change when the password was set
 * by an administrator or has expired; activation of a new account with HR's code;
 * logout here and everywhere; the language of the login pages.
 */
export function registerAuthRoutes(app: FastifyInstance, deps: WebmailDeps): void {
  const limits = { idleMinutes: deps.config.web.sessionIdleMinutes, maxHours: deps.config.web.sessionMaxHours };
  const guard = () => ({ redis: deps.redis, prefix: deps.config.redisPrefix, policy: deps.config.lockout });
  const authSettings = { ...deps.config, directoryPasswords: deps.directoryPasswords };
  const sessionCookie = (ctx: WebContext, token: string, maxAge?: number) =>
    cookie(SESSION_COOKIE, token, { secure: ctx.secure, httpOnly: true, ...(maxAge !== undefined ? { maxAge } : {}) });

  async function loginPage(req: FastifyRequest, reply: FastifyReply, state: { error?: string; address?: string; status?: number } = {}) {
    const ctx = req.web;
    const { t } = ctx;
    const query = req.query as Record<string, string | undefined>;
    const next = safeNext(query.next ?? readForm(req).text('next'));
    const done = DONE[query.done as keyof typeof DONE];
    const page = await renderPage(ctx, {
      title: t('login.title'),
      section: 'public',
      error: state.error,
      notice: done ? t(done) : undefined,
      main: html`<div class="card"><h1>${t('app.name')} · ${t('login.title')}</h1>
<form method="post" action="/mail/login">${csrfField(ctx)}<input type="hidden" name="next" value="${next}">
<label for="address">${t('login.address')}</label><input id="address" name="address" type="email" autocomplete="username" required autofocus value="${state.address ?? ''}">
<label for="password">${t('login.password')}</label><input id="password" name="password" type="password" autocomplete="current-password" required>
<div class="actions"><button type="submit">${t('login.submit')}</button></div></form>
<p><a href="/mail/activate">${t('login.activate-link')}</a></p></div>${languageLinks(ctx, req.url)}`,
    });
    return sendPage(reply, page, state.status ?? 200);
  }

  app.get('/mail/login', { config: { access: 'public' } }, async (req, reply) => {
    if (req.web.account) return seeOther(reply, safeNext((req.query as { next?: string }).next));
    return loginPage(req, reply);
  });

  app.post('/mail/login', { config: { access: 'public' } }, async (req, reply) => {
    const ctx = req.web;
    const form = readForm(req);
    const address = form.text('address').trim();
    const outcome = await authenticatePassword(deps.db, authSettings, { username: address, password: form.text('password'), service: 'web', remoteAddress: ctx.ip, client: req.headers['user-agent'] }, guard());
    if (!outcome.ok) {
      const error =
        outcome.reason === 'locked'
          ? ctx.t('login.locked', { minutes: Math.ceil((outcome.retryAfterSeconds ?? 60) / 60) })
          : outcome.reason === 'disabled'
            ? ctx.t('login.disabled')
            : outcome.reason === 'unavailable'
              ? ctx.t('login.unavailable')
              : ctx.t('login.failed');
      return loginPage(req, reply, { error, address, status: outcome.reason === 'locked' ? 429 : outcome.reason === 'unavailable' ? 503 : 401 });
    }
    // a new token at every login: a session id planted before login is worth nothing
    if (ctx.session) await revokeSession(deps.db, ctx.session.accountId, ctx.session.id);
    const mustChange = outcome.mustChangePassword !== false;
    const stage = outcome.secondFactorRequired ? 'second-factor' : mustChange ? 'change-password' : 'ready';
    const { token } = await createSession(deps.db, { accountId: outcome.account.id, stage, mustChange, ip: ctx.ip, userAgent: req.headers['user-agent'] }, limits);
    reply.header('Set-Cookie', sessionCookie(ctx, token));
    // the pages follow the language saved with the account, whatever this browser had
    reply.header('Set-Cookie', await languageCookieFor(ctx, deps.db, outcome.account.id));
    const next = safeNext(form.text('next'));
    if (stage === 'ready') return seeOther(reply, next);
    return seeOther(reply, stage === 'second-factor' ? `/mail/login/code?next=${encodeURIComponent(next)}` : `/mail/password?next=${encodeURIComponent(next)}`);
  });

  async function codePage(req: FastifyRequest, reply: FastifyReply, error?: string, status = 200) {
    const ctx = req.web;
    const { t } = ctx;
    const next = safeNext((req.query as { next?: string }).next ?? readForm(req).text('next'));
    const page = await renderPage(ctx, {
      title: t('code.title'),
      section: 'public',
      error,
      main: html`<div class="card"><h1>${t('code.title')}</h1><p>${t('code.help')}</p>
<form method="post" action="/mail/login/code">${csrfField(ctx)}<input type="hidden" name="next" value="${next}">
<label for="code">${t('code.label')}</label><input id="code" name="code" type="text" inputmode="numeric" autocomplete="one-time-code" required autofocus maxlength="40">
<div class="actions"><button type="submit">${t('code.submit')}</button></div></form></div>`,
    });
    return sendPage(reply, page, status);
  }

  app.get('/mail/login/code', { config: { access: 'second-factor' } }, (req, reply) => codePage(req, reply));

  app.post('/mail/login/code', { config: { access: 'second-factor' } }, async (req, reply) => {
    const ctx = req.web;
    const session = ctx.session!;
    const form = readForm(req);
    const result = await verifySecondFactor(deps.db, session.accountId, form.text('code').trim(), { guard: guard(), source: ctx.ip, service: 'web' });
    if (!result.ok) {
      if (result.reason === 'locked') return codePage(req, reply, ctx.t('login.locked', { minutes: Math.ceil((result.retryAfterSeconds ?? 60) / 60) }), 429);
      return codePage(req, reply, ctx.t(result.reason === 'replayed' ? 'code.replayed' : 'code.invalid'), 401);
    }
    await setSessionStage(deps.db, session.id, session.mustChange ? 'change-password' : 'ready');
    const next = safeNext(form.text('next'));
    if (session.mustChange) return seeOther(reply, `/mail/password?next=${encodeURIComponent(next)}`);
    return seeOther(reply, result.method === 'recovery-code' ? `/mail/settings?recovery-left=${result.recoveryCodesLeft}` : next);
  });

  async function passwordPage(req: FastifyRequest, reply: FastifyReply, error?: string, status = 200) {
    const ctx = req.web;
    const { t } = ctx;
    const next = safeNext((req.query as { next?: string }).next ?? readForm(req).text('next'));
    const page = await renderPage(ctx, {
      title: t('change.title'),
      section: 'public',
      error,
      main: html`<div class="card"><h1>${t('change.title')}</h1><p>${t('change.reset')}</p>
<form method="post" action="/mail/password">${csrfField(ctx)}<input type="hidden" name="next" value="${next}">
<label for="current">${t('change.current')}</label><input id="current" name="current" type="password" autocomplete="current-password" required>
<label for="new">${t('change.new')}</label><input id="new" name="new" type="password" autocomplete="new-password" required minlength="${deps.config.passwordPolicy.minLength}">
<label for="confirm">${t('change.confirm')}</label><input id="confirm" name="confirm" type="password" autocomplete="new-password" required>
<p class="hint">${t('change.rules', { min: deps.config.passwordPolicy.minLength })}</p>
<div class="actions"><button type="submit">${t('change.submit')}</button></div></form></div>`,
    });
    return sendPage(reply, page, status);
  }

  app.get('/mail/password', { config: { access: 'change-password' } }, (req, reply) => passwordPage(req, reply));

  app.post('/mail/password', { config: { access: 'change-password' } }, async (req, reply) => {
    const ctx = req.web;
    const session = ctx.session!;
    const form = readForm(req);
    if (form.text('new') !== form.text('confirm')) return passwordPage(req, reply, ctx.t('change.mismatch'), 400);
    const account = await getAccountById(deps.db, session.accountId);
    try {
      await changeOwnPassword(deps.db, deps.config, account, form.text('current'), form.text('new'), ctx.ip);
    } catch (err) {
      if (err instanceof UserError) return passwordPage(req, reply, userErrorText(ctx, err), 400);
      throw err;
    }
    await setSessionStage(deps.db, session.id, 'ready');
    return seeOther(reply, safeNext(form.text('next')));
  });

  async function activatePage(req: FastifyRequest, reply: FastifyReply, state: { error?: string; code?: string; status?: number } = {}) {
    const ctx = req.web;
    const { t } = ctx;
    const page = await renderPage(ctx, {
      title: t('activate.title'),
      section: 'public',
      error: state.error,
      main: html`<div class="card"><h1>${t('activate.title')}</h1><p>${t('activate.help')}</p>
<form method="post" action="/mail/activate">${csrfField(ctx)}
<label for="code">${t('activate.code')}</label><input id="code" name="code" type="text" autocomplete="off" required autofocus maxlength="60" value="${state.code ?? ''}">
<label for="new">${t('change.new')}</label><input id="new" name="new" type="password" autocomplete="new-password" required minlength="${deps.config.passwordPolicy.minLength}">
<label for="confirm">${t('change.confirm')}</label><input id="confirm" name="confirm" type="password" autocomplete="new-password" required>
<p class="hint">${t('change.rules', { min: deps.config.passwordPolicy.minLength })}</p>
<div class="actions"><button type="submit">${t('activate.submit')}</button></div></form></div>${languageLinks(ctx, req.url)}`,
    });
    return sendPage(reply, page, state.status ?? 200);
  }

  app.get('/mail/activate', { config: { access: 'public' } }, (req, reply) => activatePage(req, reply));

  app.post('/mail/activate', { config: { access: 'public' } }, async (req, reply) => {
    const ctx = req.web;
    const form = readForm(req);
    const code = form.text('code').trim();
    if (form.text('new') !== form.text('confirm')) return activatePage(req, reply, { error: ctx.t('change.mismatch'), code, status: 400 });
    try {
      await redeemActivationCode(deps.db, deps.config, code, form.text('new'), ctx.ip);
    } catch (err) {
      if (err instanceof UserError) return activatePage(req, reply, { error: userErrorText(ctx, err), code, status: 400 });
      throw err;
    }
    return seeOther(reply, '/mail/login?done=activated');
  });

  app.post('/mail/logout', { config: { access: 'public' } }, async (req, reply) => {
    const ctx = req.web;
    if (ctx.session) {
      await revokeSession(deps.db, ctx.session.accountId, ctx.session.id);
      const account = await getAccountById(deps.db, ctx.session.accountId);
      await appendAudit(deps.db, { actor: account.address, action: 'auth.web.logout', target: account.address, source: ctx.ip, agencyId: account.agencyId ?? undefined });
    }
    reply.header('Set-Cookie', sessionCookie(ctx, '', 0));
    return seeOther(reply, '/mail/login?done=logged-out');
  });

  app.post('/mail/logout-everywhere', async (req, reply) => {
    const ctx = req.web;
    const account = ctx.account!;
    const ended = await revokeAllSessions(deps.db, account.id);
    await appendAudit(deps.db, { actor: account.address, action: 'auth.web.logout-everywhere', target: account.address, source: ctx.ip, agencyId: account.agencyId ?? undefined, data: { sessions: ended } });
    reply.header('Set-Cookie', sessionCookie(ctx, '', 0));
    return seeOther(reply, '/mail/login?done=logged-out-everywhere');
  });

  app.get('/mail/language/:locale', { config: { access: 'public' } }, async (req, reply) => {
    const { locale } = req.params as { locale: string };
    if (isLocale(locale)) reply.header('Set-Cookie', cookie(LANGUAGE_COOKIE, locale, { secure: req.web.secure, httpOnly: false, maxAge: 365 * 24 * 3600 }));
    const next = (req.query as { next?: string }).next;
    return reply.redirect(typeof next === 'string' && /^\/mail\/(login|activate)/.test(next) ? next : safeNext(next), 303);
  });
}
