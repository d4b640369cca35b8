import type { FastifyInstance, FastifyReply, FastifyRequest } from 'fastify';
import { transaction } from '../../store/db.js';
import { UserError } from '../../shared/errors.js';
import { findAgency, getAgency } from '../../identity/agencies.js';
import { listAccountsByName } from '../../identity/listing.js';
import { listDomains, type Domain } from '../../identity/domains.js';
import { createManagedAccount } from '../../identity/account-admin.js';
import { mayManageDomain, type RoleScope } from '../../identity/roles.js';
import type { AccountKind } from '../../identity/accounts.js';
import { createDefaultMailboxes } from '../../mail/mailboxes.js';
import { AddressAllocator } from '../../provisioning/address-allocator.js';
import { loadCurrentState } from '../../provisioning/current-state.js';
import { PageError, type WebContext, type WebmailDeps } from '../context.js';
import { readForm } from '../forms.js';
import { attrIf, html } from '../html.js';
import { csrfField, renderPage } from '../layout.js';
import { seeOther, sendPage } from '../plugin.js';
import { consoleMenu } from './menu.js';
import { HR_STRINGS } from './hr-strings.js';
import { ACCOUNT_ROLES, agencyTree, consoleActor, listFilter, mayLeaveAgencyEmpty, scopeOfAgency, scopesWith } from './accounts-scope.js';
import { agencyOptions, hrErrorText, PAGE_SIZE, pageNumber, pager, quotaMegabytes, statusLabel } from './accounts-view.js';
import { registerAccountPage } from './accounts-page.js';

const KINDS: readonly AccountKind[] = ['person', 'agency', 'system'];

/** The domains the person may make accounts in: all but for a domain admin, who has their own. */
async function domainsInReach(ctx: WebContext, scopes: readonly RoleScope[]): Promise<Domain[]> {
  const all = await listDomains(ctx.deps.db);
  if (scopes.some((s) => s.role === 'superadmin' || s.role === 'agency-admin')) return all;
  return all.filter((d) => scopes.some((s) => mayManageDomain(s, d.id)));
}

/**
 * The HR officer's account list (search by name with or without diacritics or by
 * address, browse by agency, 50 a page in Vietnamese name order) and the form that
 * makes one account; the account's own page is in accounts-page.ts.
 */
