import { listMailboxes, SEPARATOR, type Mailbox } from '../../mail/index.js';
import type { WebContext } from '../context.js';
import { html, type SafeHtml } from '../html.js';
import { openMailbox, readableMailboxOwners, type OpenedMailbox } from '../mail-access.js';
import { MAIL, type MailKey } from './strings.js';

/** A folder the page may show, and whether the reader may change its messages. */
export interface OpenedFolder extends OpenedMailbox {
  /**
   * The reader's own folder, or an agency mailbox delegated with send as well as read.
   * A delegation to read only shows the mail and changes nothing (not even \Seen).
   */
  writable: boolean;
}

/** openMailbox (the one access check) and the reader's right to change what it holds. */
export async function openFolder(ctx: WebContext, mailboxId: number, options: { audit?: boolean } = {}): Promise<OpenedFolder> {
  const opened = await openMailbox(ctx, mailboxId, options);
  return { ...opened, writable: !opened.readOnly };
}

/** RFC 6154 special uses in the order the sidebar lists them, INBOX first. */
const SPECIAL_ORDER: ReadonlyArray<{ use: Mailbox['specialUse'] | 'inbox'; key: MailKey }> = [
  { use: 'inbox', key: 'folder.inbox' },
  { use: '\\Sent', key: 'folder.sent' },
  { use: '\\Drafts', key: 'folder.drafts' },
  { use: '\\Trash', key: 'folder.trash' },
  { use: '\\Junk', key: 'folder.junk' },
  { use: '\\Archive', key: 'folder.archive' },
];

const specialRank = (m: Mailbox): number => SPECIAL_ORDER.findIndex((s) => (s.use === 'inbox' ? m.name === 'INBOX' : s.use === m.specialUse && !m.name.includes(SEPARATOR)));

/** A folder as a list shows it: a localized name for the special folders, the last level for the others. */
export interface FolderEntry {
  mailbox: Mailbox;
  label: string;
  /** 0 for the special folders and top-level folders; the tree level for the others */
  depth: number;
  special: boolean;
}

/**
 * The owner's folders in sidebar order: the special folders first (Inbox, Sent, Drafts,
 * Trash, Junk, Archive) with names in the reader's language, then the others as a tree,
 * each level in the language's collation.
 */
export function folderEntries(ctx: WebContext, ownerAccountId: number): Promise<FolderEntry[]> {
  // a page asks for the tree twice (its heading and the sidebar): one read per request
  const byOwner = entriesOfRequest.get(ctx) ?? new Map<number, Promise<FolderEntry[]>>();
  entriesOfRequest.set(ctx, byOwner);
  let entries = byOwner.get(ownerAccountId);
  if (!entries) byOwner.set(ownerAccountId, (entries = readFolderEntries(ctx, ownerAccountId)));
  return entries;
}

const entriesOfRequest = new WeakMap<WebContext, Map<number, Promise<FolderEntry[]>>>();

async function readFolderEntries(ctx: WebContext, ownerAccountId: number): Promise<FolderEntry[]> {
  const t = ctx.strings(MAIL);
  const all = await listMailboxes(ctx.deps.db, ownerAccountId);
  const special = all
    .filter((m) => specialRank(m) >= 0)
    .sort((a, b) => specialRank(a) - specialRank(b))
    .map((mailbox) => ({ mailbox, label: t(SPECIAL_ORDER[specialRank(mailbox)]!.key), depth: 0, special: true }));
  const shown = new Set(special.map((s) => s.mailbox.id));
  const levels = (m: Mailbox) => m.name.split(SEPARATOR);
  const rest = all
    .filter((m) => !shown.has(m.id))
    .sort((a, b) => {
      const x = levels(a);
      const y = levels(b);
      for (let i = 0; i < Math.min(x.length, y.length); i++) {
        const d = ctx.format.collator.compare(x[i]!, y[i]!) || (x[i]! < y[i]! ? -1 : x[i]! > y[i]! ? 1 : 0);
        if (d) return d;
      }
      return x.length - y.length;
    })
    .map((mailbox) => ({ mailbox, label: levels(mailbox).at(-1)!, depth: levels(mailbox).length - 1, special: false }));
  return [...special, ...rest];
}

