/** Domains, accounts and aliases: the minimal identity mail needs to flow. */
export const sql = `
CREATE TABLE domains (
  id               bigint GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
  name             text NOT NULL UNIQUE CHECK (name = lower(name)),
  dkim_selector    text,
  dkim_private_key text,
  dkim_public_key  text,
  created_at       timestamptz NOT NULL DEFAULT now()
);

CREATE TABLE accounts (
  id            bigint GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
  domain_id     bigint NOT NULL REFERENCES domains(id),
  address       text NOT NULL UNIQUE CHECK (address = lower(address)),
  display_name  text NOT NULL DEFAULT '',
  password_hash text,
  status        text NOT NULL DEFAULT 'active' CHECK (status IN ('active', 'disabled')),
  -- 0 means no limit; usage is the sum of the account's mailboxes (mail module)
  quota_bytes   bigint NOT NULL CHECK (quota_bytes >= 0),
  created_at    timestamptz NOT NULL DEFAULT now(),
  updated_at    timestamptz NOT NULL DEFAULT now()
);
CREATE INDEX accounts_domain ON accounts (domain_id);

CREATE TABLE aliases (
  id         bigint GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
  domain_id  bigint NOT NULL REFERENCES domains(id),
  address    text NOT NULL UNIQUE CHECK (address = lower(address)),
  targets    text[] NOT NULL CHECK (cardinality(targets) > 0),
  created_at timestamptz NOT NULL DEFAULT now()
);
CREATE INDEX aliases_targets ON aliases USING gin (targets);
`;
