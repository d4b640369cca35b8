import type { FastifyInstance } from 'fastify';
import { findAccount } from '../../identity/accounts.js';
import { listAccountsByName } from '../../identity/listing.js';
import { lockedAddresses } from '../../identity/lockout.js';
import { describeScope } from '../../identity/account-admin.js';
import { mayManageAccount, type RoleScope } from '../../identity/roles.js';
import { listRuns } from '../../provisioning/runs.js';
import type { WebContext, WebmailDeps } from '../context.js';
import { html } from '../html.js';
import { renderPage } from '../layout.js';
import { sendPage } from '../plugin.js';
import { consoleMenu, hasRole } from './menu.js';
import { HR_STRINGS } from './hr-strings.js';
import { ACCOUNT_ROLES, listFilter } from './accounts-scope.js';
import { runsVisibleTo } from './provisioning-scope.js';

/** How many accounts the person manages, active and disabled, and how many of them are locked now. */
async function accountCounts(ctx: WebContext, scopes: readonly RoleScope[]) {
  const { db, redis, config } = ctx.deps;
  const reach = await listFilter(ctx, scopes);
  const count = async (status?: 'active' | 'disabled') => (await listAccountsByName(db, { ...reach, ...(status ? { status } : {}) }, { offset: 0, limit: 0 })).total;
  const [all, active, disabled] = await Promise.all([count(), count('active'), count('disabled')]);
  let locked = 0;
  for (const address of await lockedAddresses({ redis, prefix: config.redisPrefix })) {
    const account = await findAccount(db, address);
    if (account && (await Promise.all(scopes.map((s) => mayManageAccount(db, s, account)))).some(Boolean)) locked++;
  }
  return { all, active, disabled, locked };
}

/**
 * The console's first page, for every administrative role: what the person may do
 * (their roles and where they reach) and, for those who manage accounts, the counts of
 * their accounts and the provisioning plans waiting to be applied.
 */
export function registerAdminHome(app: FastifyInstance, deps: WebmailDeps): void {
  app.get('/admin/', { config: { access: 'console' } }, async (req, reply) => {
    const ctx = req.web;
    const t = ctx.strings(HR_STRINGS);
    const scopes = (await ctx.scopes()).filter((s) => s.role !== 'user');
    const roles = await Promise.all(scopes.map(async (s) => html`<li><strong>${t(`role.${s.role as Exclude<RoleScope['role'], 'user'>}`)}</strong>: ${s.role === 'superadmin' || s.role === 'auditor' ? t(`role.${s.role}.reach`) : await describeScope(deps.db, s)}</li>`));
    const managers = scopes.filter((s) => ACCOUNT_ROLES.includes(s.role));
    const counts = managers.length ? await accountCounts(ctx, managers) : undefined;
    const pending = hasRole(scopes, ['superadmin', 'agency-admin'])
      ? runsVisibleTo(ctx, scopes, await listRuns(deps.db, 200)).filter((r) => r.status === 'pending' || r.status === 'failed')
      : [];
    const n = (v: number) => ctx.format.count(v);
    const main = html`<h1>${t('home.title')}</h1>
<section class="card"><h2>${t('home.roles')}</h2><ul>${roles}</ul></section>
${counts
  ? html`<section class="stats" aria-label="${t('home.counts')}">
<a class="stat" href="/admin/accounts"><span class="n">${n(counts.all)}</span>${t('home.accounts')}</a>
<a class="stat" href="/admin/accounts?status=active"><span class="n">${n(counts.active)}</span>${t('home.active')}</a>
<a class="stat" href="/admin/accounts?status=disabled"><span class="n">${n(counts.disabled)}</span>${t('home.disabled')}</a>
<span class="stat"><span class="n">${n(counts.locked)}</span>${t('home.locked')}</span>
${hasRole(scopes, ['superadmin', 'agency-admin']) ? html`<a class="stat" href="/admin/provisioning"><span class="n">${n(pending.length)}</span>${t('home.pending')}</a>` : ''}
</section>`
  : ''}
${pending.length ? html`<h2>${t('home.pending-plans')}</h2><ul>${pending.map((r) => html`<li><a href="/admin/provisioning/runs/${r.id}">${r.source}</a> · ${ctx.format.longDate(r.createdAt)}</li>`)}</ul>` : ''}`;
    return sendPage(reply, await renderPage(ctx, { title: t('home.title'), section: 'admin', current: 'admin', sidebar: await consoleMenu(ctx, '/admin/'), main }));
  });
}
