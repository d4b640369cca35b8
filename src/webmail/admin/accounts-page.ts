import type { FastifyInstance, FastifyReply, FastifyRequest } from 'fastify';
import { transaction } from '../../store/db.js';
import { UserError } from '../../shared/errors.js';
import { findAccount, type Account } from '../../identity/accounts.js';
import { findAgency, getAgencyById } from '../../identity/agencies.js';
import { resetManagedPassword, setManagedAccountStatus, unlockManagedAccount, updateManagedAccount } from '../../identity/account-admin.js';
import { lockedForSeconds } from '../../identity/lockout.js';
import { tryNormalizeAddress } from '../../identity/address.js';
import { groupCode, randomBase32 } from '../../identity/secret-codes.js';
import type { RoleScope } from '../../identity/roles.js';
import { accountUsageDetail } from '../../mail/quota.js';
import { PageError, type WebmailDeps } from '../context.js';
import { readForm } from '../forms.js';
import { html, type SafeHtml } from '../html.js';
import { csrfField, renderPage } from '../layout.js';
import { seeOther, sendPage } from '../plugin.js';
import { consoleMenu } from './menu.js';
import { HR_STRINGS } from './hr-strings.js';
import { ACCOUNT_ROLES, agencyTree, consoleActor, mayLeaveAgencyEmpty, scopeOfAccount, scopeOfAgency, scopesWith } from './accounts-scope.js';
import { agencyOptions, hrErrorText, quotaMegabytes, statusLabel } from './accounts-view.js';

/** The notices the account page shows after a change (?done=…), never free text from the URL. */
const DONE = {
  created: 'done.created',
  saved: 'done.saved',
  disabled: 'done.disabled',
  enabled: 'done.enabled',
  unlocked: 'done.unlocked',
  'not-locked': 'done.not-locked',
} as const;

/** A temporary password: 20 random base32 characters in groups of 5 (100 bits), far from any name or common password. */
const temporaryPassword = () => groupCode(randomBase32(20), 5);

/**
 * One account in the console: its details (with whether it is locked now and how much
 * of its quota it uses) and the HR officer's changes to it: edit name, title, agency
 * and quota; disable or enable; a temporary password or a new activation code, shown
 * once; unlock. Every change goes through the identity module's audited functions with
 * the officer as actor; an account outside their scope is a 404.
 */
