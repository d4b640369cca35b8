import type { FastifyInstance } from 'fastify';
import { listAppPasswords } from '../../identity/app-passwords.js';
import { getPreferences } from '../../identity/preferences.js';
import { unusedRecoveryCodes } from '../../identity/recovery-codes.js';
import { hasSecondFactor } from '../../identity/totp.js';
import { listSessions } from '../../identity/web-sessions.js';
import { accountOf, type WebmailDeps } from '../context.js';
import { html } from '../html.js';
import { registerAppPasswordSettings } from './app-passwords.js';
import { SECTIONS, sectionPath, sendSettingsPage, type Section } from './frame.js';
import { registerLanguageSettings } from './language.js';
import { registerPasswordSettings } from './password.js';
import { registerSessionSettings } from './sessions.js';
import { registerSignatureSettings } from './signature.js';
import { SETTINGS } from './strings.js';
import { registerTwoFactorSettings } from './two-factor.js';
import { registerVacationSettings } from './vacation.js';

/**
 * The staff webmail's settings (/mail/settings): an overview of each section's state,
 * and one page per section. Every change is a POST answered with 303 and a notice.
 */
export function registerSettings(app: FastifyInstance, deps: WebmailDeps): void {
  app.get('/mail/settings', async (req, reply) => {
    const ctx = req.web;
    const t = ctx.strings(SETTINGS);
    const account = accountOf(req);
    const [secondFactor, recoveryLeft, appPasswords, sessions, prefs] = await Promise.all([
      hasSecondFactor(deps.db, account.id),
      unusedRecoveryCodes(deps.db, account.id),
      listAppPasswords(deps.db, account.id),
      listSessions(deps.db, account.id),
      getPreferences(deps.db, account.id),
    ]);
    const state: Record<Section, string> = {
      password: t('overview.password'),
      'two-factor': secondFactor ? t('overview.two-factor-on', { count: recoveryLeft }) : t('overview.two-factor-off'),
      'app-passwords': appPasswords.length ? t('overview.app-passwords', { count: appPasswords.length }) : t('app.none'),
      sessions: t('overview.sessions', { count: sessions.filter((s) => s.stage === 'ready').length }),
      signature: prefs.signature ? t('overview.signature-set') : t('overview.signature-none'),
      vacation: prefs.vacation.enabled ? t('overview.vacation-on') : t('overview.vacation-off'),
      language: t('overview.language', { language: ctx.t(`lang.${prefs.language}`) }),
    };
    const main = html`<h1>${t('title')}</h1><div class="settings-grid">${SECTIONS.map(
      (s) => html`<a class="card setting ${s}${s === 'two-factor' && !secondFactor ? ' attention' : ''}" href="${sectionPath(s)}"><strong>${t(`menu.${s}`)}</strong><span>${state[s]}</span></a>`,
    )}</div>`;
    return sendSettingsPage(req, reply, { section: 'overview', main });
  });
  registerPasswordSettings(app, deps);
  registerTwoFactorSettings(app, deps);
  registerAppPasswordSettings(app, deps);
  registerSessionSettings(app, deps);
  registerSignatureSettings(app, deps);
  registerVacationSettings(app, deps);
  registerLanguageSettings(app, deps);
}