/** The special folder of a kind, if the owner has it (Trash for delete). */
export const specialFolder = (entries: readonly FolderEntry[], use: NonNullable<Mailbox['specialUse']>) =>
  entries.find((e) => e.special && e.mailbox.specialUse === use)?.mailbox;

const unreadBadge = (ctx: WebContext, m: Mailbox) =>
  html`<span class="count" data-unread="${m.id}"${m.unseenCount ? '' : html` hidden`} title="${ctx.strings(MAIL)('folders.unread', { count: m.unseenCount })}">${m.unseenCount ? ctx.format.count(m.unseenCount) : ''}</span>`;

/**
 * The webmail's left column for a mailbox owner's pages: search box, folder list with
 * unread counts (kept fresh by the script through /mail/counts.json), and the switcher
 * between the reader's own mailbox and the agency mailboxes delegated to them. Compose
 * and settings pages call it too.
 */
export async function folderSidebar(ctx: WebContext, ownerAccountId: number, currentMailboxId?: number): Promise<SafeHtml> {
  const t = ctx.strings(MAIL);
  const entries = await folderEntries(ctx, ownerAccountId);
  const owners = await readableMailboxOwners(ctx);
  const inboxes = await inboxIds(ctx, owners.map((o) => o.account.id));
  const anchor = currentMailboxId ?? inboxes.get(ownerAccountId);
  // a \Noselect level holds no messages: a name in the tree, not a link
  const folders = entries.map((e) =>
    e.mailbox.noselect
      ? html`<li class="d${Math.min(e.depth, 4)}"><span class="level"><span class="name">${e.label}</span></span></li>`
      : html`<li class="d${Math.min(e.depth, 4)}"><a href="/mail/f/${e.mailbox.id}"${e.mailbox.id === currentMailboxId ? html` aria-current="page"` : ''}><span class="name">${e.label}</span>${unreadBadge(ctx, e.mailbox)}</a></li>`,
  );
  const switcher =
    owners.length > 1
      ? html`<h2>${t('boxes.title')}</h2><ul class="boxes">${owners.map((o) => {
          const id = inboxes.get(o.account.id);
          const label = o.own ? t('boxes.own') : o.account.displayName || o.account.address;
          return id
            ? html`<li><a href="/mail/f/${id}"${o.account.id === ownerAccountId ? html` aria-current="true"` : ''} title="${o.account.address}">${label}${o.own || o.canSend ? '' : html` <small>(${t('boxes.read-only')})</small>`}</a></li>`
            : '';
        })}</ul>`
      : '';
  return html`<nav class="folders" aria-label="${t('folders.title')}"${anchor ? html` data-counts="/mail/counts.json?f=${anchor}"` : ''}>
<form class="search" method="get" action="/mail/search" role="search">${anchor ? html`<input type="hidden" name="f" value="${anchor}">` : ''}<label class="sr" for="q">${t('search.label')}</label><input type="search" id="q" name="q" placeholder="${t('search.placeholder')}" data-key="slash"></form>
<ul>${folders}</ul>
${switcher}
</nav>`;
}

/** The INBOX of each owner (the switcher's links). */
async function inboxIds(ctx: WebContext, ownerIds: readonly number[]): Promise<Map<number, number>> {
  const { rows } = await ctx.deps.db.query<{ account_id: number; id: number }>(
    `SELECT account_id, id FROM mailboxes WHERE account_id = ANY ($1::bigint[]) AND name = 'INBOX' AND NOT noselect`,
    [ownerIds],
  );
  return new Map(rows.map((r) => [Number(r.account_id), Number(r.id)]));
}

/** The INBOX of the logged-in account (/mail/). */
export async function ownInboxId(ctx: WebContext): Promise<number | undefined> {
  return (await inboxIds(ctx, [ctx.account!.id])).get(ctx.account!.id);
}

/** Unread counts of every folder of the owner of `mailboxId` (the live count's JSON). */
export async function unreadCounts(ctx: WebContext, mailboxId: number): Promise<{ folders: Record<string, number>; inbox: number }> {
  const { owner } = await openMailbox(ctx, mailboxId);
  const all = await listMailboxes(ctx.deps.db, owner.id);
  const folders: Record<string, number> = {};
  for (const m of all) if (!m.noselect) folders[m.id] = m.unseenCount;
  return { folders, inbox: all.find((m) => m.name === 'INBOX')?.unseenCount ?? 0 };
}
