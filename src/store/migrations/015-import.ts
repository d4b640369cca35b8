/**
 * Moving in from the old mail system: how far each source folder of each account has
 * been copied, so an import resumes where it stopped and a second run copies only what
 * is new.
 */
export const sql = `
CREATE TABLE import_state (
  account_id   bigint NOT NULL REFERENCES accounts(id) ON DELETE CASCADE,
  -- the old server and login, e.g. imaps://mail.old.gov.vn:993/annv
  source       text NOT NULL,
  folder       text NOT NULL,
  uidvalidity  bigint NOT NULL,
  last_uid     bigint NOT NULL DEFAULT 0,
  copied       bigint NOT NULL DEFAULT 0,
  updated_at   timestamptz NOT NULL DEFAULT now(),
  PRIMARY KEY (account_id, source, folder)
);
`;
