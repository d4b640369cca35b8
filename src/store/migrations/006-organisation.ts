/**
 * The organisation model: agencies as a tree, account kinds and their agency, distribution
 * groups (static and dynamic) and delegation of agency mailboxes to people.
 */
export const sql = `
CREATE TABLE agencies (
  id          bigint GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
  parent_id   bigint REFERENCES agencies(id),
  -- short, stable, human code used on the CLI and in the API: 'SNV', 'UBND-VY-XA-AN-BINH'
  code        text NOT NULL UNIQUE CHECK (code ~ '^[A-Za-z0-9][A-Za-z0-9._-]{0,63}$'),
  name        text NOT NULL CHECK (name <> ''),
  -- the directory's stable id (entryUUID / objectGUID); null for agencies made by hand
  external_id text UNIQUE,
  status      text NOT NULL DEFAULT 'active' CHECK (status IN ('active', 'archived')),
  created_at  timestamptz NOT NULL DEFAULT now(),
  updated_at  timestamptz NOT NULL DEFAULT now(),
  CHECK (parent_id IS DISTINCT FROM id)
);
CREATE INDEX agencies_parent ON agencies (parent_id);

ALTER TABLE accounts
  ADD COLUMN kind        text NOT NULL DEFAULT 'person' CHECK (kind IN ('person', 'agency', 'system')),
  ADD COLUMN agency_id   bigint REFERENCES agencies(id),
  ADD COLUMN title       text NOT NULL DEFAULT '',
  ADD COLUMN external_id text UNIQUE,
  ADD COLUMN disabled_at timestamptz;
CREATE INDEX accounts_agency ON accounts (agency_id);
`;