export function registerAccountPages(app: FastifyInstance, deps: WebmailDeps): void {
  app.get('/admin/accounts', { config: { access: 'console' } }, async (req, reply) => {
    const ctx = req.web;
    const t = ctx.strings(HR_STRINGS);
    const scopes = await scopesWith(ctx, ACCOUNT_ROLES);
    const query = req.query as Record<string, string | undefined>;
    const q = (query.q ?? '').normalize('NFC').trim().slice(0, 200);
    const status = query.status === 'active' || query.status === 'disabled' ? query.status : undefined;
    const agency = query.agency ? await findAgency(deps.db, query.agency) : undefined;
    if (query.agency && !agency) throw new PageError(404, ctx.t('error.not-found'));
    const page = pageNumber(query.page);
    const reach = await listFilter(ctx, scopes, agency);
    const { accounts, total } = await listAccountsByName(
      deps.db,
      { ...reach, ...(q ? { text: q } : {}), ...(status ? { status } : {}) },
      { offset: (page - 1) * PAGE_SIZE, limit: PAGE_SIZE },
    );
    const tree = await agencyTree(ctx, scopes);
    const names = new Map(tree.map(({ agency: a }) => [a.id, a]));
    const href = (n: number) => `/admin/accounts?${new URLSearchParams({ ...(q ? { q } : {}), ...(agency ? { agency: agency.code } : {}), ...(status ? { status } : {}), page: String(n) })}`;
    const main = html`<h1>${t('accounts.title')}</h1>
<form class="filters" method="get" action="/admin/accounts" role="search">
<div><label for="q">${t('accounts.search')}</label><input id="q" name="q" type="search" value="${q}" placeholder="${t('accounts.search-hint')}"></div>
<div><label for="agency">${t('accounts.agency')}</label><select id="agency" name="agency"><option value="">${t('accounts.all-agencies')}</option>${agencyOptions(tree, agency?.id)}</select></div>
<div><label for="status">${t('accounts.status')}</label><select id="status" name="status"><option value="">${t('accounts.any-status')}</option>
<option value="active"${attrIf(status === 'active', 'selected')}>${t('status.active')}</option><option value="disabled"${attrIf(status === 'disabled', 'selected')}>${t('status.disabled')}</option></select></div>
<div class="go"><button type="submit">${t('accounts.find')}</button></div>
</form>
<p class="actions"><a class="button secondary" href="/admin/accounts/new">${t('accounts.new')}</a></p>
${accounts.length
  ? html`<table class="list accounts"><thead><tr><th>${t('account.name')}</th><th>${t('account.address')}</th><th>${t('account.agency')}</th><th>${t('account.status')}</th></tr></thead><tbody>
${accounts.map((a) => html`<tr><td><a href="/admin/accounts/${encodeURIComponent(a.address)}">${a.displayName || a.address}</a>${a.title ? html`<div class="muted">${a.title}</div>` : ''}</td><td>${a.address}</td><td>${a.agencyId !== null ? (names.get(a.agencyId)?.name ?? '') : ''}</td><td>${statusLabel(ctx, a)}</td></tr>`)}
</tbody></table>${pager(ctx, page, total, href)}`
  : html`<p class="card">${t('accounts.none')}</p>`}`;
    return sendPage(reply, await renderPage(ctx, { title: t('accounts.title'), section: 'admin', current: 'admin', sidebar: await consoleMenu(ctx, '/admin/accounts'), main }));
  });

  async function newAccountForm(req: FastifyRequest, reply: FastifyReply, error?: string, status = 200) {
    const ctx = req.web;
    const t = ctx.strings(HR_STRINGS);
    const scopes = await scopesWith(ctx, ACCOUNT_ROLES);
    const form = readForm(req);
    const tree = await agencyTree(ctx, scopes);
    const domains = await domainsInReach(ctx, scopes);
    const chosenDomain = form.text('domain') || deps.config.provisioning.domain || domains[0]?.name;
    const chosenAgency = tree.find((x) => x.agency.code === form.text('agency'))?.agency.id;
    const kind = form.text('kind') || 'person';
    const main = html`<h1>${t('new.title')}</h1>
<form class="card" method="post" action="/admin/accounts/new">${csrfField(ctx)}
<label for="name">${t('account.name')}</label><input id="name" name="name" type="text" required maxlength="500" value="${form.text('name')}">
<label for="title">${t('account.title-field')}</label><input id="title" name="title" type="text" maxlength="500" value="${form.text('title')}">
<label for="local">${t('new.address')}</label>
<div class="address-input"><input id="local" name="local" type="text" maxlength="64" value="${form.text('local')}" aria-describedby="local-hint"><span>@</span>
<select name="domain" aria-label="${t('new.domain')}">${domains.map((d) => html`<option${attrIf(d.name === chosenDomain, 'selected')}>${d.name}</option>`)}</select></div>
<p class="hint" id="local-hint">${t('new.address-hint')}</p>
<label for="agency">${t('account.agency')}</label><select id="agency" name="agency">${mayLeaveAgencyEmpty(scopes) ? html`<option value="">${t('account.no-agency')}</option>` : ''}${agencyOptions(tree, chosenAgency)}</select>
<label for="kind">${t('account.kind')}</label><select id="kind" name="kind">${KINDS.map((k) => html`<option value="${k}"${attrIf(k === kind, 'selected')}>${t(`kind.${k}`)}</option>`)}</select>
<label for="quota">${t('account.quota-mb')}</label><input id="quota" name="quota" type="number" min="0" step="1" value="${form.text('quota') || quotaMegabytes(deps.config.accounts.defaultQuotaBytes)}">
<div class="actions"><button type="submit">${t('new.submit')}</button><a class="button secondary" href="/admin/accounts">${t('action.cancel')}</a></div>
</form>`;
    return sendPage(reply, await renderPage(ctx, { title: t('new.title'), section: 'admin', current: 'admin', sidebar: await consoleMenu(ctx, '/admin/accounts'), main, error }), status);
  }

  app.get('/admin/accounts/new', { config: { access: 'console' } }, (req, reply) => newAccountForm(req, reply));

  app.post('/admin/accounts/new', { config: { access: 'console' } }, async (req, reply) => {
    const ctx = req.web;
    const t = ctx.strings(HR_STRINGS);
    const scopes = await scopesWith(ctx, ACCOUNT_ROLES);
    const form = readForm(req);
    const name = form.text('name').trim();
    const domain = form.text('domain').trim().toLowerCase();
    const kind = form.text('kind') as AccountKind;
    const quota = Number(form.text('quota') || quotaMegabytes(deps.config.accounts.defaultQuotaBytes));
    if (!name) return newAccountForm(req, reply, t('new.need-name'), 400);
    if (!KINDS.includes(kind)) return newAccountForm(req, reply, t('new.bad-kind'), 400);
    if (!Number.isSafeInteger(quota) || quota < 0) return newAccountForm(req, reply, t('account.bad-quota'), 400);
    if (!(await domainsInReach(ctx, scopes)).some((d) => d.name === domain)) return newAccountForm(req, reply, t('new.bad-domain'), 400);
    try {
      const agency = form.text('agency') ? await getAgency(deps.db, form.text('agency')) : null;
      const scope = await scopeOfAgency(ctx, scopes, agency?.id ?? null);
      if (!scope) return newAccountForm(req, reply, t('new.agency-out-of-scope', { code: agency?.code ?? '—' }), 403);
      let local = form.text('local').trim().toLowerCase();
      if (!local) {
        const state = await loadCurrentState(deps.db, deps.config.provisioning.addresses.reuseAfterDays);
        const allocator = new AddressAllocator({ domain, ...deps.config.provisioning.addresses }, [...state.inUse, ...state.held.map((h) => h.address)]);
        const made = allocator.forPerson(name, agency?.code ?? '');
        if (!made) return newAccountForm(req, reply, t('new.no-address'), 400);
        local = made.slice(0, made.lastIndexOf('@'));
      }
      const account = await transaction(deps.db, (client) =>
        createManagedAccount(
          client,
          { argon2: deps.config.argon2, passwordPolicy: deps.config.passwordPolicy },
          consoleActor(ctx, scope),
          { address: `${local}@${domain}`, displayName: name, title: form.text('title'), kind, agency: agency?.code ?? null, quotaBytes: quota * 1024 * 1024 },
          (c, created) => createDefaultMailboxes(c, created.id),
        ),
      );
      return seeOther(reply, `/admin/accounts/${encodeURIComponent(account.address)}?done=created`);
    } catch (err) {
      if (err instanceof UserError) return newAccountForm(req, reply, hrErrorText(ctx, err), 400);
      throw err;
    }
  });

  registerAccountPage(app, deps);
}
