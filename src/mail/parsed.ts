import type { Queryable } from '../store/db.js';
import type { BlobStore } from '../store/blob-store.js';
import { parseMessage } from './mime/index.js';
import type { ParsedMessage, SearchAddress, SearchFields } from './mime/index.js';
import type { MessageSummary } from './append.js';
import { buildSearchText, SEARCH_TEXT_VERSION, type SearchText } from './search-text.js';

/** What is kept beside a blob: its MIME description and its folded search text. */
export interface BlobDescription {
  parsed: ParsedMessage;
  text: SearchText;
}

/** Parses a message and makes its search text: pure, no I/O. */
export function describeMessage(raw: Buffer, parsed: ParsedMessage = parseMessage(raw)): BlobDescription {
  return { parsed, text: buildSearchText(raw, parsed) };
}

/**
 * Stores a description beside its blob unless it has a current one. A description
 * already there wins (concurrent deliveries of one blob parse it the same way). The
 * blob row must exist (addBlobRef made it).
 */
export async function storeDescription(db: Queryable, hash: string, d: BlobDescription): Promise<void> {
  // one statement: the delivery path runs this for every new blob
  await db.query(
    `WITH parsed AS (UPDATE blobs SET parsed = $7 WHERE hash = $1 AND parsed IS NULL)
     INSERT INTO blob_search (hash, version, head, heads, body, sent_day) VALUES ($1, $2, $3, $4, $5, $6::date)
     ON CONFLICT (hash) DO UPDATE
       SET version = EXCLUDED.version, head = EXCLUDED.head, heads = EXCLUDED.heads, body = EXCLUDED.body, sent_day = EXCLUDED.sent_day
       WHERE blob_search.version IS DISTINCT FROM EXCLUDED.version`,
    [hash, SEARCH_TEXT_VERSION, d.text.head, d.text.heads, d.text.body, d.text.sentDay, d.parsed],
  );
}

/**
 * The parsed description of a blob, made once per blob and kept beside it: a circular
 * delivered to 3,000 mailboxes is parsed once. Its search text is made at the same
 * time, and made later for blobs parsed before search text existed.
 */
export async function ensureParsed(db: Queryable, blobs: BlobStore, hash: string): Promise<{ parsed: ParsedMessage; summary: MessageSummary }> {
  const prepared = await prepareDescription(db, blobs, hash);
  if (prepared.unstored) await storeDescription(db, hash, prepared.unstored);
  return prepared;
}

export interface PreparedDescription {
  parsed: ParsedMessage;
  summary: MessageSummary;
  /** made now and not yet stored: the caller stores it in its own transaction with storeDescription */
  unstored?: BlobDescription;
}

/** Like ensureParsed, without writing: delivery stores the description in its own transaction (one commit, not three). */
export async function prepareDescription(db: Queryable, blobs: BlobStore, hash: string): Promise<PreparedDescription> {
  const { rows } = await db.query<{ parsed: ParsedMessage | null; search_version: number | null }>(
    'SELECT b.parsed, s.version AS search_version FROM blobs b LEFT JOIN blob_search s ON s.hash = b.hash WHERE b.hash = $1',
    [hash],
  );
  const parsed = rows[0]?.parsed ?? null;
  if (parsed && rows[0]?.search_version === SEARCH_TEXT_VERSION) return { parsed, summary: summaryOf(parsed) };
  const d = describeMessage(await blobs.read(hash), parsed ?? undefined);
  return { parsed: d.parsed, summary: summaryOf(d.parsed), unstored: d };
}

/**
 * The search fields of the blobs that already have a current description: a blob
 * appended again (a circular, a copy saved twice) is not read or parsed again.
 */
export async function describedSearchFields(db: Queryable, hashes: readonly string[]): Promise<Map<string, SearchFields>> {
  const { rows } = await db.query<{ hash: string; search: SearchFields }>(
    `SELECT b.hash, b.parsed->'search' AS search FROM blobs b JOIN blob_search s ON s.hash = b.hash
      WHERE b.hash = ANY ($1::text[]) AND b.parsed IS NOT NULL AND s.version = $2`,
    [[...new Set(hashes)], SEARCH_TEXT_VERSION],
  );
  return new Map(rows.map((r) => [r.hash, r.search]));
}

/**
 * Makes the search text of the folder's blobs that lack it (lazy backfill of blobs stored
 * before search text existed, or made by an older extract). Returns how many it made.
 */
export async function ensureSearchText(db: Queryable, blobs: BlobStore, mailboxId: number): Promise<number> {
  const { rows } = await db.query<{ hash: string }>(
    `SELECT DISTINCT m.blob_hash AS hash FROM messages m LEFT JOIN blob_search s ON s.hash = m.blob_hash
      WHERE m.mailbox_id = $1 AND s.version IS DISTINCT FROM $2`,
    [mailboxId, SEARCH_TEXT_VERSION],
  );
  for (const { hash } of rows) await ensureParsed(db, blobs, hash);
  return rows.length;
}

const addressText = (list: SearchAddress[]) =>
  list.map((a) => [a.name, a.address && `<${a.address}>`].filter(Boolean).join(' ')).join(', ') || null;

export function summaryOf(parsed: ParsedMessage): MessageSummary {
  return summaryOfSearch(parsed.search);
}

/** The summary columns from the search fields alone (all a stored blob needs to give). */
export function summaryOfSearch(s: SearchFields): MessageSummary {
  return {
    subject: s.subjects[0] ?? null,
    from: addressText(s.from),
    to: addressText(s.to),
    date: s.sentAt === null ? null : new Date(s.sentAt),
    messageId: s.messageId,
  };
}
