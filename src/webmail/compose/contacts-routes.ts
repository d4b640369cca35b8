import type { FastifyInstance } from 'fastify';
import { agencySubtreeIds, listAgencies } from '../../identity/agencies.js';
import type { WebmailDeps } from '../context.js';
import { attrIf, html } from '../html.js';
import { renderPage } from '../layout.js';
import { sendPage } from '../plugin.js';
import { searchDirectory, type DirectoryEntry } from './directory.js';
import { COMPOSE } from './strings.js';

const PAGE_SIZE = 50;
/** what the compose form's recipient suggestions show at most */
const SUGGESTIONS = 10;

type ContactsQuery = { q?: string; agency?: string; page?: string };

const agencyFilter = async (deps: WebmailDeps, agency: string | undefined) => {
  const id = Number(agency);
  return agency && Number.isSafeInteger(id) && id > 0 ? agencySubtreeIds(deps.db, id) : undefined;
};

/**
 * /mail/contacts: the province's address book (people, agency mailboxes, groups),
 * searchable with or without diacritics, narrowed by agency, in pages; each entry links
 * to compose. /mail/contacts.json?q= gives the compose form its recipient suggestions.
 */
export function registerContactsRoutes(app: FastifyInstance, deps: WebmailDeps): void {
  app.get('/mail/contacts', async (req, reply) => {
    const ctx = req.web;
    const t = ctx.strings(COMPOSE);
    const query = req.query as ContactsQuery;
    const text = (query.q ?? '').slice(0, 200);
    const page = Math.max(1, Math.min(10_000, Number(query.page) || 1));
    const agencies = ctx.format.sortBy((await listAgencies(deps.db)).filter((a) => a.status === 'active'), (a) => a.name);
    const { entries, total } = await searchDirectory(deps.db, { text, agencyIds: await agencyFilter(deps, query.agency), offset: (page - 1) * PAGE_SIZE, limit: PAGE_SIZE });
    const link = (p: number) => `/mail/contacts?${new URLSearchParams({ ...(text ? { q: text } : {}), ...(query.agency ? { agency: query.agency } : {}), page: String(p) })}`;
    const kindLabel = (e: DirectoryEntry) => (e.kind === 'group' ? t('contacts.group') : e.kind === 'agency' ? t('contacts.agency-mailbox') : e.title);
    const main = html`<h1>${t('contacts.title')}</h1>
<form method="get" action="/mail/contacts" class="contacts-search" role="search">
<label for="q" class="sr">${t('contacts.search')}</label><input type="search" id="q" name="q" value="${text}" placeholder="${t('contacts.search')}" data-key="slash">
<label for="agency" class="sr">${t('contacts.agency')}</label><select id="agency" name="agency"><option value="">${t('contacts.all-agencies')}</option>${agencies.map(
      (a) => html`<option value="${a.id}"${attrIf(String(a.id) === query.agency, 'selected')}>${a.name}</option>`,
    )}</select>
<button type="submit">${t('contacts.search-button')}</button></form>
<p class="muted">${t('contacts.count', { count: ctx.format.count(total) })}</p>
${entries.length === 0
      ? html`<p>${t('contacts.none')}</p>`
      : html`<table class="list contacts"><thead><tr><th>${t('contacts.name')}</th><th>${t('contacts.address')}</th><th>${t('contacts.agency')}</th><th><span class="sr">${t('contacts.write')}</span></th></tr></thead><tbody>
${entries.map((e) => html`<tr><td>${e.name || e.address}${kindLabel(e) ? html`<br><span class="muted">${kindLabel(e)}</span>` : ''}</td><td>${e.address}</td><td>${e.agency ?? ''}</td><td><a href="/mail/compose?to=${encodeURIComponent(e.address)}">${t('contacts.write')}</a></td></tr>`)}
</tbody></table>`}
<nav class="pager">${page > 1 ? html`<a href="${link(page - 1)}">${t('contacts.previous')}</a>` : ''}${page * PAGE_SIZE < total ? html`<a href="${link(page + 1)}">${t('contacts.next')}</a>` : ''}</nav>`;
    return sendPage(reply, await renderPage(ctx, { title: t('contacts.title'), section: 'mail', current: 'contacts', main }));
  });

  app.get('/mail/contacts.json', async (req, reply) => {
    const text = String((req.query as ContactsQuery).q ?? '').slice(0, 200);
    const { entries } = text.trim() ? await searchDirectory(deps.db, { text, offset: 0, limit: SUGGESTIONS }) : { entries: [] };
    return reply
      .header('Cache-Control', 'no-store')
      .type('application/json; charset=utf-8')
      .send(entries.map((e) => ({ name: e.name, address: e.address, agency: e.agency, kind: e.kind })));
  });
}
