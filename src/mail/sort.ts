import type { Queryable } from '../store/db.js';
import type { BlobStore } from '../store/blob-store.js';
import { collator, type Collation } from './collation.js';
import { ensureSearchText } from './search-backlog.js';
import { needsSearchText, type SearchKey } from './search-query.js';
import { SearchSql } from './search-sql.js';
import { serverTimeZone } from './search.js';
import { makeSortKeys, SORT_KEYS_VERSION, type SortKeys } from './sort-keys.js';

/** RFC 5256 §3 sort keys, and RFC 5957 §3 DISPLAYFROM / DISPLAYTO */
export type SortField = 'arrival' | 'cc' | 'date' | 'from' | 'size' | 'subject' | 'to' | 'displayfrom' | 'displayto';

export interface SortCriterion {
  field: SortField;
  reverse: boolean;
}

export interface SortOptions {
  /** the blob store, to make missing search text and sort keys first (lazy backfill) */
  blobs: BlobStore;
  collation: Collation;
  /** IANA zone for BEFORE/ON/SINCE; default the server process's zone */
  timeZone?: string;
}

/** One matching message with what SORT and THREAD compare. */
export interface SortRow extends SortKeys {
  uid: number;
  /** INTERNALDATE, ms since the epoch */
  internalDate: number;
  size: number;
}

/** RFC 5256 §2.2: the sent date is the Date header's instant, INTERNALDATE when it is absent or unreadable */
export const sentDate = (r: SortRow): number => r.sentAt ?? r.internalDate;

interface SortRowSql {
  uid: number;
  internal_ms: number;
  size: number;
  /** the blob's hash when its sort keys are missing or out of date */
  stale: string | null;
  base_subject: string | null;
  reply: boolean | null;
  from_key: string | null;
  to_key: string | null;
  cc_key: string | null;
  display_from: string | null;
  display_to: string | null;
  sent_ms: number | null;
  message_id?: string | null;
  refs?: string[] | null;
}

/**
 * The folder's messages that match `query`, with their sort keys, in UID order: one
 * statement, plus a second after making the keys of blobs that lack them (lazily, the
 * first time a folder is sorted). Instants come as numbers, not Date objects, and the
 * references only when `withReferences` (THREAD=REFERENCES): 10,000 rows parse quickly.
 */
export async function loadSortRows(db: Queryable, mailboxId: number, query: SearchKey, options: SortOptions & { withReferences?: boolean }): Promise<SortRow[]> {
  if (needsSearchText(query)) await ensureSearchText(db, options.blobs, mailboxId);
  const sql = new SearchSql(options.timeZone ?? serverTimeZone());
  const condition = sql.compile(query);
  const mailbox = `$${sql.params.push(mailboxId)}`;
  const version = `$${sql.params.push(SORT_KEYS_VERSION)}`;
  const text = `SELECT m.uid, extract(epoch FROM m.internal_date)::float8 * 1000 AS internal_ms, m.size,
            CASE WHEN k.version IS DISTINCT FROM ${version} THEN m.blob_hash END AS stale,
            k.base_subject, k.reply, k.from_key, k.to_key, k.cc_key, k.display_from, k.display_to,
            extract(epoch FROM k.sent_at)::float8 * 1000 AS sent_ms${options.withReferences ? ', k.message_id, k.refs' : ''}
       FROM messages m LEFT JOIN blob_search s ON s.hash = m.blob_hash LEFT JOIN blob_sort_keys k ON k.hash = m.blob_hash
      WHERE m.mailbox_id = ${mailbox} AND (${condition})
      ORDER BY m.uid`;
  let { rows } = await db.query<SortRowSql>(text, sql.params);
  const stale = rows.flatMap((r) => (r.stale === null ? [] : [r.stale]));
  if (stale.length) {
    await makeSortKeys(db, options.blobs, stale);
    ({ rows } = await db.query<SortRowSql>(text, sql.params));
  }
  return rows.map((r) => ({
    uid: r.uid,
    internalDate: r.internal_ms,
    size: r.size,
    baseSubject: r.base_subject ?? '',
    reply: r.reply ?? false,
    fromKey: r.from_key ?? '',
    toKey: r.to_key ?? '',
    ccKey: r.cc_key ?? '',
    displayFrom: r.display_from ?? '',
    displayTo: r.display_to ?? '',
    sentAt: r.sent_ms,
    messageId: r.message_id ?? null,
    refs: r.refs ?? [],
  }));
}

const TEXT_FIELD: Partial<Record<SortField, (r: SortRow) => string>> = {
  cc: (r) => r.ccKey,
  from: (r) => r.fromKey,
  to: (r) => r.toKey,
  subject: (r) => r.baseSubject,
  displayfrom: (r) => r.displayFrom,
  displayto: (r) => r.displayTo,
};

const NUMBER_FIELD: Partial<Record<SortField, (r: SortRow) => number>> = {
  arrival: (r) => r.internalDate,
  date: sentDate,
  size: (r) => r.size,
};

/**
 * Orders rows by the criteria (pure). RFC 5256 §3: REVERSE reverses one key; messages
 * equal under every key keep mailbox order (ascending UID, which is sequence order).
 */
export function sortRows(rows: readonly SortRow[], criteria: readonly SortCriterion[], collation: Collation): SortRow[] {
  const coll = collator(collation);
  const compares = criteria.map(({ field, reverse }) => {
    const sign = reverse ? -1 : 1;
    const text = TEXT_FIELD[field];
    if (text) {
      const keys = new Map(rows.map((r) => [r, coll.key(text(r))]));
      return (a: SortRow, b: SortRow) => sign * coll.compare(keys.get(a), keys.get(b));
    }
    const num = NUMBER_FIELD[field] as (r: SortRow) => number;
    return (a: SortRow, b: SortRow) => sign * (num(a) - num(b));
  });
  return [...rows].sort((a, b) => {
    for (const c of compares) {
      const d = c(a, b);
      if (d !== 0) return d;
    }
    return a.uid - b.uid;
  });
}

/** SORT / UID SORT over one folder: the matching UIDs in sorted order. */
export async function sortMailbox(db: Queryable, mailboxId: number, criteria: readonly SortCriterion[], query: SearchKey, options: SortOptions): Promise<number[]> {
  const rows = await loadSortRows(db, mailboxId, query, options);
  return sortRows(rows, criteria, options.collation).map((r) => r.uid);
}
