/** The spool: every accepted message, durable before SMTP answers 250. */
export const sql = `
CREATE TABLE spool (
  id           bigint GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
  blob_hash    text NOT NULL REFERENCES blobs(hash),
  size         bigint NOT NULL,
  -- '' is the null reverse-path of a bounce (RFC 5321 §4.5.5)
  mail_from    text NOT NULL,
  source       text NOT NULL CHECK (source IN ('mx', 'submission', 'bounce', 'local')),
  account_id   bigint REFERENCES accounts(id) ON DELETE SET NULL,
  client_ip    text,
  helo         text,
  envelope_id  text,
  -- RFC 3461 RET: 'full' or 'hdrs' (default) for the returned content in a DSN
  dsn_ret      text,
  received_at  timestamptz NOT NULL DEFAULT now(),
  expires_at   timestamptz NOT NULL,
  done_at      timestamptz
);
CREATE INDEX spool_open ON spool (id) WHERE done_at IS NULL;

CREATE TABLE spool_recipients (
  spool_id        bigint NOT NULL REFERENCES spool(id) ON DELETE CASCADE,
  recipient       text NOT NULL,
  -- local: a mailbox here; remote: another server; sent-copy: the submitter's Sent folder
  route           text NOT NULL CHECK (route IN ('local', 'remote', 'sent-copy')),
  status          text NOT NULL DEFAULT 'pending' CHECK (status IN ('pending', 'delivered', 'failed')),
  attempts        integer NOT NULL DEFAULT 0,
  next_attempt_at timestamptz NOT NULL DEFAULT now(),
  last_code       text,
  last_error      text,
  remote_mta      text,
  notify          text,
  -- a failure that has had its delivery status notification made
  reported        boolean NOT NULL DEFAULT false,
  updated_at      timestamptz NOT NULL DEFAULT now(),
  PRIMARY KEY (spool_id, recipient, route)
);
CREATE INDEX spool_recipients_due ON spool_recipients (next_attempt_at) WHERE status = 'pending';
`;
