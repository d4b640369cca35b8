/**
 * Webmail and admin-console sessions. The cookie holds a random token; only its SHA-256
 * is stored, so a copy of the database opens no session. A session passes through stages:
 * 'second-factor' (password checked, TOTP code still due), 'change-password' (a reset or
 * expired password must be replaced first) and 'ready'. Sessions are listed to their owner,
 * who can end any of them or all of them at once (revoked_at).
 */
export const sql = `
CREATE TABLE web_sessions (
  id            bigint GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
  token_hash    bytea NOT NULL UNIQUE,
  account_id    bigint NOT NULL REFERENCES accounts(id) ON DELETE CASCADE,
  stage         text NOT NULL CHECK (stage IN ('second-factor', 'change-password', 'ready')),
  csrf_token    text NOT NULL,
  -- the password must be replaced once the second factor is given (a reset or expired one)
  must_change   boolean NOT NULL DEFAULT false,
  created_at    timestamptz NOT NULL DEFAULT now(),
  last_seen_at  timestamptz NOT NULL DEFAULT now(),
  expires_at    timestamptz NOT NULL,
  ip            text,
  user_agent    text,
  revoked_at    timestamptz
);
CREATE INDEX web_sessions_account ON web_sessions (account_id) WHERE revoked_at IS NULL;
`;
