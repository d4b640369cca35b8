import type { WebContext } from '../context.js';
import { html, attrIf, type SafeHtml } from '../html.js';
import { csrfField } from '../layout.js';
import type { Mailbox } from '../../mail/index.js';
import { FILTERS, PAGE_SIZE, SORTS, type ListPage, type ListRow, type ListView } from './list-query.js';
import { MAIL, type MailKey } from './strings.js';
import type { FolderEntry } from './folders.js';

const DEFAULT_VIEW: ListView = { sort: 'date', desc: true, filter: 'all', threads: false, page: 1 };

const oneOf = <T extends string>(list: readonly T[], value: unknown, fallback: T): T => (list.includes(value as T) ? (value as T) : fallback);

/** The list's view from a query string; anything unknown falls back to the default (newest first, all, page 1). */
export function parseView(query: Record<string, unknown>): ListView {
  const sort = oneOf(SORTS, query.sort, 'date');
  const order = oneOf(['asc', 'desc'] as const, query.order, sort === 'date' || sort === 'size' ? 'desc' : 'asc');
  const page = Number(query.page);
  return {
    sort,
    desc: order === 'desc',
    filter: oneOf(FILTERS, query.filter, 'all'),
    threads: query.threads === '1',
    page: Number.isSafeInteger(page) && page >= 1 && page <= 1_000_000 ? page : 1,
  };
}

/** The query string of a view, with only what differs from the default. */
export function viewQuery(view: ListView, extra: Record<string, string> = {}): string {
  const q = new URLSearchParams();
  if (view.sort !== DEFAULT_VIEW.sort) q.set('sort', view.sort);
  if (view.desc !== (view.sort === 'date' || view.sort === 'size')) q.set('order', view.desc ? 'desc' : 'asc');
  if (view.filter !== 'all') q.set('filter', view.filter);
  if (view.threads) q.set('threads', '1');
  if (view.page !== 1) q.set('page', String(view.page));
  for (const [k, v] of Object.entries(extra)) q.set(k, v);
  const s = q.toString();
  return s ? `?${s}` : '';
}

const option = (value: string, label: string, chosen: boolean) => html`<option value="${value}"${attrIf(chosen, 'selected')}>${label}</option>`;

/** The GET form that changes sort, order, filter and the thread view (works without script). */
export function viewForm(ctx: WebContext, action: string, view: ListView): SafeHtml {
  const t = ctx.strings(MAIL);
  const sortLabel: Record<string, MailKey> = { date: 'list.sort-date', from: 'list.sort-from', subject: 'list.sort-subject', size: 'list.sort-size' };
  const filterLabel: Record<string, MailKey> = { all: 'list.filter-all', unread: 'list.filter-unread', flagged: 'list.filter-flagged' };
  return html`<form class="view" method="get" action="${action}">
<label>${t('list.sort')} <select name="sort">${SORTS.map((s) => option(s, t(sortLabel[s]!), view.sort === s))}</select></label>
<label class="sr" for="order">${t('list.sort')}</label><select id="order" name="order">${option('desc', t('list.order-desc'), view.desc)}${option('asc', t('list.order-asc'), !view.desc)}</select>
<label>${t('list.show')} <select name="filter">${FILTERS.map((f) => option(f, t(filterLabel[f]!), view.filter === f))}</select></label>
<label class="check"><input type="checkbox" name="threads" value="1"${attrIf(view.threads, 'checked')}> ${t('list.threads')}</label>
<button class="secondary" type="submit">${t('list.apply')}</button>
</form>`;
}

/** One message line: checkbox, flag, sender, subject (bold when unread), attachment, date, size. */
function rowHtml(ctx: WebContext, r: ListRow, options: { selectable: boolean; recipient: boolean; folderName?: string | undefined }): SafeHtml {
  const t = ctx.strings(MAIL);
  const unread = !r.flags.includes('\\Seen');
  const flagged = r.flags.includes('\\Flagged');
  const href = `/mail/m/${r.mailboxId}/${r.uid}`;
  const subject = r.subject?.trim() || t('list.no-subject');
  return html`<tr${unread ? html` class="unread"` : ''}>
<td class="sel">${options.selectable ? html`<input type="checkbox" name="uid" value="${r.uid}" aria-label="${t('list.select')}: ${subject}">` : ''}</td>
<td class="mark">${flagged ? html`<span class="flag" title="${t('list.flagged')}">★</span>` : ''}${unread ? html`<span class="sr">${t('list.unread')}</span>` : ''}</td>
${options.recipient ? html`<td class="from" title="${r.recipientAddress ?? ''}">${r.recipient || ''}</td>` : html`<td class="from" title="${r.senderAddress ?? ''}">${r.sender || t('list.no-sender')}</td>`}
<td class="subject d${Math.min(r.depth, 6)}"><a href="${href}">${subject}</a>${options.folderName ? html` <span class="in">${options.folderName}</span>` : ''}</td>
<td class="att">${r.attachment ? html`<span class="clip" title="${t('list.attachment')}"><span class="sr">${t('list.attachment')}</span></span>` : ''}</td>
<td class="date"><time datetime="${r.date.toISOString()}">${ctx.format.listDate(r.date)}</time></td>
<td class="size">${ctx.format.size(r.size)}</td>
</tr>`;
}

