import type { Queryable } from '../../store/db.js';
import type { BlobStore } from '../../store/blob-store.js';
import type { Mailbox, SearchKey } from '../../mail/index.js';
import type { MimePart, SearchAddress } from '../../mail/mime/index.js';
import { loadSortRows, sentDate, sortRows, type SortRow } from '../../mail/sort.js';
import { threadByReferences, type ThreadNode } from '../../mail/thread.js';
import { makeSortKeys, SORT_KEYS_VERSION } from '../../mail/sort-keys.js';
import { hasAttachments } from './message-parts.js';

/** Messages per page of a list. */
export const PAGE_SIZE = 50;

export const SORTS = ['date', 'from', 'subject', 'size'] as const;
export type SortKey = (typeof SORTS)[number];
export const FILTERS = ['all', 'unread', 'flagged'] as const;
export type Filter = (typeof FILTERS)[number];

/** How a folder's list is asked for (the page's query string, checked). */
export interface ListView {
  sort: SortKey;
  /** newest, largest, Z first */
  desc: boolean;
  filter: Filter;
  threads: boolean;
  /** 1-based */
  page: number;
}

/** One line of a message list. */
export interface ListRow {
  mailboxId: number;
  uid: number;
  flags: string[];
  size: number;
  /** the Date header's instant, else INTERNALDATE */
  date: Date;
  subject: string | null;
  /** the first From's display name, else its address */
  sender: string | null;
  senderAddress: string | null;
  /** the first To's display name, else its address (what Sent and Drafts show instead of the sender) */
  recipient: string | null;
  recipientAddress: string | null;
  attachment: boolean;
  /** the level in a thread (thread view); 0 otherwise */
  depth: number;
}

export interface ListPage {
  rows: ListRow[];
  /** messages (or threads, in the thread view) that match */
  total: number;
}

/** Sent and Drafts list (and sort by) the recipient where other folders show the sender. */
export const showsRecipient = (mailbox: Mailbox): boolean => mailbox.specialUse === '\\Sent' || mailbox.specialUse === '\\Drafts';

/** The filter as the search engine's query (src/mail/search-query.ts). */
export function filterKey(filter: Filter): SearchKey {
  if (filter === 'unread') return { key: 'flag', flag: '\\Seen', set: false };
  if (filter === 'flagged') return { key: 'flag', flag: '\\Flagged', set: true };
  return { key: 'all' };
}

const FILTER_SQL: Record<Filter, string> = {
  all: 'TRUE',
  unread: `NOT ('\\Seen' = ANY (m.flags))`,
  flagged: `'\\Flagged' = ANY (m.flags)`,
};

/**
 * One page of a folder. Date and size are ordered in SQL, which reads only the folder's
 * short columns and the page's 50 descriptions. Sender and subject follow SORT's
 * Vietnamese collation (src/mail/sort.ts over the blobs' sort keys), and the thread view
 * THREAD=REFERENCES (src/mail/thread.ts); both order the whole folder's keys in memory.
 */
export async function listPage(db: Queryable, blobs: BlobStore, mailbox: Mailbox, view: ListView): Promise<ListPage> {
  const offset = (view.page - 1) * PAGE_SIZE;
  if (view.threads) return threadPage(db, blobs, mailbox, view, offset);
  if (view.sort === 'date' || view.sort === 'size') {
    const order = view.sort === 'date' ? 'COALESCE(m.sent_date, m.internal_date)' : 'm.size';
    const dir = view.desc ? 'DESC' : 'ASC';
    const { rows } = await db.query<{ uid: number }>(
      `SELECT m.uid FROM messages m WHERE m.mailbox_id = $1 AND ${FILTER_SQL[view.filter]}
        ORDER BY ${order} ${dir}, m.uid ${dir} LIMIT $2 OFFSET $3`,
      [mailbox.id, PAGE_SIZE, offset],
    );
    const total = await countMatching(db, mailbox, view.filter);
    return { rows: await listRows(db, rows.map((r) => ({ mailboxId: mailbox.id, uid: r.uid }))), total };
  }
  if (await hasVietnameseCollation(db)) return collatedPage(db, blobs, mailbox, view, offset);
  const sorted = sortRows(await loadSortRows(db, mailbox.id, filterKey(view.filter), { blobs, collation: 'vietnamese' }), [
    { field: view.sort === 'from' ? (showsRecipient(mailbox) ? 'displayto' : 'displayfrom') : 'subject', reverse: view.desc },
  ], 'vietnamese');
  const page = sorted.slice(offset, offset + PAGE_SIZE);
  return { rows: await listRows(db, page.map((r) => ({ mailboxId: mailbox.id, uid: r.uid }))), total: sorted.length };
}

