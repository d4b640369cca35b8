import type { FastifyReply, FastifyRequest } from 'fastify';
import { ensureSearchText, type SearchKey } from '../../mail/index.js';
import { SearchSql } from '../../mail/search-sql.js';
import { PageError, type WebContext } from '../context.js';
import { html, attrIf } from '../html.js';
import { renderPage } from '../layout.js';
import { sendPage } from '../plugin.js';
import { openMailbox } from '../mail-access.js';
import { folderEntries, folderSidebar, openFolder, ownInboxId } from './folders.js';
import { listRows, PAGE_SIZE } from './list-query.js';
import { messageTable, pager } from './list-view.js';
import { MAIL } from './strings.js';

/** The fields of the search form. */
const TEXT_FIELDS = ['q', 'from', 'to', 'subject', 'body'] as const;

const str = (v: unknown): string => (typeof v === 'string' ? v.normalize('NFC').trim().slice(0, 200) : '');

/** "2026-03-04" (an <input type="date">) as a calendar day, or an error. */
function day(ctx: WebContext, value: string): { year: number; month: number; day: number } {
  const m = /^(\d{4})-(\d{2})-(\d{2})$/.exec(value);
  const d = m ? new Date(Date.UTC(+m[1]!, +m[2]! - 1, +m[3]!)) : null;
  if (!m || !d || d.getUTCDate() !== +m[3]! || d.getUTCMonth() !== +m[2]! - 1) throw new PageError(400, ctx.strings(MAIL)('search.bad-date'));
  return { year: +m[1]!, month: +m[2]!, day: +m[3]! };
}

/**
 * The form as the search engine's query (src/mail/search-query.ts, the one IMAP SEARCH
 * builds): every field given must match; text compares folded, so "Nguyen" finds "Nguyễn".
 */
export function searchQuery(ctx: WebContext, query: Record<string, unknown>): SearchKey | null {
  const all: SearchKey[] = [];
  const q = str(query.q);
  if (q) all.push({ key: 'text', value: q });
  for (const key of ['from', 'to', 'subject', 'body'] as const) {
    const value = str(query[key]);
    if (value) all.push({ key, value });
  }
  // BEFORE/SINCE: the arrival day in the server's zone (RFC 9051 §6.4.4)
  if (str(query.since)) all.push({ key: 'internaldate', op: 'since', day: day(ctx, str(query.since)) });
  if (str(query.before)) all.push({ key: 'internaldate', op: 'before', day: day(ctx, str(query.before)) });
  return all.length ? { key: 'and', all } : null;
}

/**
 * /mail/search: the folder given (f) or every folder of its mailbox (all=1), newest first,
 * 50 a page. The search text a folder still lacks is made first (ensureSearchText), as
 * IMAP SEARCH does; the condition is the engine's own SQL (SearchSql).
 */
export async function showSearch(req: FastifyRequest, reply: FastifyReply) {
  const ctx = req.web;
  const t = ctx.strings(MAIL);
  const query = req.query as Record<string, unknown>;
  const anchorId = Number(str(query.f)) || (await ownInboxId(ctx));
  if (!anchorId) throw new PageError(404, ctx.t('error.not-found'));
  const anchor = await openFolder(ctx, anchorId, { audit: true });
  const everywhere = query.all === '1';
  const entries = await folderEntries(ctx, anchor.owner.id);
  const names = new Map(entries.map((e) => [e.mailbox.id, e.label]));
  const key = searchQuery(ctx, query);
  const pageNo = Math.max(1, Math.min(1_000_000, Number(query.page) | 0 || 1));
  let results = html``;
  if (key) {
    const folders = everywhere ? entries.filter((e) => !e.mailbox.noselect).map((e) => e.mailbox.id) : [anchorId];
    for (const id of folders) {
      await openMailbox(ctx, id); // the one access check, for every folder searched
      await ensureSearchText(ctx.deps.db, ctx.deps.blobs, id);
    }
    const sql = new SearchSql(ctx.deps.config.web.timeZone);
    const condition = sql.compile(key);
    const ids = `$${sql.params.push(folders)}`;
    const limit = `$${sql.params.push(PAGE_SIZE)}`;
    const offset = `$${sql.params.push((pageNo - 1) * PAGE_SIZE)}`;
    const { rows } = await ctx.deps.db.query<{ mailbox_id: number; uid: number; total: number }>(
      `SELECT m.mailbox_id, m.uid, count(*) OVER ()::int AS total
         FROM messages m LEFT JOIN blob_search s ON s.hash = m.blob_hash
        WHERE m.mailbox_id = ANY (${ids}::bigint[]) AND (${condition})
        ORDER BY COALESCE(m.sent_date, m.internal_date) DESC, m.uid DESC LIMIT ${limit} OFFSET ${offset}`,
      sql.params,
    );
    const listed = await listRows(ctx.deps.db, rows.map((r) => ({ mailboxId: r.mailbox_id, uid: r.uid })));
    const page = { rows: listed, total: rows[0]?.total ?? 0 };
    const link = (p: number) => {
      const q = new URLSearchParams();
      for (const [k, v] of Object.entries(query)) if (k !== 'page' && typeof v === 'string' && v) q.set(k, v);
      q.set('page', String(p));
      return `/mail/search?${q}`;
    };
    results =
      page.total === 0
        ? html`<p class="empty card">${t('search.empty')}</p>`
        : html`${messageTable(ctx, listed, { selectable: false, folderNames: everywhere ? names : undefined })}${pager(ctx, page, pageNo, link)}`;
  }
  const q = str(query.q);
  const value = (k: string) => str(query[k]);
  const advanced = TEXT_FIELDS.slice(1).some((k) => value(k)) || value('since') || value('before');
  const main = html`<h1>${q ? t('search.results', { q }) : t('search.results-plain')}</h1>
<form class="searchform card" method="get" action="/mail/search" role="search">
<input type="hidden" name="f" value="${anchorId}">
<label for="sq">${t('search.label')}</label><input type="search" id="sq" name="q" value="${q}" placeholder="${t('search.placeholder')}">
<details${attrIf(Boolean(advanced), 'open')}><summary>${t('search.advanced')}</summary><div class="grid">
<label>${t('search.from')}<input type="text" name="from" value="${value('from')}"></label>
<label>${t('search.to')}<input type="text" name="to" value="${value('to')}"></label>
<label>${t('search.subject')}<input type="text" name="subject" value="${value('subject')}"></label>
<label>${t('search.body')}<input type="text" name="body" value="${value('body')}"></label>
<label>${t('search.since')}<input type="date" name="since" value="${value('since')}"></label>
<label>${t('search.before')}<input type="date" name="before" value="${value('before')}"></label>
</div></details>
<fieldset class="scope"><legend>${t('search.scope')}</legend>
<label class="check"><input type="radio" name="all" value="0"${attrIf(!everywhere, 'checked')}> ${t('search.scope-folder')} (${names.get(anchorId) ?? ''})</label>
<label class="check"><input type="radio" name="all" value="1"${attrIf(everywhere, 'checked')}> ${t('search.scope-all')}</label>
</fieldset>
<div class="actions"><button type="submit">${t('search.submit')}</button></div>
</form>
${key ? results : Object.keys(query).some((k) => TEXT_FIELDS.includes(k as never)) ? html`<p class="hint">${t('search.nothing')}</p>` : ''}`;
  return sendPage(reply, await renderPage(ctx, { title: t('search.title'), section: 'mail', current: 'mail', main, sidebar: await folderSidebar(ctx, anchor.owner.id, anchorId) }));
}