/** The table of a list; `selectable` adds the checkboxes of the actions form around it. */
export function messageTable(ctx: WebContext, rows: readonly ListRow[], options: { selectable: boolean; recipient?: boolean; folderNames?: Map<number, string> | undefined }): SafeHtml {
  const t = ctx.strings(MAIL);
  if (rows.length === 0) return html`<p class="empty card">${t('list.empty')}</p>`;
  return html`<table class="list mail">
<thead><tr><th class="sel">${options.selectable ? html`<input type="checkbox" data-select-all="uid" aria-label="${t('list.select-all')}">` : ''}</th><th class="mark"><span class="sr">${t('list.flagged')}</span></th><th class="from">${t(options.recipient ? 'list.to' : 'list.from')}</th><th class="subject">${t('list.subject')}</th><th class="att"><span class="sr">${t('list.attachment')}</span></th><th class="date">${t('list.date')}</th><th class="size">${t('list.size')}</th></tr></thead>
<tbody>${rows.map((r) => rowHtml(ctx, r, { selectable: options.selectable, recipient: options.recipient === true, folderName: options.folderNames?.get(r.mailboxId) }))}</tbody>
</table>`;
}

/** "1–50 of 10,000" with links to the pages before and after (j/k on the keyboard). */
export function pager(ctx: WebContext, page: ListPage, current: number, link: (page: number) => string, threads = false): SafeHtml {
  const t = ctx.strings(MAIL);
  if (page.total === 0) return html``;
  const first = (current - 1) * PAGE_SIZE + 1;
  const last = Math.min(current * PAGE_SIZE, page.total);
  const params = { first: ctx.format.count(first), last: ctx.format.count(last), total: ctx.format.count(page.total) };
  return html`<nav class="pager" aria-label="${t('list.count', params)}">
<span>${t(threads ? 'list.threads-count' : 'list.count', params)}</span>
${current > 1 ? html`<a href="${link(current - 1)}" rel="prev" data-key="k">${t('list.newer')}</a>` : ''}
${last < page.total ? html`<a href="${link(current + 1)}" rel="next" data-key="j">${t('list.older')}</a>` : ''}
</nav>`;
}

/** The buttons of a folder's actions form; Trash deletes for ever (after a confirmation). */
export function actionButtons(ctx: WebContext, current: Mailbox, folders: readonly FolderEntry[], options: { single?: boolean; flagged?: boolean } = {}): SafeHtml {
  const t = ctx.strings(MAIL);
  const inTrash = current.specialUse === '\\Trash';
  const targets = folders.filter((f) => f.mailbox.id !== current.id && !f.mailbox.noselect);
  return html`<div class="toolbar">
${options.single ? '' : html`<button class="secondary" type="submit" name="action" value="read">${t('action.read')}</button>`}
<button class="secondary" type="submit" name="action" value="unread">${t('action.unread')}</button>
${options.single && options.flagged ? '' : html`<button class="secondary" type="submit" name="action" value="flag">${t('action.flag')}</button>`}
${options.single && !options.flagged ? '' : html`<button class="secondary" type="submit" name="action" value="unflag">${t('action.unflag')}</button>`}
<span class="move"><label class="sr" for="target">${t('action.move-to')}</label><select id="target" name="target"><option value="">${t('action.move-to')}…</option>${targets.map((f) => html`<option value="${f.mailbox.id}">${'\u00a0\u00a0'.repeat(f.depth)}${f.label}</option>`)}</select>
<button class="secondary" type="submit" name="action" value="move">${t('action.move')}</button></span>
${inTrash
  ? html`<button class="danger" type="submit" name="action" value="destroy" data-confirm="${t('action.destroy-confirm')}" data-key="#">${t('action.destroy')}</button>`
  : html`<button class="danger" type="submit" name="action" value="delete" data-key="#">${t('action.delete')}</button>`}
</div>`;
}

/** The POST form around a folder's list: the buttons, the table, the CSRF field and where to come back to. */
export function actionsForm(ctx: WebContext, mailbox: Mailbox, back: string, inner: SafeHtml): SafeHtml {
  return html`<form class="messages" method="post" action="/mail/f/${mailbox.id}/actions">${csrfField(ctx)}<input type="hidden" name="back" value="${back}">${inner}</form>`;
}
