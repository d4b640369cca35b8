import { timingSafeEqual } from 'node:crypto';
import type { FastifyInstance, FastifyReply, FastifyRequest } from 'fastify';
import formbody from '@fastify/formbody';
import multipart from '@fastify/multipart';
import compress from '@fastify/compress';
import { constants } from 'node:zlib';
import type { WebDeps } from '../cli/web.js';
import { UserError } from '../shared/errors.js';
import { ASSETS } from './assets/bundle.js';
import { findSession, randomToken, revokeAllSessions, type WebSession } from '../identity/web-sessions.js';
import { registerAuthRoutes } from './auth/routes.js';
import { registerInspectionPages } from './admin/inspections.js';
import { registerSettings } from './settings/routes.js';
import { registerComposeArea } from './compose/index.js';
import { registerAdminHome } from './admin/home.js';
import { registerAccountPages } from './admin/accounts.js';
import { registerProvisioningPages } from './admin/provisioning.js';
import { registerSecurityConsole } from './admin/sec-pages.js';
import { registerMailRoutes } from './mail/routes.js';
import { LANGUAGE_COOKIE, PRE_LOGIN_COOKIE, SESSION_COOKIE, cookie, readCookies } from './cookies.js';
import { makeContext, PageError, type WebContext, type WebmailDeps } from './context.js';
import { DEFAULT_LOCALE, isLocale, type Locale } from './i18n/catalogue.js';
import { html } from './html.js';
import { renderPage } from './layout.js';
import { readForm } from './forms.js';

/**
 * RFC 9110 / CSP3: what every webmail and console page may load: its own stylesheet,
 * script and images, message bodies in a same-origin frame (which has its own, stricter
 * policy), forms posting only to this server, and no framing by other sites.
 */
export const PAGE_CSP =
  "default-src 'none'; script-src 'self'; style-src 'self'; img-src 'self' data:; font-src 'self'; connect-src 'self'; frame-src 'self'; form-action 'self'; frame-ancestors 'none'; base-uri 'none'";

/** A part of the webmail: registers its routes on the webmail's Fastify scope. */
export type WebmailArea = (app: FastifyInstance, deps: WebmailDeps) => void | Promise<void>;

/** The parts of /mail and /admin; a new one is added here. */
export const WEBMAIL_AREAS: readonly WebmailArea[] = [registerAuthRoutes, registerSettings, registerInspectionPages, registerComposeArea, registerAdminHome, registerAccountPages, registerProvisioningPages, registerSecurityConsole, registerMailRoutes];

function languageOf(req: FastifyRequest, cookies: Map<string, string>): Locale {
  const chosen = cookies.get(LANGUAGE_COOKIE);
  if (isLocale(chosen)) return chosen;
  // RFC 9110 §12.5.4: the first language of the browser's list that we have
  for (const range of (req.headers['accept-language'] ?? '').split(',')) {
    const primary = range.trim().split(/[-;]/)[0]!.toLowerCase();
    if (isLocale(primary)) return primary;
  }
  return DEFAULT_LOCALE;
}

const sameToken = (a: string, b: string) => a.length === b.length && timingSafeEqual(Buffer.from(a), Buffer.from(b));

/** Where a login step sends a session that has not finished logging in. */
const stagePage: Record<WebSession['stage'], string> = { 'second-factor': '/mail/login/code', 'change-password': '/mail/password', ready: '/mail/' };

/** A redirect after a POST (RFC 9110 §15.4.4: 303 makes the browser GET the new page). */
export const seeOther = (reply: FastifyReply, location: string) => reply.redirect(location, 303);

/** A finished page to the browser: HTML, never cached (it shows someone's mail). */
export const sendPage = (reply: FastifyReply, page: string, status = 200) =>
  reply.status(status).header('Cache-Control', 'no-store').type('text/html; charset=utf-8').send(page);

/** Only paths of this site are followed after login; anything else goes to the inbox. */
export const safeNext = (next: unknown): string =>
  typeof next === 'string' && /^\/(mail|admin)(\/|$)/.test(next) && !next.startsWith('//') && !/[\\\r\n]/.test(next) ? next : '/mail/';

async function errorPage(reply: FastifyReply, ctx: WebContext, status: number, message: string) {
  const page = await renderPage(ctx, {
    title: ctx.t('error.title'),
    section: ctx.account ? 'mail' : 'public',
    main: html`<div class="card"><h1>${ctx.t('error.title')} ${status}</h1><p>${message}</p><p><a href="/mail/">${ctx.t('error.back')}</a></p></div>`,
  });
  return sendPage(reply, page, status);
}

/** The webmail's own translation of an identity refusal, or its English sentence. */
export function userErrorText(ctx: WebContext, err: UserError): string {
  const key = `error.${err.code}` as Parameters<WebContext['t']>[0];
  const text = ctx.t(key);
  return text === key ? err.message : text;
}

