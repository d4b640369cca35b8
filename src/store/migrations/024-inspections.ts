/**
 * Security inspections: a named auditor reads one mailbox, read-only, for a limited time,
 * only after a second administrator approved it. The row keeps who asked, who approved (or
 * refused), when it ends and who ended it early; each message opened is an audit event.
 */
export const sql = `
CREATE TABLE inspections (
  id             bigint GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
  mailbox_id     bigint NOT NULL REFERENCES accounts(id) ON DELETE CASCADE,
  auditor_id     bigint NOT NULL REFERENCES accounts(id) ON DELETE CASCADE,
  reason         text NOT NULL,
  hours          integer NOT NULL CHECK (hours BETWEEN 1 AND 168),
  requested_by   text NOT NULL,
  requested_at   timestamptz NOT NULL DEFAULT now(),
  decided_by     text,
  decided_at     timestamptz,
  approved       boolean,
  expires_at     timestamptz,
  ended_by       text,
  ended_at       timestamptz,
  CHECK (mailbox_id <> auditor_id),
  CHECK ((decided_at IS NULL) = (approved IS NULL)),
  CHECK (approved IS NOT TRUE OR expires_at IS NOT NULL)
);
CREATE INDEX inspections_auditor ON inspections (auditor_id, mailbox_id) WHERE approved AND ended_at IS NULL;
`;
