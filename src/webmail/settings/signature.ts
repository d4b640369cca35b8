import type { FastifyInstance, FastifyReply, FastifyRequest } from 'fastify';
import { getPreferences, PREFERENCE_LIMITS, setSignature } from '../../identity/preferences.js';
import { accountOf, type WebmailDeps } from '../context.js';
import { readForm } from '../forms.js';
import { html } from '../html.js';
import { csrfField } from '../layout.js';
import { seeOther } from '../plugin.js';
import { attempt, byMe, doneUrl, sendSettingsPage } from './frame.js';
import { SETTINGS } from './strings.js';

/** The plain-text signature put under new messages, replies and forwards. */
export function registerSignatureSettings(app: FastifyInstance, deps: WebmailDeps): void {
  async function page(req: FastifyRequest, reply: FastifyReply, state: { error?: string; typed?: string } = {}) {
    const ctx = req.web;
    const t = ctx.strings(SETTINGS);
    const signature = state.typed ?? (await getPreferences(deps.db, accountOf(req).id)).signature;
    const max = PREFERENCE_LIMITS.signatureChars;
    const main = html`<div class="card"><h1>${t('menu.signature')}</h1><p>${t('signature.help', { max: ctx.format.count(max) })}</p>
<form method="post" action="/mail/settings/signature">${csrfField(ctx)}
<label for="signature">${t('signature.label')}</label><textarea id="signature" name="signature" rows="6" maxlength="${max}">${signature}</textarea>
<div class="actions"><button type="submit">${t('save')}</button></div></form></div>`;
    return sendSettingsPage(req, reply, { section: 'signature', main, error: state.error, status: state.error ? 400 : 200 });
  }

  app.get('/mail/settings/signature', (req, reply) => page(req, reply));

  app.post('/mail/settings/signature', async (req, reply) => {
    const ctx = req.web;
    const typed = readForm(req).text('signature');
    const error = await attempt(ctx, () => setSignature(deps.db, accountOf(req).id, typed, byMe(ctx)));
    if (error) return page(req, reply, { error, typed });
    return seeOther(reply, doneUrl('signature', 'signature'));
  });
}
