import type { Queryable } from '../store/db.js';
import type { BlobStore } from '../store/blob-store.js';
import { parseMessage } from './mime/index.js';
import type { ParsedMessage, SearchAddress, SearchFields } from './mime/index.js';
import type { MessageSummary } from './append.js';

/**
 * Stores a blob's parsed description unless it has one (concurrent deliveries of one blob
 * parse it the same way), and puts the blob on the search backlog: its search text is
 * made later, off the delivery path (search-backlog.ts). The blob row must exist
 * (addBlobRef made it).
 */
export async function storeDescription(db: Queryable, hash: string, parsed: ParsedMessage): Promise<void> {
  await db.query(`WITH ${storeDescriptionCte(1, 2)} SELECT 1`, [hash, parsed]);
}

/**
 * storeDescription as the WITH items of another statement (`$hash`, `$parsed`: its parameter
 * numbers; a null description stores nothing): delivery folds it into its recipient lock, one
 * round trip fewer for every new blob.
 */
export const storeDescriptionCte = (hash: number, parsed: number) =>
  `described AS (UPDATE blobs SET parsed = $${parsed} WHERE $${parsed}::jsonb IS NOT NULL AND hash = $${hash} AND parsed IS NULL RETURNING hash),
   backlogged AS (INSERT INTO search_backlog (hash) SELECT hash FROM described ON CONFLICT DO NOTHING)`;

/**
 * storeDescriptionCte for several blobs (`$hashes` text[], `$parsed` the descriptions as
 * JSON text[]): the delivery of a batch of messages stores theirs in its recipient lock.
 */
export const storeDescriptionsCte = (hashes: number, parsed: number) =>
  `described AS (UPDATE blobs b SET parsed = d.parsed::jsonb FROM unnest($${hashes}::text[], $${parsed}::text[]) AS d(hash, parsed)
                  WHERE b.hash = d.hash AND b.parsed IS NULL RETURNING b.hash),
   backlogged AS (INSERT INTO search_backlog (hash) SELECT hash FROM described ON CONFLICT DO NOTHING)`;

/**
 * The parsed description of a blob, made once per blob and kept beside it: a circular
 * delivered to 3,000 mailboxes is parsed once.
 */
export async function ensureParsed(db: Queryable, blobs: BlobStore, hash: string): Promise<{ parsed: ParsedMessage; summary: MessageSummary }> {
  const prepared = await prepareDescription(db, blobs, hash);
  if (prepared.unstored) await storeDescription(db, hash, prepared.unstored);
  return prepared;
}

export interface PreparedDescription {
  parsed: ParsedMessage;
  summary: MessageSummary;
  /** parsed now and not yet stored: the caller stores it in its own transaction with storeDescription */
  unstored?: ParsedMessage;
}

/** Like ensureParsed, without writing: delivery stores the description in its own transaction (one commit, not two). */
export async function prepareDescription(db: Queryable, blobs: BlobStore, hash: string): Promise<PreparedDescription> {
  const { rows } = await db.query<{ parsed: ParsedMessage | null }>('SELECT parsed FROM blobs WHERE hash = $1', [hash]);
  return describeBlob(blobs, hash, rows[0]?.parsed ?? null);
}

/** The description from what the caller already read of the blob row (`stored`), parsing the blob only when there is none. */
export async function describeBlob(blobs: BlobStore, hash: string, stored: ParsedMessage | null): Promise<PreparedDescription> {
  if (stored) return { parsed: stored, summary: summaryOf(stored) };
  const parsed = parseMessage(await blobs.read(hash));
  return { parsed, summary: summaryOf(parsed), unstored: parsed };
}

/**
 * The search fields of the blobs that already have a description: a blob appended again
 * (a circular, a copy saved twice) is not read or parsed again.
 */
export async function describedSearchFields(db: Queryable, hashes: readonly string[]): Promise<Map<string, SearchFields>> {
  const { rows } = await db.query<{ hash: string; search: SearchFields }>(
    `SELECT hash, parsed->'search' AS search FROM blobs WHERE hash = ANY ($1::text[]) AND parsed IS NOT NULL`,
    [[...new Set(hashes)]],
  );
  return new Map(rows.map((r) => [r.hash, r.search]));
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
