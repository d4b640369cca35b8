/**
 * IMAP ACL (RFC 4314): a person shares one of their own folders with a colleague. The
 * rights are RFC 4314 §2.1 letters; the owner's own rights and the delegation of agency
 * mailboxes (table delegations) are not stored here.
 */
export const sql = `
CREATE TABLE mailbox_grants (
  mailbox_id bigint NOT NULL REFERENCES mailboxes(id) ON DELETE CASCADE,
  grantee_id bigint NOT NULL REFERENCES accounts(id) ON DELETE CASCADE,
  rights     text NOT NULL CHECK (rights ~ '^[a-z]+$'),
  created_by text NOT NULL,
  created_at timestamptz NOT NULL DEFAULT now(),
  PRIMARY KEY (mailbox_id, grantee_id)
);
CREATE INDEX mailbox_grants_grantee ON mailbox_grants (grantee_id);
`;
