/**
 * Search text is made behind delivery, not in its transaction: folding a message and
 * adding its trigrams to the GIN indexes cost more than the rest of delivering it. A
 * stored description puts the blob here; the worker's indexer takes blobs from here in
 * batches when deliveries pause, and a search first makes the text its folder still lacks.
 */
export const sql = `
CREATE TABLE search_backlog (
  hash  text PRIMARY KEY REFERENCES blobs(hash) ON DELETE CASCADE,
  since timestamptz NOT NULL DEFAULT now()
);
`;
