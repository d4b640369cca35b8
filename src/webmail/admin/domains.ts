import type { FastifyInstance } from 'fastify';
import { transaction } from '../../store/db.js';
import { addDomainWithNewKey, findDomain, listDomains, setPasswordSource, type Domain } from '../../identity/domains.js';
import { PASSWORD_SOURCES, type PasswordSource } from '../../identity/directory-passwords.js';
import { domainDnsRecords } from '../../client-setup/domain-records.js';
import { appendAudit } from '../../audit/audit-log.js';
import { UserError } from '../../shared/errors.js';
import type { WebContext, WebmailDeps } from '../context.js';
import { accountOf, PageError } from '../context.js';
import { readForm } from '../forms.js';
import { attrIf, html, type SafeHtml } from '../html.js';
import { csrfField } from '../layout.js';
import { seeOther, userErrorText } from '../plugin.js';
import { noticeUrl, queryText, requireRoles, sendConsolePage } from './sec-access.js';
import { SEC } from './sec-strings.js';

const SUPERADMIN = ['superadmin'] as const;
const domainHref = (name: string) => `/admin/domains/${encodeURIComponent(name)}`;

async function domainNamed(deps: WebmailDeps, ctx: WebContext, name: string): Promise<Domain> {
  let domain: Domain | undefined;
  try {
    domain = await findDomain(deps.db, name);
  } catch (err) {
    if (!(err instanceof UserError)) throw err;
  }
  if (!domain) throw new PageError(404, ctx.t('error.not-found'));
  return domain;
}

function listPage(ctx: WebContext, domains: readonly Domain[], typed = ''): SafeHtml {
  const t = ctx.strings(SEC);
  return html`<h1>${t('domains.title')}</h1>
${domains.length === 0 ? html`<p class="muted">${t('common.empty')}</p>` : html`<table class="list domains"><thead><tr><th>${t('domains.name')}</th><th>${t('domains.selector')}</th><th>${t('domains.passwords')}</th><th>${t('common.created')}</th></tr></thead>
<tbody>${domains.map((d) => html`<tr><td><a href="${domainHref(d.name)}">${d.name}</a></td><td>${d.dkimSelector ?? t('common.none')}</td><td>${t(`domains.passwords.${d.passwordSource}`)}</td><td>${ctx.format.shortDate(d.createdAt)}</td></tr>`)}</tbody></table>`}
<h2>${t('domains.add')}</h2>
<form method="post" action="/admin/domains" class="card narrow-form">${csrfField(ctx)}
<label for="name">${t('domains.name')}</label><input type="text" id="name" name="name" value="${typed}" required maxlength="253" placeholder="sotuphap.yenbai.gov.vn">
<p class="hint">${t('domains.add-help')}</p><div class="actions"><button type="submit">${t('domains.add')}</button></div></form>`;
}

function domainPage(ctx: WebContext, domain: Domain, directoryConfigured: boolean): SafeHtml {
  const t = ctx.strings(SEC);
  const dns = domainDnsRecords(ctx.deps.config, domain);
  const value = (r: (typeof dns.records)[number]) => [r.priority, r.weight, r.port, r.value].filter((v) => v !== undefined).join(' ');
  return html`<h1>${domain.name}</h1>
<p>${t('domains.selector')}: <code>${domain.dkimSelector ?? t('common.none')}</code> · ${t('common.created')}: ${ctx.format.shortDate(domain.createdAt)}</p>
<form method="post" action="${domainHref(domain.name)}/passwords" class="inline-form">${csrfField(ctx)}
<label for="source">${t('domains.passwords')}</label><select id="source" name="source">${PASSWORD_SOURCES.map(
    (s) => html`<option value="${s}"${attrIf(s === domain.passwordSource, 'selected')}${attrIf(s === 'directory' && !directoryConfigured && domain.passwordSource !== s, 'disabled')}>${t(`domains.passwords.${s}`)}</option>`,
  )}</select> <button type="submit" class="secondary">${t('domains.change-passwords')}</button></form>
${directoryConfigured ? '' : html`<p class="hint">${t('domains.no-directory')}</p>`}
<h2>${t('domains.dns')}</h2><p class="hint">${t('domains.dns-help')}</p>
<div class="table-wrap"><table class="list dns"><thead><tr><th>${t('domains.col.purpose')}</th><th>${t('domains.col.name')}</th><th>${t('domains.col.type')}</th><th>TTL</th><th>${t('domains.col.value')}</th></tr></thead>
<tbody>${dns.records.map((r) => html`<tr><td>${r.purpose}</td><td><code>${r.name}</code></td><td>${r.type}</td><td>${r.ttl}</td><td><code class="json">${value(r)}</code></td></tr>`)}</tbody></table></div>
<label for="zone">${t('domains.zone')}</label><textarea id="zone" class="zone" readonly rows="12">${dns.zoneFile}</textarea>`;
}

