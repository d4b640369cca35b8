/**
 * Bulk provisioning: runs (one per plan, with per-item progress so a crashed apply
 * resumes), the addresses provisioning has handed out (never reused too soon), the
 * accounts it disabled (only those come back by themselves), the directory groups it
 * mirrors, and the activation codes waiting to be printed for HR.
 */
export const sql = `
CREATE TABLE provisioning_runs (
  id           bigint GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
  -- the plan's own id: applying the same plan again continues the same run
  plan_id      text NOT NULL UNIQUE,
  source       text NOT NULL,
  actor        text NOT NULL,
  status       text NOT NULL DEFAULT 'pending' CHECK (status IN ('pending', 'running', 'done', 'failed')),
  total_items  integer NOT NULL CHECK (total_items >= 0),
  done_items   integer NOT NULL DEFAULT 0 CHECK (done_items >= 0),
  plan         jsonb NOT NULL,
  summary      jsonb NOT NULL DEFAULT '{}',
  error        text,
  created_at   timestamptz NOT NULL DEFAULT now(),
  started_at   timestamptz,
  finished_at  timestamptz
);

-- one row per plan item carried out, written in the transaction that carries it out
CREATE TABLE provisioning_run_items (
  run_id   bigint NOT NULL REFERENCES provisioning_runs(id),
  seq      integer NOT NULL,
  done_at  timestamptz NOT NULL DEFAULT now(),
  PRIMARY KEY (run_id, seq)
);

-- every address provisioning gave out; freed_at is set when its account is gone, and the
-- address is given again only provisioning.addresses.reuseAfterDays after that
CREATE TABLE provisioning_addresses (
  address      text PRIMARY KEY CHECK (address = lower(address)),
  external_id  text,
  given_at     timestamptz NOT NULL DEFAULT now(),
  freed_at     timestamptz
);

-- accounts provisioning disabled because their person left the source; a return re-enables
-- only these (an account an administrator disabled stays disabled)
CREATE TABLE provisioning_disabled (
  account_id   bigint PRIMARY KEY REFERENCES accounts(id),
  run_id       bigint NOT NULL REFERENCES provisioning_runs(id),
  disabled_at  timestamptz NOT NULL DEFAULT now()
);

-- static distribution groups that mirror a directory group (groupOfNames / group)
CREATE TABLE provisioning_groups (
  external_id  text PRIMARY KEY,
  group_id     bigint NOT NULL UNIQUE REFERENCES distribution_groups(id) ON DELETE CASCADE
);

-- activation codes of the accounts a run created, kept for the printed sheets HR hands out
CREATE TABLE provisioning_credentials (
  run_id      bigint NOT NULL REFERENCES provisioning_runs(id),
  account_id  bigint NOT NULL REFERENCES accounts(id),
  agency_id   bigint REFERENCES agencies(id),
  code        text NOT NULL,
  expires_at  timestamptz,
  PRIMARY KEY (run_id, account_id)
);
CREATE INDEX provisioning_credentials_agency ON provisioning_credentials (run_id, agency_id);
`;
