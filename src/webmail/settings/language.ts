import type { FastifyInstance, FastifyReply, FastifyRequest } from 'fastify';
import { getPreferences, LANGUAGES, setLanguage } from '../../identity/preferences.js';
import type { Queryable } from '../../store/db.js';
import { cookie, LANGUAGE_COOKIE } from '../cookies.js';
import { accountOf, type WebContext, type WebmailDeps } from '../context.js';
import { readForm } from '../forms.js';
import { attrIf, html } from '../html.js';
import { csrfField } from '../layout.js';
import { seeOther } from '../plugin.js';
import { attempt, byMe, doneUrl, sendSettingsPage } from './frame.js';
import { SETTINGS } from './strings.js';

const YEAR_SECONDS = 365 * 24 * 3600;

/** The Set-Cookie value that shows every page in `language` from the next request on. */
const languageCookie = (ctx: WebContext, language: string) => cookie(LANGUAGE_COOKIE, language, { secure: ctx.secure, httpOnly: false, maxAge: YEAR_SECONDS });

/**
 * The language cookie of an account's saved preference, for the login to set: the pages
 * follow the person, not the browser they happen to use.
 */
export async function languageCookieFor(ctx: WebContext, db: Queryable, accountId: number): Promise<string> {
  return languageCookie(ctx, (await getPreferences(db, accountId)).language);
}

/** The language of the pages (vi/en), saved with the account and set in the cookie at once. */
export function registerLanguageSettings(app: FastifyInstance, deps: WebmailDeps): void {
  async function page(req: FastifyRequest, reply: FastifyReply, error?: string) {
    const ctx = req.web;
    const t = ctx.strings(SETTINGS);
    const { language } = await getPreferences(deps.db, accountOf(req).id);
    const main = html`<div class="card"><h1>${t('menu.language')}</h1><p>${t('language.help')}</p>
<form method="post" action="/mail/settings/language">${csrfField(ctx)}
<fieldset><legend class="sr">${t('menu.language')}</legend>
${LANGUAGES.map((l) => html`<label class="check" lang="${l}"><input type="radio" name="language" value="${l}"${attrIf(l === language, 'checked')}> ${ctx.t(`lang.${l}`)}</label>`)}
</fieldset>
<div class="actions"><button type="submit">${t('save')}</button></div></form></div>`;
    return sendSettingsPage(req, reply, { section: 'language', main, error, status: error ? 400 : 200 });
  }

  app.get('/mail/settings/language', (req, reply) => page(req, reply));

  app.post('/mail/settings/language', async (req, reply) => {
    const ctx = req.web;
    const language = readForm(req).text('language');
    const error = await attempt(ctx, () => setLanguage(deps.db, accountOf(req).id, language, byMe(ctx)));
    if (error) return page(req, reply, error);
    reply.header('Set-Cookie', languageCookie(ctx, language));
    return seeOther(reply, doneUrl('language', 'language'));
  });
}