let vietnameseIcu: Promise<boolean> | undefined;
/** PostgreSQL built with ICU has CLDR's Vietnamese tailoring, the one SORT's `vietnamese` collation uses. */
const hasVietnameseCollation = (db: Queryable): Promise<boolean> =>
  (vietnameseIcu ??= db.query<{ ok: boolean }>(`SELECT EXISTS (SELECT 1 FROM pg_collation WHERE collname = 'vi-x-icu') AS ok`).then((r) => r.rows[0]!.ok, () => false));

/**
 * Sender or subject order in SQL with the ICU Vietnamese collation: only the page's 50
 * UIDs leave PostgreSQL. The folder's missing sort keys are made first, as SORT does.
 */
async function collatedPage(db: Queryable, blobs: BlobStore, mailbox: Mailbox, view: ListView, offset: number): Promise<ListPage> {
  const { rows: stale } = await db.query<{ hash: string }>(
    `SELECT DISTINCT m.blob_hash AS hash FROM messages m LEFT JOIN blob_sort_keys k ON k.hash = m.blob_hash
      WHERE m.mailbox_id = $1 AND k.version IS DISTINCT FROM $2`,
    [mailbox.id, SORT_KEYS_VERSION],
  );
  if (stale.length) await makeSortKeys(db, blobs, stale.map((r) => r.hash));
  const key = view.sort === 'from' ? (showsRecipient(mailbox) ? 'k.display_to' : 'k.display_from') : 'k.base_subject';
  const dir = view.desc ? 'DESC' : 'ASC';
  const { rows } = await db.query<{ uid: number; total: number }>(
    `SELECT m.uid, count(*) OVER ()::int AS total FROM messages m JOIN blob_sort_keys k ON k.hash = m.blob_hash
      WHERE m.mailbox_id = $1 AND ${FILTER_SQL[view.filter]}
      ORDER BY ${key} COLLATE "vi-x-icu" ${dir}, m.uid ${dir} LIMIT $2 OFFSET $3`,
    [mailbox.id, PAGE_SIZE, offset],
  );
  const total = rows[0]?.total ?? (await countMatching(db, mailbox, view.filter));
  return { rows: await listRows(db, rows.map((r) => ({ mailboxId: mailbox.id, uid: r.uid }))), total };
}

async function countMatching(db: Queryable, mailbox: Mailbox, filter: Filter): Promise<number> {
  // the folder keeps its message and unread counts (IMAP STATUS reads them too)
  if (filter === 'all') return mailbox.messageCount;
  if (filter === 'unread') return mailbox.unseenCount;
  const { rows } = await db.query<{ n: number }>(`SELECT count(*)::int AS n FROM messages m WHERE m.mailbox_id = $1 AND ${FILTER_SQL[filter]}`, [mailbox.id]);
  return rows[0]!.n;
}

/**
 * The thread view: RFC 5256 REFERENCES threads, the most recently active first, 50 threads
 * a page, each thread's messages in tree order with their level.
 */
