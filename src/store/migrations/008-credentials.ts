/**
 * Credentials beyond the main password: password age and forced change, the password
 * history the policy checks reuse against, activation codes, TOTP second factors with
 * their recovery codes, and app passwords for mail clients. High-entropy secrets
 * (activation codes, recovery codes, app passwords) are kept only as SHA-256.
 */
export const sql = `
ALTER TABLE accounts
  -- when the current password was set; null: when the account was made (accounts.created_at)
  ADD COLUMN password_changed_at  timestamptz,
  -- set by an administrator's reset and by creation with a password; cleared when the person sets their own
  ADD COLUMN must_change_password boolean NOT NULL DEFAULT false;
UPDATE accounts SET password_changed_at = now() WHERE password_hash IS NOT NULL;

CREATE TABLE password_history (
  id            bigint GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
  account_id    bigint NOT NULL REFERENCES accounts(id) ON DELETE CASCADE,
  password_hash text NOT NULL,
  created_at    timestamptz NOT NULL DEFAULT now()
);
CREATE INDEX password_history_account ON password_history (account_id, id DESC);

CREATE TABLE activation_codes (
  code_hash  bytea PRIMARY KEY CHECK (length(code_hash) = 32),
  account_id bigint NOT NULL REFERENCES accounts(id) ON DELETE CASCADE,
  created_at timestamptz NOT NULL DEFAULT now(),
  expires_at timestamptz NOT NULL,
  used_at    timestamptz
);
CREATE INDEX activation_codes_account ON activation_codes (account_id);

CREATE TABLE totp_credentials (
  account_id     bigint PRIMARY KEY REFERENCES accounts(id) ON DELETE CASCADE,
  -- base32 (RFC 4648); a TOTP secret must be readable to compute codes, so it cannot be hashed
  secret         text NOT NULL,
  -- null while the enrolment waits for its first valid code
  confirmed_at   timestamptz,
  -- RFC 6238 §5.2: the last accepted time step; a code of the same or an earlier step is a replay
  last_time_step bigint,
  created_at     timestamptz NOT NULL DEFAULT now()
);

CREATE TABLE recovery_codes (
  account_id bigint NOT NULL REFERENCES accounts(id) ON DELETE CASCADE,
  code_hash  bytea NOT NULL CHECK (length(code_hash) = 32),
  created_at timestamptz NOT NULL DEFAULT now(),
  used_at    timestamptz,
  PRIMARY KEY (account_id, code_hash)
);

CREATE TABLE app_passwords (
  id           bigint GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
  account_id   bigint NOT NULL REFERENCES accounts(id) ON DELETE CASCADE,
  name         text NOT NULL CHECK (name <> '' AND length(name) <= 64),
  secret_hash  bytea NOT NULL UNIQUE CHECK (length(secret_hash) = 32),
  scopes       text[] NOT NULL CHECK (cardinality(scopes) > 0 AND scopes <@ ARRAY['imap', 'smtp']),
  created_at   timestamptz NOT NULL DEFAULT now(),
  revoked_at   timestamptz,
  last_used_at timestamptz,
  last_used_ip text
);
CREATE UNIQUE INDEX app_passwords_live_name ON app_passwords (account_id, lower(name)) WHERE revoked_at IS NULL;
CREATE INDEX app_passwords_account ON app_passwords (account_id);
`;