/** Superadmins: the local domains, adding one (with its DKIM key), each one's DNS records and password source. */
export function registerDomainPages(app: FastifyInstance, deps: WebmailDeps): void {
  const directoryConfigured = Boolean(deps.config.provisioning.ldap);

  app.get('/admin/domains', { config: { access: 'console' } }, async (req, reply) => {
    await requireRoles(req, SUPERADMIN);
    return sendConsolePage(req, reply, { title: req.web.strings(SEC)('domains.title'), menuPath: '/admin/domains', main: listPage(req.web, await listDomains(deps.db)) });
  });

  app.post('/admin/domains', { config: { access: 'console' } }, async (req, reply) => {
    await requireRoles(req, SUPERADMIN);
    const name = readForm(req).text('name');
    try {
      const domain = await addDomainWithNewKey(deps.db, name, { actor: accountOf(req).address, source: req.web.ip, data: { via: 'web' } });
      return seeOther(reply, noticeUrl(domainHref(domain.name), { done: 'added' }));
    } catch (err) {
      if (!(err instanceof UserError)) throw err;
      const main = listPage(req.web, await listDomains(deps.db), name);
      return sendConsolePage(req, reply, { title: req.web.strings(SEC)('domains.title'), menuPath: '/admin/domains', main, error: userErrorText(req.web, err), status: 400 });
    }
  });

  app.get<{ Params: { name: string } }>('/admin/domains/:name', { config: { access: 'console' } }, async (req, reply) => {
    await requireRoles(req, SUPERADMIN);
    const t = req.web.strings(SEC);
    const domain = await domainNamed(deps, req.web, req.params.name);
    const done = queryText(req, 'done');
    const notice = done === 'added' ? t('domains.added', { name: domain.name })
      : done === 'passwords' ? t('domains.passwords-changed', { name: domain.name, source: t(`domains.passwords.${domain.passwordSource}`) }) : undefined;
    return sendConsolePage(req, reply, { title: domain.name, menuPath: '/admin/domains', main: domainPage(req.web, domain, directoryConfigured), notice });
  });

  app.post<{ Params: { name: string } }>('/admin/domains/:name/passwords', { config: { access: 'console' } }, async (req, reply) => {
    await requireRoles(req, SUPERADMIN);
    const t = req.web.strings(SEC);
    const domain = await domainNamed(deps, req.web, req.params.name);
    const source = readForm(req).text('source') as PasswordSource;
    if (!PASSWORD_SOURCES.includes(source)) throw new UserError('bad-password-source', `"${source}" is not a password source; use ${PASSWORD_SOURCES.join(' or ')}`);
    if (source === 'directory' && !directoryConfigured) {
      return sendConsolePage(req, reply, { title: domain.name, menuPath: '/admin/domains', main: domainPage(req.web, domain, directoryConfigured), error: t('domains.no-directory'), status: 400 });
    }
    if (source !== domain.passwordSource) {
      await transaction(deps.db, async (client) => {
        await setPasswordSource(client, domain.id, source);
        await appendAudit(client, { actor: accountOf(req).address, action: 'domain.passwords', target: domain.name, source: req.web.ip, data: { before: domain.passwordSource, after: source, via: 'web' } });
      });
    }
    return seeOther(reply, noticeUrl(domainHref(domain.name), { done: 'passwords' }));
  });
}
