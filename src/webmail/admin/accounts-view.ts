import type { Account } from '../../identity/accounts.js';
import type { UserError } from '../../shared/errors.js';
import { userErrorText } from '../plugin.js';
import { attrIf, html, type SafeHtml } from '../html.js';
import type { WebContext } from '../context.js';
import { HR_STRINGS } from './hr-strings.js';
import type { AgencyInTree } from './accounts-scope.js';

/** Rows per page of the console's tables. */
export const PAGE_SIZE = 50;

/** The page number of `?page=`, 1 when absent or not a positive whole number. */
export const pageNumber = (value: unknown): number => {
  const n = Number(value);
  return Number.isSafeInteger(n) && n >= 1 ? n : 1;
};

/** The options of an agency select: the tree shown by indentation, the chosen one selected. */
export function agencyOptions(tree: readonly AgencyInTree[], selected: number | null | undefined): SafeHtml[] {
  return tree.map(({ agency, depth }) => html`<option value="${agency.code}"${attrIf(agency.id === selected, 'selected')}>${'\u2003'.repeat(depth)}${agency.name} (${agency.code})</option>`);
}

/** "1–50 of 123" with links to the pages before and after; `href(n)` makes a page's URL. */
export function pager(ctx: WebContext, page: number, total: number, href: (page: number) => string): SafeHtml {
  const t = ctx.strings(HR_STRINGS);
  const pages = Math.max(1, Math.ceil(total / PAGE_SIZE));
  const from = total ? (page - 1) * PAGE_SIZE + 1 : 0;
  const to = Math.min(total, page * PAGE_SIZE);
  return html`<nav class="pager" aria-label="${t('pager.label')}">
${page > 1 ? html`<a href="${href(page - 1)}" rel="prev">${t('pager.prev')}</a>` : ''}
<span>${t('pager.range', { from: ctx.format.count(from), to: ctx.format.count(to), total: ctx.format.count(total) })}</span>
${page < pages ? html`<a href="${href(page + 1)}" rel="next">${t('pager.next')}</a>` : ''}
</nav>`;
}

/** An account's status as a small label. */
export function statusLabel(ctx: WebContext, account: Pick<Account, 'status'>): SafeHtml {
  const t = ctx.strings(HR_STRINGS);
  return account.status === 'active' ? html`<span class="tag ok">${t('status.active')}</span>` : html`<span class="tag off">${t('status.disabled')}</span>`;
}

/** A quota in the form's unit (MB), 0 meaning no limit. */
export const quotaMegabytes = (bytes: number): number => Math.round(bytes / 1024 / 1024);

/** An identity refusal in the page's language: the HR catalogue's sentence when it has one, else the common one. */
export function hrErrorText(ctx: WebContext, err: UserError): string {
  const key = `error.${err.code}`;
  const text = (ctx.strings(HR_STRINGS) as (key: string) => string)(key);
  return text === key ? userErrorText(ctx, err) : text;
}
