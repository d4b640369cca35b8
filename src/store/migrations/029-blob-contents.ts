/**
 * The bytes of small blobs, kept in PostgreSQL (store/inline-blob-store.ts); larger ones stay
 * in the file or S3 store. Rows are written once and deleted by the blob collector with the
 * blob. The hash is compared byte-wise (COLLATE "C"): it is lower-case hex, and a libc
 * collation would only cost time. STORAGE EXTERNAL: the bytes are kept uncompressed, as a
 * file would hold them (pglz would cost CPU on every message for little gain), and
 * toast_tuple_target 8160 keeps a row of up to a page's worth in the table itself: a typical
 * message of a few KB is one heap tuple and one index entry, not TOAST chunks and their index.
 */
export const sql = `
CREATE TABLE blob_contents (
  hash text COLLATE "C" PRIMARY KEY,
  bytes bytea NOT NULL
);
ALTER TABLE blob_contents ALTER COLUMN bytes SET STORAGE EXTERNAL;
ALTER TABLE blob_contents SET (toast_tuple_target = 8160);
`;
