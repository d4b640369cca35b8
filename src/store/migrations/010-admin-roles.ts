/**
 * Administrative roles of accounts (for the admin console and the CLI's listing) and the
 * admin API's bearer tokens. A token carries its own role and scope; its secret is kept
 * only as SHA-256 (a 256-bit random secret needs no slow hash).
 */
export const sql = `
CREATE TABLE role_grants (
  id         bigint GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
  account_id bigint NOT NULL REFERENCES accounts(id) ON DELETE CASCADE,
  -- every account is a 'user'; a grant adds one of these
  role       text NOT NULL CHECK (role IN ('superadmin', 'domain-admin', 'agency-admin', 'auditor')),
  domain_id  bigint REFERENCES domains(id),
  agency_id  bigint REFERENCES agencies(id),
  granted_by text NOT NULL,
  created_at timestamptz NOT NULL DEFAULT now(),
  -- a domain admin has exactly one domain, an agency admin exactly one agency subtree
  CHECK ((role = 'domain-admin') = (domain_id IS NOT NULL)),
  CHECK ((role = 'agency-admin') = (agency_id IS NOT NULL))
);
CREATE UNIQUE INDEX role_grants_once ON role_grants (account_id, role, coalesce(domain_id, 0), coalesce(agency_id, 0));

CREATE TABLE api_tokens (
  id           bigint GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
  -- the actor the audit log records for the token's changes
  name         text NOT NULL UNIQUE CHECK (name ~ '^[A-Za-z0-9][A-Za-z0-9._-]{0,63}$'),
  secret_hash  text NOT NULL UNIQUE CHECK (secret_hash ~ '^[0-9a-f]{64}$'),
  role         text NOT NULL CHECK (role IN ('superadmin', 'domain-admin', 'agency-admin', 'auditor', 'user')),
  domain_id    bigint REFERENCES domains(id),
  agency_id    bigint REFERENCES agencies(id),
  -- a 'user' token acts for one account
  account_id   bigint REFERENCES accounts(id) ON DELETE CASCADE,
  created_by   text NOT NULL,
  created_at   timestamptz NOT NULL DEFAULT now(),
  expires_at   timestamptz NOT NULL,
  revoked_at   timestamptz,
  last_used_at timestamptz,
  last_used_ip text,
  CHECK ((role = 'domain-admin') = (domain_id IS NOT NULL)),
  CHECK ((role = 'agency-admin') = (agency_id IS NOT NULL)),
  CHECK ((role = 'user') = (account_id IS NOT NULL))
);
`;
