import type { FastifyReply, FastifyRequest } from 'fastify';
import type { WebContext } from '../context.js';
import { html, type SafeHtml } from '../html.js';
import { renderPage } from '../layout.js';
import { sendPage, userErrorText } from '../plugin.js';
import { UserError } from '../../shared/errors.js';
import { SETTINGS, type SettingsKey } from './strings.js';

/** The settings' sub-pages, in the order of the menu; each lives at /mail/settings/<section>. */
export const SECTIONS = ['password', 'two-factor', 'app-passwords', 'sessions', 'signature', 'vacation', 'language'] as const;
export type Section = (typeof SECTIONS)[number];

export const sectionPath = (section: Section | 'overview') => (section === 'overview' ? '/mail/settings' : `/mail/settings/${section}`);

function menu(ctx: WebContext, current: Section | 'overview'): SafeHtml {
  const t = ctx.strings(SETTINGS);
  return html`<nav class="menu" aria-label="${t('title')}"><ul>${(['overview', ...SECTIONS] as const).map(
    (s) => html`<li><a href="${sectionPath(s)}"${s === current ? html` aria-current="page"` : ''}>${t(`menu.${s}`)}</a></li>`,
  )}</ul></nav>`;
}

/**
 * The notice a page shows after a POST's 303: `?done=<what>` names a `done.<what>` string
 * of the catalogue (never text from the URL) and `n` its count.
 */
function noticeOf(req: FastifyRequest): string | undefined {
  const query = req.query as Record<string, string | undefined>;
  const ctx = req.web;
  const t = ctx.strings(SETTINGS);
  const count = Number.parseInt(query.n ?? '0', 10) || 0;
  const left = query['recovery-left'];
  if (left !== undefined && /^\d{1,2}$/.test(left)) return ctx.t('code.recovery-used', { count: Number(left) });
  if (!query.done || !/^[a-z-]{1,40}$/.test(query.done)) return undefined;
  const key = `done.${query.done}` as SettingsKey;
  const text = t(key, { count });
  return text === key ? undefined : text;
}

/** Where a POST sends the browser: the section with its notice. */
export const doneUrl = (section: Section, done: string, extra: Record<string, string | number> = {}) =>
  `${sectionPath(section)}?${new URLSearchParams({ done, ...Object.fromEntries(Object.entries(extra).map(([k, v]) => [k, String(v)])) })}`;

/** One settings page in the mail section's frame, with the settings menu beside it. */
export async function sendSettingsPage(
  req: FastifyRequest,
  reply: FastifyReply,
  page: { section: Section | 'overview'; main: SafeHtml; error?: string | undefined; status?: number },
): Promise<FastifyReply> {
  const ctx = req.web;
  const t = ctx.strings(SETTINGS);
  const heading = page.section === 'overview' ? t('title') : `${t(`menu.${page.section}`)} · ${t('title')}`;
  const body = await renderPage(ctx, {
    title: heading,
    section: 'mail',
    current: 'settings',
    sidebar: menu(ctx, page.section),
    notice: page.error ? undefined : noticeOf(req),
    error: page.error,
    main: page.main,
  });
  return sendPage(reply, body, page.status ?? 200);
}

/** An identity refusal in the page's language: this catalogue's `error.<code>`, else the common one, else its English sentence. */
export function refusalText(ctx: WebContext, err: UserError, params?: Record<string, string | number>): string {
  const t = ctx.strings(SETTINGS);
  const key = `error.${err.code}` as SettingsKey;
  const own = t(key, params);
  return own === key ? userErrorText(ctx, err) : own;
}

/**
 * Runs a change; a UserError becomes the refusal sentence to show with the form again
 * (status 400), anything else goes on to the error page.
 */
export async function attempt(ctx: WebContext, change: () => Promise<unknown>, params?: Record<string, string | number>): Promise<string | undefined> {
  try {
    await change();
    return undefined;
  } catch (err) {
    if (err instanceof UserError) return refusalText(ctx, err, params);
    throw err;
  }
}

/** Who made a change, for the audit log: the person, from this request's address. */
export const byMe = (ctx: WebContext) => ({ actor: ctx.account!.address, source: ctx.ip });
