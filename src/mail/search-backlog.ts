import type { Db, Queryable } from '../store/db.js';
import { transaction } from '../store/db.js';
import type { BlobStore } from '../store/blob-store.js';
import { parseMessage, type ParsedMessage } from './mime/index.js';
import { buildSearchText, SEARCH_TEXT_VERSION, type SearchText } from './search-text.js';

/** blobs made into search text per transaction */
const BATCH = 100;

/**
 * Makes and stores the search text of these blobs (those still lacking a current one),
 * in batches: one multi-row insert per batch. A blob that vanished meanwhile is skipped,
 * and so is one no message points at any more (a draft saved over, a message expunged
 * soon after it came): should it come back, a search makes its text (ensureSearchText).
 */
async function indexBlobs(db: Queryable, blobs: BlobStore, hashes: readonly string[]): Promise<number> {
  if (hashes.length === 0) return 0;
  const { rows } = await db.query<{ hash: string; parsed: ParsedMessage | null }>(
    `SELECT b.hash, b.parsed FROM blobs b LEFT JOIN blob_search s ON s.hash = b.hash
      WHERE b.hash = ANY ($1::text[]) AND b.refcount > 0 AND s.version IS DISTINCT FROM $2`,
    [hashes, SEARCH_TEXT_VERSION],
  );
  const made: Array<{ hash: string; text: SearchText }> = [];
  for (const row of rows) {
    const raw = await blobs.read(row.hash).catch(() => undefined);
    if (!raw) continue;
    made.push({ hash: row.hash, text: buildSearchText(raw, row.parsed ?? parseMessage(raw)) });
  }
  if (made.length === 0) return 0;
  await db.query(
    `INSERT INTO blob_search (hash, version, head, heads, body, sent_day)
     SELECT hash, $1, head, heads, body, sent_day
       FROM unnest($2::text[], $3::text[], $4::text[], $5::text[], $6::date[]) AS t(hash, head, heads, body, sent_day)
     ON CONFLICT (hash) DO UPDATE
       SET version = EXCLUDED.version, head = EXCLUDED.head, heads = EXCLUDED.heads, body = EXCLUDED.body, sent_day = EXCLUDED.sent_day
       WHERE blob_search.version IS DISTINCT FROM EXCLUDED.version`,
    [
      SEARCH_TEXT_VERSION,
      made.map((m) => m.hash), made.map((m) => m.text.head), made.map((m) => m.text.heads), made.map((m) => m.text.body), made.map((m) => m.text.sentDay),
    ],
  );
  return made.length;
}

/**
 * Takes up to `limit` blobs off the search backlog, oldest first, of those that have
 * waited at least `minAgeSeconds`, and makes their search text; concurrent indexers skip
 * each other's rows. Returns how many it took.
 */
export async function indexSearchBacklog(db: Db, blobs: BlobStore, limit = BATCH, minAgeSeconds = 0): Promise<number> {
  return transaction(db, async (client) => {
    const { rows } = await client.query<{ hash: string }>(
      'SELECT hash FROM search_backlog WHERE since <= now() - make_interval(secs => $2) ORDER BY since LIMIT $1 FOR UPDATE SKIP LOCKED',
      [limit, minAgeSeconds],
    );
    if (rows.length === 0) return 0;
    const hashes = rows.map((r) => r.hash);
    await indexBlobs(client, blobs, hashes);
    await client.query('DELETE FROM search_backlog WHERE hash = ANY ($1::text[])', [hashes]);
    return rows.length;
  });
}

/**
 * Makes the search text of the folder's blobs that lack it before a search reads it:
 * the backlog's newest messages, and blobs whose text an older extract made. Returns
 * how many it made.
 */
export async function ensureSearchText(db: Queryable, blobs: BlobStore, mailboxId: number): Promise<number> {
  const { rows } = await db.query<{ hash: string }>(
    `SELECT DISTINCT m.blob_hash AS hash FROM messages m LEFT JOIN blob_search s ON s.hash = m.blob_hash
      WHERE m.mailbox_id = $1 AND s.version IS DISTINCT FROM $2`,
    [mailboxId, SEARCH_TEXT_VERSION],
  );
  let made = 0;
  for (let i = 0; i < rows.length; i += BATCH) made += await indexBlobs(db, blobs, rows.slice(i, i + BATCH).map((r) => r.hash));
  return made;
}
