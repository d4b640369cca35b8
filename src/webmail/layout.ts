import { html, type SafeHtml } from './html.js';
import { SCRIPT, STYLESHEET } from './assets/bundle.js';
import type { WebContext } from './context.js';
import { LOCALES } from './i18n/catalogue.js';

/** Which header a page has: the staff webmail's, the console's, or none (login steps). */
export type Section = 'mail' | 'admin' | 'public';

export interface PageOptions {
  title: string;
  main: SafeHtml;
  section: Section;
  /** the folder list (webmail) or the console's menu, beside the content */
  sidebar?: SafeHtml | undefined;
  /** which header link is the current page: 'mail', 'compose', 'contacts', 'settings', 'admin' */
  current?: string;
  /** a sentence of success above the content */
  notice?: string | undefined;
  /** a sentence of refusal above the content */
  error?: string | undefined;
}

/** The hidden CSRF field every POST form carries. */
export const csrfField = (ctx: WebContext) => html`<input type="hidden" name="_csrf" value="${ctx.csrfToken}">`;

const current = (options: PageOptions, name: string) => (options.current === name ? html` aria-current="page"` : '');

function topHeader(ctx: WebContext, options: PageOptions, isAdmin: boolean): SafeHtml {
  const { t, account } = ctx;
  if (!account) return html``;
  return html`<header class="top">
<a class="brand" href="/mail/">${t('app.name')}</a>
<nav aria-label="${t('app.name')}">
<a href="/mail/"${current(options, 'mail')} data-key="g">${t('nav.mail')}</a>
<a href="/mail/compose"${current(options, 'compose')} data-key="c">${t('nav.compose')}</a>
<a href="/mail/contacts"${current(options, 'contacts')}>${t('nav.contacts')}</a>
<a href="/mail/settings"${current(options, 'settings')}>${t('nav.settings')}</a>
${isAdmin ? html`<a href="/admin/"${current(options, 'admin')}>${t('nav.admin')}</a>` : ''}
</nav>
<span class="who">${account.displayName} &lt;${account.address}&gt;</span>
<form method="post" action="/mail/logout">${csrfField(ctx)}<button class="linkish" type="submit">${t('nav.logout')}</button></form>
</header>`;
}

/** Links to read the page in the other language (on the login pages; staff switch in Settings). */
export function languageLinks(ctx: WebContext, back: string): SafeHtml {
  return html`<footer class="lang">${LOCALES.map((l, i) =>
    html`${i ? ' · ' : ''}${l === ctx.locale ? html`<strong>${ctx.t(`lang.${l}`)}</strong>` : html`<a href="/mail/language/${l}?next=${encodeURIComponent(back)}" lang="${l}">${ctx.t(`lang.${l}`)}</a>`}`,
  )}</footer>`;
}

/** A whole page: the one place the document's head, header and messages are written. */
export async function renderPage(ctx: WebContext, options: PageOptions): Promise<string> {
  const isAdmin = ctx.account ? (await ctx.scopes()).length > 0 : false;
  const messages = html`${options.notice ? html`<p class="notice" role="status">${options.notice}</p>` : ''}${options.error ? html`<p class="error" role="alert">${options.error}</p>` : ''}`;
  const body =
    options.section === 'public'
      ? html`<main class="narrow" id="main">${messages}${options.main}</main>`
      : options.sidebar
        ? html`${topHeader(ctx, options, isAdmin)}<div class="layout"><aside>${options.sidebar}</aside><main id="main">${messages}${options.main}</main></div>`
        : html`${topHeader(ctx, options, isAdmin)}<main class="page" id="main">${messages}${options.main}</main>`;
  return html`<!doctype html>
<html lang="${ctx.locale}">
<head>
<meta charset="utf-8">
<meta name="viewport" content="width=device-width, initial-scale=1">
<link rel="icon" href="data:,">
<title>${options.title} · ${ctx.t('app.name')}</title>
<link rel="stylesheet" href="${STYLESHEET.path}">
<script src="${SCRIPT.path}" defer></script>
</head>
<body class="${options.section}">
<a class="skip" href="#main">${ctx.t('nav.skip')}</a>
${body}
</body>
</html>
`.text;
}
