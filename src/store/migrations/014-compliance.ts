/**
 * Retention and legal hold. `saved_at` is when a message came into its folder (a MOVE
 * resets it), so "Trash is emptied after 30 days" counts from the day it was thrown
 * away. A legal hold keeps every message its accounts lose, whatever removes it
 * (EXPUNGE, a deleted folder, retention): a trigger copies the rows into held_messages
 * and keeps their blobs referenced, so no code path can forget it.
 */
export const sql = `
ALTER TABLE messages ADD COLUMN saved_at timestamptz NOT NULL DEFAULT now();

CREATE FUNCTION messages_saved_now() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
  NEW.saved_at := now();
  RETURN NEW;
END $$;
CREATE TRIGGER messages_moved BEFORE UPDATE OF mailbox_id ON messages
  FOR EACH ROW WHEN (OLD.mailbox_id IS DISTINCT FROM NEW.mailbox_id) EXECUTE FUNCTION messages_saved_now();

CREATE TABLE domain_retention (
  domain_id  bigint PRIMARY KEY REFERENCES domains(id) ON DELETE CASCADE,
  -- null: the configured default; 0: never emptied
  trash_days integer CHECK (trash_days >= 0),
  junk_days  integer CHECK (junk_days >= 0)
);

CREATE TABLE legal_holds (
  id          bigint GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
  account_id  bigint REFERENCES accounts(id),
  agency_id   bigint REFERENCES agencies(id),
  reason      text NOT NULL CHECK (reason <> ''),
  case_ref    text,
  created_by  text NOT NULL,
  created_at  timestamptz NOT NULL DEFAULT now(),
  released_by text,
  released_at timestamptz,
  CHECK ((account_id IS NULL) <> (agency_id IS NULL))
);
CREATE INDEX legal_holds_active ON legal_holds (account_id, agency_id) WHERE released_at IS NULL;

CREATE TABLE held_messages (
  id            bigint GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
  account_id    bigint NOT NULL REFERENCES accounts(id),
  mailbox_name  text NOT NULL,
  uid           bigint NOT NULL,
  flags         text[] NOT NULL,
  internal_date timestamptz NOT NULL,
  size          bigint NOT NULL,
  blob_hash     text NOT NULL REFERENCES blobs(hash),
  subject       text,
  from_text     text,
  to_text       text,
  sent_date     timestamptz,
  message_id    text,
  removed_at    timestamptz NOT NULL DEFAULT now()
);
CREATE INDEX held_messages_account ON held_messages (account_id, removed_at);

CREATE FUNCTION keep_held_messages() RETURNS trigger LANGUAGE plpgsql AS $$
DECLARE
  kept_hashes text[];
  h text;
  n bigint;
BEGIN
  -- the common case: no hold anywhere, nothing to look at
  IF NOT EXISTS (SELECT 1 FROM legal_holds WHERE released_at IS NULL) THEN
    RETURN NULL;
  END IF;
  -- a row whose folder is already gone cannot be attributed: refuse rather than lose it
  -- (delete a folder's messages before the folder itself)
  IF EXISTS (SELECT 1 FROM gone g LEFT JOIN mailboxes mb ON mb.id = g.mailbox_id WHERE mb.id IS NULL) THEN
    RAISE EXCEPTION 'messages removed without their folder while a legal hold is active';
  END IF;
  WITH RECURSIVE held_agency(id) AS (
         SELECT agency_id FROM legal_holds WHERE released_at IS NULL AND agency_id IS NOT NULL
         UNION SELECT a.id FROM agencies a JOIN held_agency ON a.parent_id = held_agency.id),
       kept AS (
         INSERT INTO held_messages (account_id, mailbox_name, uid, flags, internal_date, size, blob_hash,
                                    subject, from_text, to_text, sent_date, message_id)
         SELECT mb.account_id, mb.name, g.uid, g.flags, g.internal_date, g.size, g.blob_hash,
                g.subject, g.from_text, g.to_text, g.sent_date, g.message_id
           FROM gone g JOIN mailboxes mb ON mb.id = g.mailbox_id JOIN accounts a ON a.id = mb.account_id
          WHERE a.id IN (SELECT account_id FROM legal_holds WHERE released_at IS NULL AND account_id IS NOT NULL)
             OR a.agency_id IN (SELECT id FROM held_agency)
         RETURNING blob_hash)
  SELECT array_agg(blob_hash) INTO kept_hashes FROM kept;
  -- each held row references its blob; locked in hash order like every other blob update
  FOR h, n IN SELECT x, count(*) FROM unnest(kept_hashes) AS x GROUP BY x ORDER BY x LOOP
    UPDATE blobs SET refcount = refcount + n WHERE hash = h;
  END LOOP;
  RETURN NULL;
END $$;
CREATE TRIGGER messages_legal_hold AFTER DELETE ON messages
  REFERENCING OLD TABLE AS gone FOR EACH STATEMENT EXECUTE FUNCTION keep_held_messages();
`;