async function webmailPlugin(app: FastifyInstance, options: { deps: WebmailDeps }) {
  const { deps } = options;
  const limits = { idleMinutes: deps.config.web.sessionIdleMinutes, maxHours: deps.config.web.sessionMaxHours };
  const uploadLimit = deps.config.smtp.maxMessageBytes;

  await app.register(compress, { global: true, threshold: 1024, encodings: ['br', 'gzip'], brotliOptions: { params: { [constants.BROTLI_PARAM_QUALITY]: 4 } } });
  await app.register(formbody, { bodyLimit: 1024 * 1024 });
  await app.register(multipart, { attachFieldsToBody: true, limits: { fileSize: uploadLimit, files: 50, fields: 200, fieldSize: 4 * 1024 * 1024 } });

  app.decorateRequest('web', null as unknown as WebContext);

  app.addHook('onRequest', async (req, reply) => {
    const cookies = readCookies(req.headers.cookie);
    const locale = languageOf(req, cookies);
    // the hashed assets are the same for everyone: no session lookup and no cookie for them
    const isAsset = req.url.startsWith('/assets/');
    const token = isAsset ? undefined : cookies.get(SESSION_COOKIE);
    const found = token ? await findSession(deps.db, token, limits) : undefined;
    let session = found?.session;
    let account = session?.stage === 'ready' ? found?.account : undefined;
    if (found && found.account.status !== 'active') {
      await revokeAllSessions(deps.db, found.account.id);
      session = undefined;
      account = undefined;
    }
    let csrfToken = session?.csrfToken ?? cookies.get(PRE_LOGIN_COOKIE);
    const secure = req.protocol === 'https';
    if (!csrfToken || !/^[\w-]{43}$/.test(csrfToken)) {
      csrfToken = randomToken();
      if (!isAsset) reply.header('Set-Cookie', cookie(PRE_LOGIN_COOKIE, csrfToken, { secure, httpOnly: true }));
    }
    if (token && !session) reply.header('Set-Cookie', cookie(SESSION_COOKIE, '', { secure, httpOnly: true, maxAge: 0 }));
    req.web = makeContext(deps, req, { locale, session, account, csrfToken });
    reply.header('Content-Security-Policy', PAGE_CSP);
    reply.header('X-Content-Type-Options', 'nosniff');
    reply.header('Referrer-Policy', 'no-referrer');
    reply.header('X-Frame-Options', 'DENY');
    reply.header('Cross-Origin-Opener-Policy', 'same-origin');
    if (secure) reply.header('Strict-Transport-Security', 'max-age=31536000');
  });

  app.addHook('preHandler', async (req, reply) => {
    if (req.is404) return;
    const access = req.routeOptions.config.access ?? 'user';
    const ctx = req.web;
    if (req.method === 'POST') {
      // a form from another site: refused before anything changes (Origin, then the token)
      const origin = req.headers.origin;
      if (origin && origin !== 'null' && new URL(origin).host !== req.headers.host) return errorPage(reply, ctx, 403, ctx.t('error.csrf'));
      const sent = readForm(req).text('_csrf') || String(req.headers['x-csrf-token'] ?? '');
      if (!sent || !sameToken(sent, ctx.csrfToken)) return errorPage(reply, ctx, 403, ctx.t('error.csrf'));
    }
    if (access === 'public') return;
    const { session } = ctx;
    if (!session) {
      const next = req.method === 'GET' ? `?next=${encodeURIComponent(req.url)}` : '';
      return seeOther(reply, `/mail/login${next}`);
    }
    if (session.stage !== 'ready') {
      if (access === session.stage) return;
      return seeOther(reply, stagePage[session.stage]);
    }
    if (access === 'second-factor' || access === 'change-password') return seeOther(reply, '/mail/');
    if (access === 'console' && (await ctx.scopes()).length === 0) return errorPage(reply, ctx, 403, ctx.t('error.forbidden'));
  });

  app.setErrorHandler(async (err, req, reply) => {
    const ctx = req.web;
    if (!ctx) return reply.status(500).send('internal error');
    if (err instanceof PageError) return errorPage(reply, ctx, err.status, err.message);
    if (err instanceof UserError) return errorPage(reply, ctx, 400, userErrorText(ctx, err));
    const status = (err as { statusCode?: number }).statusCode;
    if (status === 413 || (err as { code?: string }).code === 'FST_REQ_FILE_TOO_LARGE') {
      return errorPage(reply, ctx, 413, ctx.t('error.too-large', { size: ctx.format.size(uploadLimit) }));
    }
    if (status && status >= 400 && status < 500) return errorPage(reply, ctx, status, (err as Error).message);
    deps.log.error({ err, method: req.method, url: req.url }, 'webmail request failed');
    return errorPage(reply, ctx, 500, ctx.t('error.server', { time: new Date().toISOString() }));
  });
  app.setNotFoundHandler({ preHandler: async () => undefined }, async (req, reply) => errorPage(reply, req.web, 404, req.web.t('error.not-found')));

  for (const a of ASSETS) {
    app.get(a.path, { config: { access: 'public' } }, async (req, reply) => {
      const accepts = String(req.headers['accept-encoding'] ?? '');
      reply.header('Cache-Control', 'public, max-age=31536000, immutable').header('Vary', 'Accept-Encoding').type(a.contentType);
      if (/\bbr\b/.test(accepts)) return reply.header('Content-Encoding', 'br').send(a.brotli);
      if (/\bgzip\b/.test(accepts)) return reply.header('Content-Encoding', 'gzip').send(a.gzip);
      return reply.send(a.body);
    });
  }
  app.get('/', { config: { access: 'public' } }, async (_req, reply) => reply.redirect('/mail/', 302));

  for (const area of WEBMAIL_AREAS) await area(app, deps);
}

/** Mounts the webmail (/mail) and the admin console (/admin) on the web role. */
export async function mountWebmail(app: FastifyInstance, deps: WebDeps): Promise<void> {
  await app.register(webmailPlugin, { deps });
}
