/** Blobs (content-addressed bodies and their parsed description), mailboxes, messages. */
export const sql = `
-- no index may cover refcount: its updates stay HOT (in-page, no index writes)
CREATE TABLE blobs (
  hash       text PRIMARY KEY CHECK (hash ~ '^[0-9a-f]{64}$'),
  size       bigint NOT NULL,
  refcount   integer NOT NULL DEFAULT 0 CHECK (refcount >= 0),
  parsed     jsonb,
  created_at timestamptz NOT NULL DEFAULT now()
);

-- blobs whose count reached zero, for the collector to look at after a grace period
CREATE TABLE blob_gc (
  hash  text PRIMARY KEY,
  since timestamptz NOT NULL DEFAULT now()
);

CREATE TABLE mailboxes (
  id             bigint GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
  account_id     bigint NOT NULL REFERENCES accounts(id) ON DELETE CASCADE,
  name           text NOT NULL,
  special_use    text CHECK (special_use IN ('\\Sent', '\\Drafts', '\\Trash', '\\Junk', '\\Archive', '\\All', '\\Flagged')),
  uidvalidity    bigint NOT NULL,
  uid_next       bigint NOT NULL DEFAULT 1,
  highest_modseq bigint NOT NULL DEFAULT 1,
  message_count  integer NOT NULL DEFAULT 0,
  unseen_count   integer NOT NULL DEFAULT 0,
  total_bytes    bigint NOT NULL DEFAULT 0,
  subscribed     boolean NOT NULL DEFAULT true,
  created_at     timestamptz NOT NULL DEFAULT now(),
  UNIQUE (account_id, name)
);

CREATE TABLE messages (
  id            bigint GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
  mailbox_id    bigint NOT NULL REFERENCES mailboxes(id) ON DELETE CASCADE,
  uid           bigint NOT NULL,
  modseq        bigint NOT NULL,
  flags         text[] NOT NULL DEFAULT '{}',
  internal_date timestamptz NOT NULL,
  size          bigint NOT NULL,
  blob_hash     text NOT NULL REFERENCES blobs(hash),
  -- the spool row a delivery came from: a retried delivery never makes a second copy
  delivery_key  text,
  subject       text,
  from_text     text,
  to_text       text,
  sent_date     timestamptz,
  message_id    text,
  UNIQUE (mailbox_id, uid)
);
CREATE UNIQUE INDEX messages_delivery_key ON messages (mailbox_id, delivery_key) WHERE delivery_key IS NOT NULL;
CREATE INDEX messages_modseq ON messages (mailbox_id, modseq);
CREATE INDEX messages_blob ON messages (blob_hash);

-- expunged UIDs with the MODSEQ of their removal, for QRESYNC VANISHED (RFC 7162 §3.2.10)
CREATE TABLE expunged_messages (
  mailbox_id bigint NOT NULL REFERENCES mailboxes(id) ON DELETE CASCADE,
  uid        bigint NOT NULL,
  modseq     bigint NOT NULL,
  PRIMARY KEY (mailbox_id, uid)
);
`;
