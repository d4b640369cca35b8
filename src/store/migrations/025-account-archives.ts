/**
 * Archiving of departed accounts. A disabled account is kept for its domain's
 * `disabled_account_days` (null: the configured default; 0: kept for ever), then its mail
 * is written to an archive file and removed from the live store. Each archive is a row
 * here, recorded BEFORE any message is removed: `removed_at` stays null until the
 * removal is done, so a run that died between the two steps is finished by the next.
 */
export const sql = `
ALTER TABLE domain_retention ADD COLUMN disabled_account_days integer CHECK (disabled_account_days >= 0);

CREATE TABLE account_archives (
  id              bigint GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
  account_id      bigint NOT NULL REFERENCES accounts(id),
  path            text NOT NULL UNIQUE,
  sha256          text NOT NULL CHECK (sha256 ~ '^[0-9a-f]{64}$'),
  -- what the archive holds, and the size of the file itself
  messages        integer NOT NULL CHECK (messages >= 0),
  message_bytes   bigint NOT NULL CHECK (message_bytes >= 0),
  file_bytes      bigint NOT NULL CHECK (file_bytes > 0),
  -- the archive covers the account's messages with id <= this (0: it had none)
  last_message_id bigint NOT NULL,
  created_by      text NOT NULL,
  created_at      timestamptz NOT NULL DEFAULT now(),
  removed_at      timestamptz
);
CREATE INDEX account_archives_account ON account_archives (account_id, created_at);
-- at most one archive of an account waits for its messages to be removed
CREATE UNIQUE INDEX account_archives_pending ON account_archives (account_id) WHERE removed_at IS NULL;
`;