async function threadPage(db: Queryable, blobs: BlobStore, mailbox: Mailbox, view: ListView, offset: number): Promise<ListPage> {
  const rows = await loadSortRows(db, mailbox.id, filterKey(view.filter), { blobs, collation: 'vietnamese', withReferences: true });
  const byUid = new Map(rows.map((r) => [r.uid, r]));
  const latest = (n: ThreadNode): number => Math.max(n.uid === null ? 0 : sentDate(byUid.get(n.uid) as SortRow), ...n.children.map(latest));
  const threads = threadByReferences(rows)
    .map((node) => ({ node, at: latest(node) }))
    .sort((a, b) => (view.desc ? b.at - a.at : a.at - b.at));
  const keys: Array<{ mailboxId: number; uid: number; depth: number }> = [];
  const flatten = (n: ThreadNode, depth: number) => {
    if (n.uid !== null) keys.push({ mailboxId: mailbox.id, uid: n.uid, depth });
    for (const c of n.children) flatten(c, n.uid === null ? depth : depth + 1);
  };
  for (const t of threads.slice(offset, offset + PAGE_SIZE)) flatten(t.node, 0);
  const listed = await listRows(db, keys);
  return { rows: listed.map((r, i) => ({ ...r, depth: keys[i]!.depth })), total: threads.length };
}

interface RowSql {
  mailbox_id: number;
  uid: number;
  flags: string[];
  size: number;
  date: Date;
  subject: string | null;
  from_text: string | null;
  to_text: string | null;
  sender: SearchAddress | null;
  recipient: SearchAddress | null;
  root: MimePart | null;
}

/** The columns a list shows for these messages, in the order given (those gone meanwhile left out). */
export async function listRows(db: Queryable, keys: ReadonlyArray<{ mailboxId: number; uid: number }>): Promise<ListRow[]> {
  if (keys.length === 0) return [];
  const { rows } = await db.query<RowSql>(
    `SELECT m.mailbox_id, m.uid, m.flags, m.size, COALESCE(m.sent_date, m.internal_date) AS date, m.subject, m.from_text, m.to_text,
            b.parsed->'search'->'from'->0 AS sender, b.parsed->'search'->'to'->0 AS recipient, b.parsed->'root' AS root
       FROM unnest($1::bigint[], $2::bigint[]) WITH ORDINALITY AS k(mailbox_id, uid, n)
       JOIN messages m ON m.mailbox_id = k.mailbox_id AND m.uid = k.uid
       LEFT JOIN blobs b ON b.hash = m.blob_hash
      ORDER BY k.n`,
    [keys.map((k) => k.mailboxId), keys.map((k) => k.uid)],
  );
  return rows.map((r) => ({
    mailboxId: r.mailbox_id,
    uid: r.uid,
    flags: r.flags,
    size: r.size,
    date: r.date,
    subject: r.subject,
    sender: r.sender?.name || r.sender?.address || r.from_text,
    senderAddress: r.sender?.address ?? null,
    recipient: r.recipient?.name || r.recipient?.address || r.to_text,
    recipientAddress: r.recipient?.address ?? null,
    attachment: r.root ? hasAttachments(r.root) : false,
    depth: 0,
  }));
}

/** The UIDs just before and after one message in the folder's default order (newest first): the message page's previous/next. */
export async function neighbours(db: Queryable, mailboxId: number, uid: number): Promise<{ newer: number | null; older: number | null }> {
  const { rows } = await db.query<{ newer: number | null; older: number | null }>(
    `WITH me AS (SELECT COALESCE(sent_date, internal_date) AS d FROM messages WHERE mailbox_id = $1 AND uid = $2)
     SELECT (SELECT m.uid FROM messages m, me WHERE m.mailbox_id = $1 AND (COALESCE(m.sent_date, m.internal_date), m.uid) > (me.d, $2)
              ORDER BY COALESCE(m.sent_date, m.internal_date), m.uid LIMIT 1) AS newer,
            (SELECT m.uid FROM messages m, me WHERE m.mailbox_id = $1 AND (COALESCE(m.sent_date, m.internal_date), m.uid) < (me.d, $2)
              ORDER BY COALESCE(m.sent_date, m.internal_date) DESC, m.uid DESC LIMIT 1) AS older`,
    [mailboxId, uid],
  );
  return rows[0] ?? { newer: null, older: null };
}
