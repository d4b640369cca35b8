import type { Queryable } from '../store/db.js';
import type { BlobStore } from '../store/blob-store.js';
import { ensureSearchText } from './search-backlog.js';
import { needsSearchText, type SearchKey } from './search-query.js';
import { SearchSql } from './search-sql.js';

export interface SearchOptions {
  /** the blob store, to make the search text the folder still lacks first (search-backlog.ts) */
  blobs: BlobStore;
  /** IANA zone whose calendar days BEFORE/ON/SINCE use; default the server process's zone */
  timeZone?: string;
}

export interface SearchResult {
  /** matching UIDs, ascending */
  uids: number[];
  /** RFC 7162 §3.1.5: the highest MODSEQ among the matches (for "(MODSEQ n)"); null when none match */
  highestModseq: number | null;
}

export function serverTimeZone(): string {
  // asked for every delivered message (the vacation check): resolve the zone again only when TZ changes
  if (zoneFor.tz !== process.env.TZ || !zoneFor.zone) zoneFor = { tz: process.env.TZ, zone: Intl.DateTimeFormat().resolvedOptions().timeZone || 'UTC' };
  return zoneFor.zone;
}
let zoneFor: { tz: string | undefined; zone: string } = { tz: undefined, zone: '' };

/** SEARCH / UID SEARCH over one folder, evaluated in PostgreSQL in one statement. */
export async function searchMailbox(db: Queryable, mailboxId: number, query: SearchKey, options: SearchOptions): Promise<SearchResult> {
  if (needsSearchText(query)) await ensureSearchText(db, options.blobs, mailboxId);
  const sql = new SearchSql(options.timeZone ?? serverTimeZone());
  const condition = sql.compile(query);
  const mailbox = `$${sql.params.push(mailboxId)}`;
  const { rows } = await db.query<{ uid: number; modseq: number }>(
    `SELECT m.uid, m.modseq
       FROM messages m LEFT JOIN blob_search s ON s.hash = m.blob_hash
      WHERE m.mailbox_id = ${mailbox} AND (${condition})
      ORDER BY m.uid`,
    sql.params,
  );
  let highest: number | null = null;
  for (const r of rows) if (highest === null || r.modseq > highest) highest = r.modseq;
  return { uids: rows.map((r) => r.uid), highestModseq: highest };
}
