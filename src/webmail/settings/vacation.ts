import type { FastifyInstance, FastifyReply, FastifyRequest } from 'fastify';
import { getPreferences, PREFERENCE_LIMITS, setVacation, type Vacation } from '../../identity/preferences.js';
import { accountOf, type WebmailDeps } from '../context.js';
import { readForm, type Form } from '../forms.js';
import { attrIf, html } from '../html.js';
import { csrfField } from '../layout.js';
import { seeOther } from '../plugin.js';
import { attempt, byMe, doneUrl, sendSettingsPage } from './frame.js';
import { SETTINGS } from './strings.js';

/** The form as typed: the days as text, so a refused form comes back as it was. */
type TypedVacation = Omit<Vacation, 'days'> & { days: string };

function typedVacation(form: Form): TypedVacation {
  return {
    enabled: form.checked('enabled'),
    subject: form.text('subject'),
    body: form.text('body'),
    start: form.text('start').trim() || null,
    end: form.text('end').trim() || null,
    days: form.text('days').trim(),
  };
}

/**
 * The vacation auto-reply (delivery/vacation.ts sends it): on or off, subject, text,
 * first and last day, and the days before the same sender is answered again (RFC 5230 :days).
 */
export function registerVacationSettings(app: FastifyInstance, deps: WebmailDeps): void {
  const { vacationMinDays: min, vacationMaxDays: max } = PREFERENCE_LIMITS;

  async function page(req: FastifyRequest, reply: FastifyReply, state: { error?: string; typed?: TypedVacation } = {}) {
    const ctx = req.web;
    const t = ctx.strings(SETTINGS);
    const saved = (await getPreferences(deps.db, accountOf(req).id)).vacation;
    const v = state.typed ?? { ...saved, days: String(saved.days) };
    const main = html`<div class="card"><h1>${t('menu.vacation')}</h1><p>${t('vacation.help')}</p>
<form method="post" action="/mail/settings/vacation">${csrfField(ctx)}
<label class="check"><input type="checkbox" name="enabled" value="on"${attrIf(v.enabled, 'checked')}> ${t('vacation.enabled')}</label>
<label for="subject">${t('vacation.subject')}</label><input id="subject" name="subject" type="text" maxlength="${PREFERENCE_LIMITS.vacationSubjectChars}" value="${v.subject}">
<p class="hint">${t('vacation.subject-hint')}</p>
<label for="body">${t('vacation.body')}</label><textarea id="body" name="body" rows="8" maxlength="${PREFERENCE_LIMITS.vacationBodyChars}">${v.body}</textarea>
<div class="row"><div><label for="start">${t('vacation.start')}</label><input id="start" name="start" type="date" placeholder="yyyy-mm-dd" value="${v.start ?? ''}"></div>
<div><label for="end">${t('vacation.end')}</label><input id="end" name="end" type="date" placeholder="yyyy-mm-dd" value="${v.end ?? ''}"></div></div>
<p class="hint">${t('vacation.dates-hint')}</p>
<label for="days">${t('vacation.days')}</label><input id="days" name="days" type="number" min="${min}" max="${max}" step="1" required value="${v.days}">
<div class="actions"><button type="submit">${t('save')}</button></div></form></div>`;
    return sendSettingsPage(req, reply, { section: 'vacation', main, error: state.error, status: state.error ? 400 : 200 });
  }

  app.get('/mail/settings/vacation', (req, reply) => page(req, reply));

  app.post('/mail/settings/vacation', async (req, reply) => {
    const ctx = req.web;
    const typed = typedVacation(readForm(req));
    const days = /^\d{1,4}$/.test(typed.days) ? Number(typed.days) : Number.NaN;
    if (Number.isNaN(days)) return page(req, reply, { error: ctx.strings(SETTINGS)('vacation.bad-days'), typed });
    const error = await attempt(ctx, () => setVacation(deps.db, accountOf(req).id, { ...typed, days }, byMe(ctx)), { min, max });
    if (error) return page(req, reply, { error, typed });
    return seeOther(reply, doneUrl('vacation', 'vacation'));
  });
}