export function registerAccountPage(app: FastifyInstance, deps: WebmailDeps): void {
  const guard = { redis: deps.redis, prefix: deps.config.redisPrefix };

  /** The account of the URL and the scope that reaches it; 404 when either is missing. */
  async function target(req: FastifyRequest): Promise<{ account: Account; scope: RoleScope }> {
    const ctx = req.web;
    const scopes = await scopesWith(ctx, ACCOUNT_ROLES);
    const address = tryNormalizeAddress((req.params as { address: string }).address);
    const account = address ? await findAccount(deps.db, address) : undefined;
    if (!account) throw new PageError(404, ctx.t('error.not-found'));
    return { account, scope: await scopeOfAccount(ctx, scopes, account) };
  }

  async function accountPage(req: FastifyRequest, reply: FastifyReply, account: Account, extra: { error?: string; secret?: SafeHtml; status?: number } = {}) {
    const ctx = req.web;
    const t = ctx.strings(HR_STRINGS);
    const scopes = await scopesWith(ctx, ACCOUNT_ROLES);
    const tree = await agencyTree(ctx, scopes);
    const agency = account.agencyId !== null ? await getAgencyById(deps.db, account.agencyId) : undefined;
    const usage = await accountUsageDetail(deps.db, account.id);
    const locked = await lockedForSeconds(guard, account.address);
    const done = DONE[(req.query as { done?: string }).done as keyof typeof DONE];
    const path = `/admin/accounts/${encodeURIComponent(account.address)}`;
    const post = (action: string, label: string, cls = 'secondary', fields: SafeHtml | string = '') =>
      html`<form method="post" action="${path}/${action}">${csrfField(ctx)}${fields}<button class="${cls}" type="submit">${label}</button></form>`;
    const main = html`<p class="muted"><a href="/admin/accounts">${t('accounts.title')}</a> ›</p>
<h1>${account.displayName || account.address}</h1>
${extra.secret ?? ''}
<dl class="facts">
<dt>${t('account.address')}</dt><dd>${account.address}</dd>
<dt>${t('account.agency')}</dt><dd>${agency ? `${agency.name} (${agency.code})` : t('account.no-agency')}</dd>
<dt>${t('account.title-field')}</dt><dd>${account.title || '—'}</dd>
<dt>${t('account.kind')}</dt><dd>${t(`kind.${account.kind}`)}</dd>
<dt>${t('account.status')}</dt><dd>${statusLabel(ctx, account)}</dd>
<dt>${t('account.locked')}</dt><dd>${locked ? html`<span class="tag off">${t('account.locked-yes', { minutes: Math.ceil(locked / 60) })}</span>` : t('account.locked-no')}</dd>
<dt>${t('account.quota')}</dt><dd>${t('account.usage', { used: ctx.format.size(Number(usage.bytes)), quota: account.quotaBytes ? ctx.format.size(account.quotaBytes) : t('account.no-limit'), messages: ctx.format.count(Number(usage.messages)) })}</dd>
<dt>${t('account.created')}</dt><dd>${ctx.format.shortDate(account.createdAt)}</dd>
${account.externalId ? html`<dt>${t('account.external-id')}</dt><dd>${account.externalId}</dd>` : ''}
</dl>
<div class="actions">
${account.status === 'active' ? post('disable', t('action.disable'), 'danger') : post('enable', t('action.enable'))}
${post('reset', t('action.temporary-password'), 'secondary', html`<input type="hidden" name="method" value="password">`)}
${post('reset', t('action.activation-code'), 'secondary', html`<input type="hidden" name="method" value="activation-code">`)}
${locked ? post('unlock', t('action.unlock')) : ''}
</div>
<h2>${t('edit.title')}</h2>
<form class="card" method="post" action="${path}/edit">${csrfField(ctx)}
<label for="name">${t('account.name')}</label><input id="name" name="name" type="text" maxlength="500" required value="${account.displayName}">
<label for="title">${t('account.title-field')}</label><input id="title" name="title" type="text" maxlength="500" value="${account.title}">
<label for="agency">${t('account.agency')}</label><select id="agency" name="agency">${mayLeaveAgencyEmpty(scopes) || account.agencyId === null ? html`<option value="">${t('account.no-agency')}</option>` : ''}${agencyOptions(tree, account.agencyId)}</select>
<label for="quota">${t('account.quota-mb')}</label><input id="quota" name="quota" type="number" min="0" step="1" value="${quotaMegabytes(account.quotaBytes)}">
<div class="actions"><button type="submit">${t('action.save')}</button></div>
</form>`;
    const page = await renderPage(ctx, {
      title: account.displayName || account.address,
      section: 'admin',
      current: 'admin',
      sidebar: await consoleMenu(ctx, '/admin/accounts'),
      main,
      notice: done ? t(done) : undefined,
      error: extra.error,
    });
    return sendPage(reply, page, extra.status ?? 200);
  }

  app.get('/admin/accounts/:address', { config: { access: 'console' } }, async (req, reply) => accountPage(req, reply, (await target(req)).account));

  app.post('/admin/accounts/:address/edit', { config: { access: 'console' } }, async (req, reply) => {
    const ctx = req.web;
    const t = ctx.strings(HR_STRINGS);
    const { account, scope } = await target(req);
    const form = readForm(req);
    // an officer of two agencies may move a person from one to the other: the destination is checked under the scope reaching it
    const to = form.text('agency') ? await findAgency(deps.db, form.text('agency')) : null;
    const destination = (await scopeOfAgency(ctx, await scopesWith(ctx, ACCOUNT_ROLES), to?.id ?? null)) ?? scope;
    const quota = Number(form.text('quota'));
    if (form.text('quota') === '' || !Number.isSafeInteger(quota) || quota < 0) return accountPage(req, reply, account, { error: t('account.bad-quota'), status: 400 });
    if (!form.text('name').trim()) return accountPage(req, reply, account, { error: t('new.need-name'), status: 400 });
    try {
      // the quota is shown in MB: an unchanged field keeps the exact quota it shows rounded
      const quotaBytes = quota === quotaMegabytes(account.quotaBytes) ? account.quotaBytes : quota * 1024 * 1024;
      await transaction(deps.db, (client) =>
        updateManagedAccount(client, consoleActor(ctx, scope), account.address, {
          displayName: form.text('name'),
          title: form.text('title'),
          // an empty choice is "no agency", which the identity module refuses to an HR officer
          agency: form.text('agency') || null,
          quotaBytes,
        }, destination),
      );
    } catch (err) {
      if (err instanceof UserError) return accountPage(req, reply, account, { error: hrErrorText(ctx, err), status: 400 });
      throw err;
    }
    return seeOther(reply, `/admin/accounts/${encodeURIComponent(account.address)}?done=saved`);
  });

  for (const action of ['disable', 'enable'] as const) {
    app.post(`/admin/accounts/:address/${action}`, { config: { access: 'console' } }, async (req, reply) => {
      const { account, scope } = await target(req);
      await transaction(deps.db, (client) => setManagedAccountStatus(client, consoleActor(req.web, scope), account.address, action));
      return seeOther(reply, `/admin/accounts/${encodeURIComponent(account.address)}?done=${action}d`);
    });
  }

  app.post('/admin/accounts/:address/reset', { config: { access: 'console' } }, async (req, reply) => {
    const ctx = req.web;
    const t = ctx.strings(HR_STRINGS);
    const { account, scope } = await target(req);
    const byPassword = readForm(req).text('method') === 'password';
    const password = byPassword ? temporaryPassword() : undefined;
    const settings = { argon2: deps.config.argon2, passwordPolicy: deps.config.passwordPolicy, activationDays: deps.config.activation.codeDays };
    let reset;
    try {
      reset = await transaction(deps.db, (client) => resetManagedPassword(client, settings, consoleActor(ctx, scope), account.address, password));
    } catch (err) {
      if (err instanceof UserError) return accountPage(req, reply, account, { error: hrErrorText(ctx, err), status: 400 });
      throw err;
    }
    // a secret is shown once, in the answer to the POST itself (no-store), never in a URL
    const secret =
      reset.method === 'password'
        ? html`<div class="secret card" role="status"><h2>${t('reset.password-title')}</h2><p class="code">${password!}</p><p>${t('reset.password-help')}</p></div>`
        : html`<div class="secret card" role="status"><h2>${t('reset.code-title')}</h2><p class="code">${reset.code}</p><p>${t('reset.code-help', { date: ctx.format.shortDate(reset.expiresAt) })}</p></div>`;
    return accountPage(req, reply, account, { secret });
  });

  app.post('/admin/accounts/:address/unlock', { config: { access: 'console' } }, async (req, reply) => {
    const { account, scope } = await target(req);
    const lifted = await unlockManagedAccount(deps.db, guard, consoleActor(req.web, scope), account.address);
    return seeOther(reply, `/admin/accounts/${encodeURIComponent(account.address)}?done=${lifted ? 'unlocked' : 'not-locked'}`);
  });
}
